"""Chirp estimate/correct/uncorrect and background subtraction on data with a known chirp."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr
from scipy import special

from qdwidgets.core import chirp
from qdwidgets.errors import DatasetError

WL = np.linspace(450.0, 700.0, 126)
DELAY = np.concatenate(
    [np.linspace(-3.0, -1.05, 14), np.arange(-1.0, 2.0, 0.02), np.linspace(2.1, 20.0, 40)]
)
IRF = 0.08  # ps, Gaussian standard deviation


def true_t0(wl: np.ndarray = WL) -> np.ndarray:
    x = (wl - 575.0) / 125.0
    return 0.1 - 0.35 * x + 0.15 * x**2  # ps: about 0.6 ps of chirp across the range


def make_ta(*, sigma: float = 0.0, seed: int = 0, offset: float = 0.0) -> xr.Dataset:
    rng = np.random.default_rng(seed)
    t = DELAY[:, None] - true_t0()[None, :]
    step = 0.5 * special.erfc(-t / (np.sqrt(2) * IRF))
    amp = -0.02 * np.exp(-0.5 * ((WL - 600) / 40) ** 2) + 0.008 * np.exp(
        -0.5 * ((WL - 480) / 15) ** 2
    )
    x = amp * step * np.exp(-np.clip(t, 0, None) / 30.0)
    x = x + offset * (1 + WL / 700)[None, :] + sigma * rng.standard_normal(x.shape)
    return xr.Dataset(
        {"dA": (("pump", "delay", "wavelength"), x[None], {"units": "OD"})},
        coords={
            "pump": ("pump", [1.0], {"units": "nJ"}),
            "delay": ("delay", DELAY, {"units": "ps"}),
            "wavelength": ("wavelength", WL, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


def test_estimate_recovers_simulated_chirp_within_50_fs_rms():
    ta = make_ta(sigma=4e-4, seed=1)  # 2 % of the main band
    est = chirp.estimate(ta)
    assert est.dims == ("wavelength",) and est.attrs["units"] == "ps"
    strong = np.abs(ta["dA"].values[0, -50, :]) > 0.002  # wavelengths with signal
    rms = np.sqrt(np.mean((est.values[strong] - true_t0()[strong]) ** 2))
    assert rms < 0.05
    assert len(est.attrs["coefficients"]) == 4 and est.attrs["irf_sigma_ps"] == pytest.approx(
        IRF, rel=0.2
    )
    assert np.isnan(est["t0_half_rise"].values).any()  # the weak zero-signal region is not used


def test_estimate_needs_enough_signal():
    ta = make_ta()
    ta["dA"].values[...] = 0.0
    with pytest.raises(DatasetError, match="clear rise"):
        chirp.estimate(ta)


def test_correct_moves_time_zero_to_zero_and_stores_the_chirp():
    ta = make_ta(sigma=2e-4, seed=2)
    before = ta.copy(deep=True)
    out = chirp.correct(ta, chirp.estimate(ta))
    assert ta.identical(before)
    assert out.attrs[chirp.CORRECTED] == 1 and out["chirp"].attrs["units"] == "ps"
    # every measured delay is kept: each wavelength has values over its whole measured span
    # [t_first - t0, t_last - t0] and NaN only outside it
    t0 = out["chirp"].values
    tau = out["delay"].values
    x = out["dA"].isel(pump=0).transpose("delay", "wavelength").values
    span = (tau[:, None] >= DELAY[0] - t0[None, :] - 1e-9) & (
        tau[:, None] <= DELAY[-1] - t0[None, :] + 1e-9
    )
    assert np.array_equal(np.isfinite(x), span)
    assert (np.isfinite(x).sum(axis=0) >= DELAY.size - 1).all()
    again = chirp.estimate(out)
    strong = np.abs(ta["dA"].values[0, -50, :]) > 0.002
    assert np.sqrt(np.mean(again.values[strong] ** 2)) < 0.03
    with pytest.raises(DatasetError, match="already corrected"):
        chirp.correct(out, 0.0)


def test_uncorrect_restores_the_data():
    ta = make_ta()
    t0 = true_t0()
    back = chirp.uncorrect(
        chirp.correct(ta, xr.DataArray(t0, dims="wavelength", coords={"wavelength": WL}))
    )
    assert back.attrs[chirp.CORRECTED] == 0
    np.testing.assert_array_equal(back["delay"].values, ta["delay"].values)  # every delay
    assert np.isfinite(back["dA"].values).all()
    err = np.abs(back["dA"].values - ta["dA"].transpose(*back["dA"].dims).values).max()
    assert err < 0.02 * np.abs(ta["dA"].values).max()  # two linear interpolations of a 80 fs rise
    # exact where ΔA is linear in delay
    lin = ta.copy(deep=True)
    lin["dA"].values[...] = (0.01 * DELAY[:, None] + 1e-3 * WL[None, :])[None]
    back_lin = chirp.uncorrect(chirp.correct(lin, t0))
    np.testing.assert_allclose(
        back_lin["dA"].values, lin["dA"].transpose(*back_lin["dA"].dims).values, rtol=0, atol=1e-12
    )


def test_uncorrect_without_correction_and_bad_chirp():
    with pytest.raises(DatasetError, match="no chirp correction"):
        chirp.uncorrect(make_ta())
    with pytest.raises(DatasetError, match="one finite t0"):
        chirp.correct(make_ta(), np.zeros(5))
    with pytest.raises(DatasetError, match="not inside the measured delays"):
        chirp.correct(make_ta(), true_t0() * 1000)  # fs passed as ps


def test_subtract_background():
    ta = make_ta(sigma=1e-4, offset=3e-3)
    out = chirp.subtract_background(ta, before=-1.2)
    pre = out["dA"].sel(delay=slice(None, -1.2))
    assert np.abs(pre.mean("delay")).max() < 1e-12
    late = out["dA"].isel(delay=-1) - (ta["dA"].isel(delay=-1) - 3e-3 * (1 + WL / 700))
    assert np.abs(late).max() < 2e-4  # within the noise of the 10-point mean
    assert "background" in out.attrs["qd_history"]
    with pytest.raises(DatasetError, match="at least 2"):
        chirp.subtract_background(ta, before=-5.0)


@pytest.mark.slow
def test_real_chirped_measurement_is_made_self_consistent(shared_data):
    """skultrafast's chirped test data: after correction the re-estimated chirp is flat."""
    with warnings.catch_warnings():  # saved under Python 2: numpy warns about the header
        warnings.simplefilter("ignore", UserWarning)
        raw = dict(
            np.load(shared_data / "skultrafast_test.npz", allow_pickle=False, encoding="latin1")
        )
    t = raw["t"] * 1000 - 2  # ns → ps, as skultrafast does
    sel = (t > -2) & (t < 10)
    ds = xr.Dataset(
        {"dA": (("delay", "wavelength"), raw["data"][sel][:, ::4] / 3.0, {"units": "mOD"})},
        coords={
            "delay": ("delay", t[sel], {"units": "ps"}),
            "wavelength": ("wavelength", raw["wl"][::4], {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )
    est = chirp.estimate(ds, order=2)
    span = float(est.max() - est.min())
    assert 0.1 < span < 3.0  # visibly chirped across 480–710 nm, by less than 3 ps
    again = chirp.estimate(chirp.correct(ds, est), order=2)
    assert float(np.abs(again).max()) < 0.15 * span  # 0.23 of 2.35 ps seen


def test_estimate_recovers_the_simulators_chirp_within_50_fs_rms():
    """simulate.ta: slow (0.5 ps cooling) rises at the band edge, instant shell bleach."""
    from qdwidgets.data import simulate

    ds, truth = simulate.ta(seed=3)
    est = chirp.estimate(ds)
    err = est.values - truth.t0(ds["wavelength"].values)
    assert np.sqrt(np.mean(err**2)) < 0.05
    assert est.attrs["irf_sigma_ps"] == pytest.approx(truth.irf_fwhm / 2.3548, rel=0.25)
    # the half-rise alone is biased by the slow rise: the fit is what makes the difference
    rough = chirp.estimate(ds, method="half-rise")
    assert np.sqrt(np.mean((rough.values - truth.t0(ds["wavelength"].values)) ** 2)) > 0.1


@pytest.mark.parametrize("method", ["fit", "half-rise"])
def test_corrected_dataset_survives_a_netcdf_round_trip(tmp_path, method):
    import qdwidgets

    ta = make_ta(sigma=2e-4, seed=4)
    corrected = chirp.correct(ta, chirp.estimate(ta, method=method))
    qdwidgets.save(corrected, tmp_path / "c.nc")
    back = qdwidgets.open_dataset(tmp_path / "c.nc")
    assert back["chirp"].attrs["method"] == method and int(back.attrs[chirp.CORRECTED]) == 1
    np.testing.assert_allclose(back["chirp"].values, corrected["chirp"].values, rtol=1e-6)
    np.testing.assert_allclose(chirp.uncorrect(back)["delay"].values, ta["delay"].values)


@pytest.mark.parametrize("shift", [3.0, -3.0])
def test_estimate_moves_with_the_delay_axis(shift):
    """Relabelling t → t + c moves the estimate by exactly c (no fixed 'before −0.2 ps')."""
    ta = make_ta(sigma=3e-4, seed=5)
    est = chirp.estimate(ta)
    moved = ta.assign_coords(delay=ta["delay"] + shift)
    moved["delay"].attrs["units"] = "ps"
    est2 = chirp.estimate(moved)
    np.testing.assert_allclose(est2.values - est.values, shift, atol=1e-3)


def test_default_estimate_is_unbiased_on_noise_free_chirp():
    """A 20 fs-scale chirp on noise-free data: the default fit recovers it within 2 fs."""
    ta = make_ta(sigma=0.0)
    est = chirp.estimate(ta)
    strong = np.abs(ta["dA"].values[0, -50, :]) > 0.002
    assert np.max(np.abs(est.values[strong] - true_t0()[strong])) < 0.002
