"""A_ex, zero crossing, gain spectrum/window and noise on analytic constructions."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from qdwidgets.core import gain
from qdwidgets.errors import DatasetError

WL = np.linspace(600.0, 680.0, 81)  # 1 nm grid
DELAY = np.concatenate([np.linspace(-2.0, -0.3, 10), np.arange(0.0, 10.0, 0.05), [15, 30, 60]])
A0_PEAK = 0.1
TAU_R = 1.0  # ps, build-up of the bleach + SE


def a0_spectrum(wl: np.ndarray = WL) -> np.ndarray:
    return 0.02 + A0_PEAK * np.exp(-0.5 * ((wl - 639.0) / 12.0) ** 2)


def make_ta(
    cs=(0.5, 2.0),
    *,
    sigma: float = 0.0,
    seed: int = 0,
    pump_dim: bool = True,
    decay: float | None = None,
) -> xr.Dataset:
    """A_ex(t, λ) = A0(λ)·(1 − (1 + c)(1 − e^{−t/τr})·e^{−t/τd}) for t ≥ 0, A0 before.

    With decay None (τd = ∞) the crossing is at τr·ln((1 + c)/c) for c > 0.
    """
    rng = np.random.default_rng(seed)
    t = DELAY[:, None]
    a0 = a0_spectrum()
    levels = []
    for c in cs:
        rise = -np.expm1(-np.clip(t, 0, None) / TAU_R)
        if decay is not None:
            rise = rise * np.exp(-np.clip(t, 0, None) / decay)
        levels.append(-(1.0 + c) * rise * a0[None, :])
    da = np.stack(levels) + sigma * rng.standard_normal((len(cs), DELAY.size, WL.size))
    coords = {
        "delay": ("delay", DELAY, {"units": "ps"}),
        "wavelength": ("wavelength", WL, {"units": "nm"}),
    }
    if pump_dim:
        coords["pump"] = ("pump", np.arange(1.0, len(cs) + 1), {"units": "nJ"})
        dA = xr.DataArray(da, dims=("pump", "delay", "wavelength"), attrs={"units": "OD"})
    else:
        dA = xr.DataArray(da[0], dims=("delay", "wavelength"), attrs={"units": "OD"})
    return xr.Dataset(
        {"dA": dA, "A0": ("wavelength", a0, {"units": "OD"})},
        coords=coords,
        attrs={"qd_kind": "ta"},
    )


def truth(c: float) -> float:
    return TAU_R * np.log((1.0 + c) / c)


def test_a_ex_is_dA_plus_A0_with_units_and_input_untouched():
    ta = make_ta()
    before = ta.copy(deep=True)
    out = gain.a_ex(ta)
    assert out.dims == ("pump", "delay", "wavelength")
    np.testing.assert_allclose(out.values, ta["dA"].values + ta["A0"].values, rtol=0, atol=1e-15)
    assert out.attrs["units"] == "OD" and "A_ex" in out.attrs["long_name"]
    assert ta.identical(before)


def test_a_ex_without_A0_says_how_to_fix():
    with pytest.raises(DatasetError, match="attach_absorbance"):
        gain.a_ex(make_ta().drop_vars("A0"))


def test_zero_crossing_noiseless_matches_closed_form():
    zc = gain.zero_crossing(make_ta((0.5, 2.0)), 639.0)
    assert zc.dims == ("pump",) and zc.attrs["units"] == "ps"
    np.testing.assert_allclose(zc.values, [truth(0.5), truth(2.0)], atol=5e-3)
    assert zc["zero_crossing_stderr"].attrs["units"] == "ps"


def test_zero_crossing_is_nan_where_A_ex_never_reaches_zero():
    zc = gain.zero_crossing(make_ta((-0.5, 1.0)), 639.0)  # c < 0: A_ex → −c·A0 > 0
    assert np.isnan(zc.values[0]) and np.isnan(zc["zero_crossing_stderr"].values[0])
    assert abs(zc.values[1] - truth(1.0)) < 5e-3


@pytest.mark.parametrize("window", [1, 3])
def test_zero_crossing_noisy_within_0p1_ps_and_stderr_calibrated(window):
    sigma = 0.002  # 2 % of the band-edge A0
    cs = (0.5, 2.0)
    errs, ses = [], []
    for seed in range(30):
        zc = gain.zero_crossing(make_ta(cs, sigma=sigma, seed=seed), 639.0, window=window)
        errs.append(zc.values - [truth(c) for c in cs])
        ses.append(zc["zero_crossing_stderr"].values)
    errs_a, ses_a = np.abs(np.array(errs)), np.array(ses)
    assert errs_a.max() < 0.1
    # noise estimate from pre-time-zero data: within 35 % of the truth (9 degrees of freedom)
    assert np.all(np.abs(zc["noise"].values / sigma - 1) < 0.6)
    # a standard error: about two thirds of the errors inside ±1 se, nearly all inside ±3 se
    assert 0.4 < np.mean(errs_a < ses_a) < 0.95
    assert np.mean(errs_a < 3 * ses_a) > 0.9


def test_band_average_reduces_noise_and_keeps_the_crossing():
    ta = make_ta((1.0,), sigma=0.004, seed=3)
    one = gain.zero_crossing(ta, 639.0)
    band = gain.zero_crossing(ta, 639.0, band_nm=4.0)
    assert band.attrs["band_nm"] == 4.0 and band.attrs["wavelength_nm"] == pytest.approx(639.0)
    assert float(band["noise"][0]) < 0.7 * float(one["noise"][0])  # 5 pixels: σ/√5
    assert abs(float(band[0]) - truth(1.0)) < 0.05


def test_one_noisy_sample_below_zero_does_not_count():
    ta = make_ta((1.0,))
    t = ta["delay"].values
    i = int(np.argmin(np.abs(t - 0.3)))  # A_ex ≈ +0.5·A0 there: far above the noise
    wl = int(np.argmin(np.abs(WL - 639.0)))
    # small noise so that σ > 0, and one spike below zero
    rng = np.random.default_rng(1)
    ta["dA"].values[...] += 1e-4 * rng.standard_normal(ta["dA"].shape)
    ta["dA"].values[0, i, wl] = -0.2
    zc = gain.zero_crossing(ta, 639.0)
    assert abs(float(zc[0]) - truth(1.0)) < 0.02
    # the rule is what rejects it: with confirm=0 the spike is taken
    naive = gain.zero_crossing(ta, 639.0, confirm=0)
    assert float(naive[0]) < 0.35


def test_scalar_without_pump_dimension():
    zc = gain.zero_crossing(make_ta((2.0,), pump_dim=False), 639.0)
    assert zc.ndim == 0 and abs(float(zc) - truth(2.0)) < 5e-3


@pytest.mark.parametrize("bad", [500.0, 900.0, float("nan")])
def test_wavelength_outside_range_is_a_dataset_error(bad):
    with pytest.raises(DatasetError, match="outside the measured range"):
        gain.zero_crossing(make_ta(), bad)


def test_noise_level_from_pre_time_zero():
    ta = make_ta((1.0, 2.0), sigma=0.003, seed=5)
    noise = gain.noise_level(ta)
    assert noise.dims == ("pump", "wavelength") and noise.attrs["units"] == "OD"
    assert abs(float(noise.mean()) / 0.003 - 1) < 0.1  # 162 estimates of 9 d.o.f. each
    with pytest.raises(DatasetError, match="before"):
        gain.noise_level(ta, before=-1.8)


def test_gain_spectrum_edges_and_round_trip():
    ta = make_ta((0.5, 2.0))
    res = gain.gain_spectrum(ta, 5.0)
    assert res.delay == pytest.approx(5.0)
    a0 = a0_spectrum()
    for k, c in enumerate((0.5, 2.0)):
        f = 1 - (1 + c) * -np.expm1(-5.0 / TAU_R)  # A_ex = f·A0: negative everywhere if f < 0
        assert res.has_gain[k] == (f < 0)
        if f < 0:
            assert res.bands[k] == ((WL[0], WL[-1]),)
            assert res.peak_wavelength[k] == 639.0
            assert res.depth[k] == pytest.approx(f * a0.max(), rel=1e-9)
    assert res.has_gain.values.tolist() == [True, True]
    again = gain.GainSpectrum.from_dict(res.to_dict())
    assert again == res


def test_gain_spectrum_band_edges_interpolated():
    # A_ex negative only where A0's Gaussian exceeds a level: edges known in closed form
    ta = make_ta((1.0,))
    ta["A0"] = ("wavelength", 0.07 - a0_spectrum(), {"units": "OD"})  # < 0 near the peak
    ta["dA"].values[...] = 0.0
    res = gain.gain_spectrum(ta, -1.0)
    half = 12.0 * np.sqrt(2 * np.log(A0_PEAK / 0.05))  # 0.05 − 0.1 g = 0
    ((lo, hi),) = res.bands[0]
    assert lo == pytest.approx(639.0 - half, abs=0.05) and hi == pytest.approx(639 + half, abs=0.05)
    assert res.width[0] == pytest.approx(2 * half, abs=0.1)
    no = gain.gain_spectrum(make_ta((1.0,)), -1.0)
    assert no.bands == ((),) and np.isnan(no.peak_wavelength[0])
    assert no.width.values.tolist() == [0.0]
    with pytest.raises(DatasetError, match="delay"):
        gain.gain_spectrum(ta, 1e4)


def test_gain_window_onset_end_duration():
    tau_d = 5.0
    ta = make_ta((2.0, -0.5), decay=tau_d)

    def f(t: float) -> float:
        return 1 - 3.0 * -np.expm1(-t / TAU_R) * np.exp(-t / tau_d)

    on = optimize.brentq(f, 0.01, 1.5)
    end = optimize.brentq(f, 1.5, 10.0)
    res = gain.gain_window(ta, 639.0)
    assert res.onset[0] == pytest.approx(on, abs=5e-3)
    assert res.end[0] == pytest.approx(end, abs=5e-3)
    assert res.duration[0] == pytest.approx(end - on, abs=1e-2)
    assert res.lasts_to_end.values.tolist() == [False, False]
    assert np.isnan(res.onset[1]) and np.isnan(res.end[1]) and np.isnan(res.duration[1])
    ongoing = gain.gain_window(make_ta((2.0,)), 639.0)
    assert ongoing.lasts_to_end.values.tolist() == [True] and np.isnan(ongoing.end[0])
    assert gain.GainWindow.from_dict(res.to_dict()) == res


def test_band_edge_is_the_red_most_A0_peak():
    ta = make_ta((1.0,))
    assert gain.band_edge(ta) == 639.0
    two = ta.copy()
    two["A0"] = (
        "wavelength",
        a0_spectrum() + 0.15 * np.exp(-0.5 * ((WL - 610) / 6) ** 2),
        {"units": "OD"},
    )  # a stronger bluer peak: the band edge is still 639 nm
    assert gain.band_edge(two) == 639.0
    bleach = make_ta((1.0,)).drop_vars("A0")  # without A0: the deepest late bleach
    assert gain.band_edge(bleach) == 639.0


def test_crossings_at_matches_zero_crossing():
    ta = make_ta((0.5, 2.0), sigma=0.002, seed=4)
    x = gain.a_ex(ta).values
    vals, errs, sigma, centre = gain.crossings_at(DELAY, x, WL, 641.2, band_nm=3.0)
    zc = gain.zero_crossing(ta, 641.2, band_nm=3.0)
    np.testing.assert_array_equal(vals, zc.values)
    np.testing.assert_array_equal(errs, zc["zero_crossing_stderr"].values)
    np.testing.assert_array_equal(sigma, zc["noise"].values)
    assert centre == 641.0


def test_zero_crossing_recovers_simulator_truth_at_its_noise():
    """simulate.ta (default noise 0.3 mOD, 20 fs steps, 2 nm grid): within 0.1 ps, NaN alike."""
    from qdwidgets.data import simulate

    worst = 0.0
    for seed in range(3):
        ds, truth = simulate.ta(seed=seed)
        for wl in (630.0, 640.0, 650.0, 660.0):
            zc = gain.zero_crossing(ds, wl)
            ref = truth.zero_crossing(wl)
            np.testing.assert_array_equal(np.isnan(zc.values), np.isnan(ref))
            ok = ~np.isnan(ref)
            worst = max(worst, float(np.abs(zc.values[ok] - ref[ok]).max(initial=0.0)))
    assert worst < 0.1
    # both levels cross at 660 nm, none at 630 nm: the test covers values and NaN
    assert np.isnan(gain.zero_crossing(ds, 630.0).values).all()
    assert np.isfinite(gain.zero_crossing(ds, 660.0).values).all()


def test_the_paper_example_crossings():
    """examples.ta(): ⟨N⟩ = 1.2 reaches zero near 2.3 ps, ⟨N⟩ = 3 near 0.8 ps (Fig. 2b–c), as the
    noiseless truth of the same simulator parameters says, within 0.1 ps."""
    from qdwidgets import examples
    from qdwidgets.data import simulate
    from qdwidgets.data.make_examples import TA_PARAMS

    ds = examples.ta()
    _, truth = simulate.ta(**{k: v for k, v in TA_PARAMS.items() if k != "attrs"})
    assert gain.band_edge(ds) == 639.0
    zc = gain.zero_crossing(ds, 639.0)
    np.testing.assert_allclose(zc.values, truth.zero_crossing(639.0), atol=0.1)
    np.testing.assert_allclose(zc.values, [2.3, 0.8], atol=0.1)
    assert np.all(zc["zero_crossing_stderr"].values < 0.05)


def test_gain_window_on_the_example_against_its_truth():
    """End of gain at 639/650 nm (log-spaced delays, 7 % apart): within one delay step."""
    from qdwidgets import examples
    from qdwidgets.data import simulate
    from qdwidgets.data.make_examples import TA_PARAMS

    ds = examples.ta()
    _, truth = simulate.ta(**{k: v for k, v in TA_PARAMS.items() if k != "attrs"})
    t = np.concatenate([np.linspace(0.3, 20, 20000), np.geomspace(20, 7000, 20000)])
    for wl in (639.0, 650.0):
        a = truth.a_ex(t, np.array([wl, wl + 1]))[:, :, 0]
        res = gain.gain_window(ds, wl)
        for p in range(2):
            neg = np.flatnonzero(a[p] <= 0)
            assert abs(res.onset[p] - t[neg[0]]) < 0.1
            assert abs(res.end[p] / t[neg[-1]] - 1) < 0.08, (wl, p, res.end[p], t[neg[-1]])
        assert res.lasts_to_end.values.tolist() == [False, False]


@settings(max_examples=25)
@given(c=st.floats(0.05, 20.0), scale=st.floats(1e-3, 10.0))
def test_zero_crossing_property_closed_form_and_scale_free(c, scale):
    """Noiseless: ln((1 + c)/c) within the 50 fs grid's interpolation error, whatever the OD
    scale; and ΔA given in mOD gives the same answer."""
    ta = make_ta((c,))
    ta["dA"] = ta["dA"] * scale
    ta["A0"] = ta["A0"] * scale
    zc = float(gain.zero_crossing(ta, 639.0)[0])
    assert abs(zc - truth(c)) < 5e-3  # all crossings lie in the 50 fs part of the grid
    ta_mod = ta.copy()
    ta_mod["dA"] = ta["dA"] * 1e3
    ta_mod["dA"].attrs["units"] = "mOD"
    assert float(gain.zero_crossing(ta_mod, 639.0)[0]) == pytest.approx(zc, abs=1e-9)


def test_gain_threshold_drops_noise_and_keeps_real_gain():
    # A_ex = 0 on the red edge (noise only) and a real dip of 10 σ at 639 nm: with k = 0 the
    # noise speckles the red edge with "gain regions", with the default k = 3 only the dip counts
    sigma = 1e-3
    ta = make_ta((1.0,), sigma=sigma, seed=3)
    ta["A0"] = ("wavelength", np.zeros(WL.size), {"units": "OD"})
    dip = -10 * sigma * np.exp(-0.5 * ((WL - 639.0) / 4.0) ** 2)
    ta["dA"].values[0, DELAY > 0, :] = dip + sigma * np.random.default_rng(4).standard_normal(
        (int((DELAY > 0).sum()), WL.size)
    )
    noisy = gain.gain_spectrum(ta, 5.0, k=0.0)
    clean = gain.gain_spectrum(ta, 5.0)
    assert clean.k == 3.0 and noisy.k == 0.0
    assert len(noisy.bands[0]) > 5  # the speckle the threshold is for
    ((lo, hi),) = clean.bands[0]
    assert 625 < lo < 639 < hi < 653
    assert clean.peak_wavelength[0] == pytest.approx(639.0, abs=4)
    assert clean.noise is not None and clean.noise.attrs["units"] == "OD"
    assert float(clean.noise.mean()) == pytest.approx(sigma, rel=0.3)
    # the widget's threshold is the same function
    row = clean.a_ex.values[0]
    assert gain.gain_bands(WL, row, clean.noise.values[0], 3.0) == clean.bands[0]
    again = gain.GainSpectrum.from_dict(clean.to_dict())
    assert again == clean
    with pytest.raises(ValueError, match="k"):
        gain.gain_spectrum(ta, 5.0, k=-1.0)


def test_time_zero_and_established_delay_follow_the_data():
    # |ΔA| ∝ 1 − e^(−t/τr) from t = 0: half rise at τr·ln 2, 80 % at τr·ln 5
    ta = make_ta((1.0, 2.0))
    assert gain.time_zero(ta) == pytest.approx(TAU_R * np.log(2), abs=0.05)
    est = gain.established_delay(ta)
    assert est == pytest.approx(TAU_R * np.log(5), abs=0.1) and est in DELAY
    # the same data on a delay axis shifted by 7 ps: both move with it
    late = ta.assign_coords(delay=ta["delay"] + 7.0)
    assert gain.time_zero(late) == pytest.approx(7 + TAU_R * np.log(2), abs=0.05)
    assert gain.established_delay(late) == pytest.approx(7 + TAU_R * np.log(5), abs=0.1)
    flat = make_ta((1.0,))
    flat["dA"].values[...] = 0.0
    assert np.isnan(gain.time_zero(flat)) and np.isnan(gain.established_delay(flat))


def test_one_noisy_sample_does_not_split_a_gain_band():
    wl = np.arange(600.0, 607.0)
    one = gain.gain_bands(wl, np.array([1, -1, -1, 0.01, -1, -1, 1.0]))
    assert one == ((600.5, 605.5),)
    two = gain.gain_bands(wl, np.array([1, -1, 1, 1, 1, -1, 1.0]))
    assert len(two) == 2
