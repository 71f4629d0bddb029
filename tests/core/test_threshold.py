"""ASE threshold core: two-window fits, intervals, breakpoint test, criteria, conversions.

Truth comes from curves built here: a hinge (sharp knee) or a softplus (rounded knee of softness
``knee`` mW) whose asymptotes cross exactly at the threshold, plus Gaussian noise of 0.5 % of the
curve's maximum. Windows sit 4·knee + 10 mW clear of the threshold.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import event, given
from hypothesis import strategies as st

from qdwidgets._args import ArgumentError
from qdwidgets.core.threshold import (
    ThresholdCriteria,
    ThresholdFit,
    criteria,
    enhancement,
    find_threshold,
    fit_lines,
    fit_threshold,
    intensity,
    linewidth,
    peak_output,
    spectral_snr,
)
from qdwidgets.errors import DatasetError, FitError

POWERS = np.arange(10.0, 501.0, 10.0)  # mW


def knee_curve(p, threshold, knee, rng=None, *, base=5.0, s0=0.02, s1=1.0, noise=0.005):
    """Below: base + s0·P; above: slope s0 + s1. Asymptotes cross exactly at ``threshold``."""
    if knee == 0:
        y = s1 * np.maximum(p - threshold, 0.0)
    else:
        y = s1 * knee * np.logaddexp(0.0, (p - threshold) / knee)
    y = y + base + s0 * p
    if rng is not None:
        y = y + rng.normal(0.0, noise * y.max(), p.size)
    return y


# -- conversions --------------------------------------------------------------------------------


def test_intensity_exact_paper_values():
    # 150 mW = 0.15 W on a 1 mm top hat: area π (0.05 cm)²
    assert intensity(150, 1.0) == pytest.approx(0.15 / (math.pi * 0.05**2), rel=1e-14)
    assert round(intensity(150, 1.0), 1) == 19.1
    assert round(intensity(250, 1.0), 1) == 31.8
    assert intensity(250, 1.0, "gaussian") == pytest.approx(2 * intensity(250, 1.0), rel=1e-14)
    arr = intensity(np.array([150.0, 250.0]), 2.0)
    np.testing.assert_allclose(arr, [19.0985931710 / 4, 31.8309886184 / 4], rtol=1e-10)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), "wide"])
def test_intensity_rejects_bad_spot(bad):
    with pytest.raises(DatasetError, match="spot diameter"):
        intensity(100, bad)


def test_intensity_rejects_unknown_profile():
    with pytest.raises(ArgumentError, match=r"profile must be one of \['tophat', 'gaussian'\]"):
        intensity(100, 1.0, "donut")


# -- two-window fits: truth, accuracy, coverage -------------------------------------------------


def test_noiseless_hinge_is_exact():
    y = knee_curve(POWERS, 150.0, 0)
    fit = fit_lines(POWERS, y, below=(10, 140), above=(160, 500), spot_diameter_mm=1.0)
    assert fit.threshold_mW == pytest.approx(150.0, abs=1e-9)
    assert fit.threshold_W_cm2 == pytest.approx(intensity(150.0, 1.0), abs=1e-9)
    assert fit.below_line.slope == pytest.approx(0.02, abs=1e-12)
    assert fit.above_line.slope == pytest.approx(1.02, abs=1e-12)
    assert fit.slope_ratio == pytest.approx(51.0, rel=1e-9)
    assert fit.ci_mW[0] == pytest.approx(150.0, abs=1e-6)
    assert fit.ci_mW[1] == pytest.approx(150.0, abs=1e-6)
    assert fit.beam_profile == "tophat"
    assert fit.converged


@pytest.mark.parametrize(
    ("threshold", "knee"), [(150.0, 0.0), (250.0, 0.0), (150.0, 5.0), (250.0, 25.0)]
)
@pytest.mark.parametrize("ci", ["bootstrap", "delta"])
def test_accuracy_and_coverage_over_100_draws(threshold, knee, ci):
    margin = 4 * knee + 10
    within = covered = 0
    for seed in range(100):
        y = knee_curve(POWERS, threshold, knee, np.random.default_rng(seed))
        fit = fit_lines(
            POWERS,
            y,
            below=(10, threshold - margin),
            above=(threshold + margin, 500),
            ci=ci,
            seed=seed,
        )
        within += abs(fit.threshold_mW / threshold - 1) <= 0.03
        covered += fit.ci_mW[0] <= threshold <= fit.ci_mW[1]
    assert within >= 90
    assert covered >= 90
    # not vacuous: the intervals are finite and narrower than the gap between the windows
    assert math.isfinite(fit.ci_mW[0]) and fit.ci_mW[1] - fit.ci_mW[0] < 2 * margin


def test_percentile_interval_and_seed_reproducibility():
    y = knee_curve(POWERS, 150.0, 0, np.random.default_rng(3))
    kw = {"below": (10, 140), "above": (160, 500)}
    a = fit_lines(POWERS, y, ci="percentile", seed=1, **kw)
    b = fit_lines(POWERS, y, ci="percentile", seed=1, **kw)
    c = fit_lines(POWERS, y, ci="percentile", seed=2, **kw)
    assert a == b
    assert a.ci != c.ci
    assert set(a.ci) == {"threshold_mW", "threshold_W_cm2"} and a.ci_method == "percentile"
    assert a.ci_mW[0] < a.threshold_mW < a.ci_mW[1]


def test_input_order_and_inputs_untouched():
    y = knee_curve(POWERS, 150.0, 0, np.random.default_rng(0))
    p_rev, y_rev = POWERS[::-1].copy(), y[::-1].copy()
    keep = y_rev.copy()
    f1 = fit_lines(POWERS, y, below=(10, 140), above=(160, 500))
    f2 = fit_lines(p_rev, y_rev, below=(10, 140), above=(160, 500))
    assert f2.threshold_mW == pytest.approx(f1.threshold_mW, rel=1e-12)
    np.testing.assert_array_equal(y_rev, keep)


# -- bad windows ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("below", "above", "match"),
    [
        ((10, 200), (150, 500), "overlap"),
        ((10, 150), (150, 500), "share the point at 150"),
        ((160, 500), (10, 140), "swap"),
        ((10, 25), (160, 500), "holds 2 point"),
        ((10, 140), (495, 500), "holds 1 point"),
        ((100, 50), (160, 500), "lo < hi"),
        ("low", (160, 500), r"expected \(lo, hi\)"),
    ],
)
def test_bad_windows_raise_clear_errors(below, above, match):
    y = knee_curve(POWERS, 150.0, 0, np.random.default_rng(0))
    with pytest.raises(FitError, match=match):
        fit_lines(POWERS, y, below=below, above=above)


def test_parallel_lines_raise():
    y = 3.0 + 0.5 * POWERS + np.tile([1.0, -1.0], POWERS.size // 2)  # same slope, with scatter
    with pytest.raises(FitError, match="parallel within their uncertainty"):
        fit_lines(POWERS, y, below=(10, 200), above=(250, 500))
    with pytest.raises(FitError, match="parallel"):
        fit_lines(POWERS, 2 * POWERS, below=(10, 200), above=(250, 500))


def test_bad_arrays_raise():
    with pytest.raises(FitError, match="same length"):
        fit_lines(POWERS, POWERS[:-1], below=(10, 100), above=(200, 500))
    y = knee_curve(POWERS, 150.0, 0)
    y[4] = np.nan
    with pytest.raises(FitError, match="NaN"):
        fit_lines(POWERS, y, below=(10, 100), above=(200, 500))


# -- breakpoint search and test -------------------------------------------------------------------


@pytest.mark.parametrize(("threshold", "knee"), [(150.0, 0.0), (250.0, 0.0), (250.0, 10.0)])
def test_find_threshold_finds_known_knees(threshold, knee):
    hits = 0
    for seed in range(20):
        fit = find_threshold(
            POWERS, knee_curve(POWERS, threshold, knee, np.random.default_rng(seed))
        )
        assert fit.converged, fit.message
        assert fit.p_value < 0.05
        hits += abs(fit.threshold_mW / threshold - 1) <= 0.03
    assert hits >= 18


def test_find_threshold_says_when_there_is_no_breakpoint():
    found = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        y = 3.0 + 0.5 * POWERS + rng.normal(0, 0.005 * 253, POWERS.size)
        fit = find_threshold(POWERS, y, n_sim=400)
        if not fit.converged:
            assert math.isnan(fit.threshold_mW)
            assert fit.message.startswith(("no breakpoint", "no threshold")), fit.message
            assert fit.below_line is None
        found += fit.converged
    assert found <= 10  # a 5 % test: about 5 false alarms in 100, never most of them


def test_find_threshold_smooth_curve_has_no_distinct_breakpoint():
    rng = np.random.default_rng(0)
    y = 1.0 + 0.002 * POWERS**2 + rng.normal(0, 0.002, POWERS.size)
    fit = find_threshold(POWERS, y)
    assert not fit.converged
    assert "parabola" in fit.message


def test_find_threshold_needs_six_points():
    with pytest.raises(FitError, match="at least 6"):
        find_threshold([1, 2, 3, 4, 5], [1, 2, 3, 9, 15])


# -- results ------------------------------------------------------------------------------------


def test_threshold_fit_round_trip_through_json():
    y = knee_curve(POWERS, 150.0, 0, np.random.default_rng(0))
    fit = fit_lines(
        POWERS, y, below=(10, 140), above=(160, 500), spot_diameter_mm=1.0, beam_profile="gaussian"
    )
    back = ThresholdFit.from_dict(json.loads(json.dumps(fit.to_dict())))
    assert back == fit
    assert back.below_line(150.0) == pytest.approx(fit.below_line(150.0))
    assert "W cm⁻²" in fit.summary() and "gaussian" in fit.summary()
    assert "threshold_mW" in fit._repr_html_()
    none = find_threshold(POWERS, 2.0 * POWERS + 1.0 + np.random.default_rng(1).normal(0, 1, 50))
    assert ThresholdFit.from_dict(json.loads(json.dumps(none.to_dict()))) == none


# -- datasets -----------------------------------------------------------------------------------


def ase_dataset(*, lamp=150.0, mirror=250.0, sigma_nm=10.0, seed=None, spot=1.0):
    """Gaussian spectra at 654 nm; peak heights: none = 0.05·P, feedback adds a knee curve."""
    wl = np.arange(600.0, 710.1, 1.0)
    fb = ["none", "lamp", "mirror"]
    rng = np.random.default_rng(seed) if seed is not None else None
    heights = np.stack(
        [
            0.05 * POWERS,
            0.05 * POWERS + knee_curve(POWERS, lamp, 0, rng, base=2.0, s0=0.0, s1=0.02),
            0.05 * POWERS + knee_curve(POWERS, mirror, 0, rng, base=1.0, s0=0.0, s1=0.2),
        ]
    )
    # the feedback spectra narrow above threshold (sigma falls by up to 40 %)
    thr = np.array([np.inf, lamp, mirror])[:, None]
    sig = sigma_nm * (1 - 0.4 * np.clip((POWERS[None, :] - thr) / 250.0, 0, 1))
    spectra = heights[..., None] * np.exp(-0.5 * ((wl - 654.0) / sig[..., None]) ** 2)
    ds = xr.Dataset(
        {"emission": (("feedback", "power", "wavelength"), spectra, {"units": "nW"})},
        coords={
            "feedback": fb,
            "power": ("power", POWERS, {"units": "mW"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ase", "spot_diameter_mm": spot, "beam_profile": "tophat"},
    )
    return ds, heights, sig


def test_peak_output_enhancement_linewidth_match_construction():
    ds, heights, sig = ase_dataset()
    po = peak_output(ds)
    assert po.dims == ("feedback", "power") and po.attrs["units"] == "nW"
    np.testing.assert_allclose(po.values, heights, rtol=1e-12)
    integ = peak_output(ds, method="integrated")
    np.testing.assert_allclose(integ.values, heights * sig * math.sqrt(2 * math.pi), rtol=1e-4)
    assert integ.attrs["units"] == "nW nm"
    enh = enhancement(ds, "mirror")
    np.testing.assert_allclose(enh.values, heights[2] - heights[0], rtol=1e-12, atol=1e-12)
    assert enh.dims == ("power",) and "mirror" in enh.attrs["long_name"]
    fw = linewidth(ds)
    assert fw.attrs["units"] == "nm"
    np.testing.assert_allclose(fw.values, 2 * math.sqrt(2 * math.log(2)) * sig, rtol=2e-3)
    np.testing.assert_allclose(peak_output(ds, method="at_peak").values, heights, rtol=1e-12)
    with pytest.raises(ArgumentError, match=r"method must be one of .*at_peak"):
        peak_output(ds, method="mean")
    narrow = peak_output(ds, wavelength_range=(640, 660))
    np.testing.assert_allclose(narrow.values, heights, rtol=1e-12)


def test_dataset_errors():
    ds, *_ = ase_dataset()
    with pytest.raises(DatasetError, match="not a feedback condition"):
        enhancement(ds, "laser")
    with pytest.raises(DatasetError, match="'none'"):
        enhancement(ds.sel(feedback=["lamp", "mirror"]), "lamp")
    with pytest.raises(DatasetError, match="wavelength_range"):
        peak_output(ds, wavelength_range=(800, 900))
    with pytest.raises(FitError, match="both windows"):
        fit_threshold(ds, below=(10, 100))


def test_fit_threshold_and_accessor_use_attrs_and_leave_input_alone():
    ds, *_ = ase_dataset(seed=0)
    before = ds.copy(deep=True)
    for feedback, truth in [("lamp", 150.0), ("mirror", 250.0)]:
        fit = ds.qd.fit_threshold(
            feedback=feedback, below=(10, truth - 20), above=(truth + 20, 500)
        )
        assert fit.threshold_mW == pytest.approx(truth, rel=0.03)
        assert fit.threshold_W_cm2 == pytest.approx(intensity(fit.threshold_mW, 1.0), rel=1e-12)
        auto = fit_threshold(ds, feedback=feedback)
        assert auto.converged and auto.threshold_mW == pytest.approx(truth, rel=0.03)
    g = fit_threshold(
        ds,
        feedback="lamp",
        below=(10, 130),
        above=(170, 500),
        beam_profile="gaussian",
        spot_diameter_mm=2.0,
    )
    assert g.beam_profile == "gaussian" and g.spot_diameter_mm == 2.0
    assert g.threshold_W_cm2 == pytest.approx(intensity(g.threshold_mW, 2.0, "gaussian"))
    xr.testing.assert_identical(ds, before)


def test_criteria_side_by_side():
    ds, *_ = ase_dataset(seed=1)
    crit = criteria(ds, "mirror")
    names = [c.name for c in crit.criteria]
    assert names == ["two-line intersection", "linewidth narrowing onset", "log-log slope change"]
    two, narrow, loglog = crit.criteria
    assert two.converged and two.threshold_mW == pytest.approx(250.0, rel=0.03)
    # the spectra narrow from 250 mW on (by construction): the onset is found there
    assert narrow.converged and narrow.threshold_mW == pytest.approx(250.0, rel=0.05)
    # output with feedback = 0.05 P + knee: in log-log the slope steepens near the threshold
    assert loglog.converged and 150.0 < loglog.threshold_mW < 350.0
    assert loglog.ci_mW[0] < loglog.threshold_mW < loglog.ci_mW[1]
    frame = crit.to_frame()
    assert list(frame.index) == names
    assert frame.loc["two-line intersection", "threshold_W_cm2"] == pytest.approx(
        intensity(two.threshold_mW, 1.0)
    )
    back = ThresholdCriteria.from_dict(json.loads(json.dumps(crit.to_dict())))
    assert back == crit
    assert "<table" in crit._repr_html_()


def test_criteria_reports_missing_narrowing():
    ds, *_ = ase_dataset(seed=2)
    flat = ds.copy(deep=True)
    # same heights, no narrowing: rebuild the lamp spectra with constant width
    wl = ds["wavelength"].values
    h = ds["emission"].max("wavelength").values
    flat["emission"].values[:] = h[..., None] * np.exp(-0.5 * ((wl - 654.0) / 10.0) ** 2)
    crit = criteria(flat, "lamp")
    narrow = crit.criteria[1]
    assert not narrow.converged
    assert math.isnan(narrow.threshold_mW)
    assert narrow.message


def test_spectral_snr_estimates_the_noise_and_criteria_leave_noisy_spectra_out():
    ds, heights, _ = ase_dataset()
    rng = np.random.default_rng(0)
    noisy = ds.copy(deep=True)
    noisy["emission"].values[:] += rng.normal(0, 0.05, ds["emission"].shape)
    snr = spectral_snr(noisy)
    assert snr.dims == ("feedback", "power")
    # truth: height / 0.05. One spectrum of 111 points estimates its noise to ~10 %, so: the
    # median ratio within 10 %, every spectrum within 40 % (the smooth peak is not noise)
    ratio = snr.values / (heights / 0.05)
    assert abs(np.median(ratio) - 1) < 0.1
    assert np.all(np.abs(ratio - 1) < 0.4)
    crit = criteria(noisy, "mirror", min_snr=50.0)
    n_low = int((snr.sel(feedback="mirror").values < 50).sum())
    assert n_low > 0
    assert crit.criteria[1].message.startswith(f"{n_low} spectra with peak < 50× noise left out")
    assert crit.criteria[2].message.startswith("fitted on ln(power) vs ln(output)")


# -- the project's ASE simulator (qdwidgets.data.simulate.ase) ------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("feedback", "threshold"), [("lamp", 150.0), ("mirror", 250.0)])
@pytest.mark.parametrize("knee", [0.0, 10.0])
def test_simulated_datasets_give_known_thresholds(feedback, threshold, knee):
    """100 simulated datasets per case; the enhancement's noise is 0.5 % of its maximum."""
    from qdwidgets.data.simulate import ase

    kw = {
        "knee_mW": knee,
        "wavelength": np.arange(610.0, 700.1, 2.0),
        "thresholds_mW": {feedback: threshold},
    }
    clean, truth = ase(noise=0.0, **kw)
    assert truth.thresholds_mW[feedback] == threshold
    # the simulator's noise is relative to each condition's maximum; the enhancement is a
    # difference of two noisy curves: choose the level that makes its noise 0.5 % of its max
    out = peak_output(clean)
    rel = (
        0.005
        * float(enhancement(clean, feedback).max())
        / float(np.hypot(out.sel(feedback=feedback).max(), out.sel(feedback="none").max()))
    )
    margin = max(20.0, 5 * knee)  # softplus is within 0.007·knee of its asymptotes there
    within = covered = 0
    for seed in range(100):
        ds, _ = ase(noise=rel, seed=seed, **kw)
        fit = fit_threshold(
            ds, feedback=feedback, below=(10, threshold - margin), above=(threshold + margin, 500)
        )
        within += abs(fit.threshold_mW / threshold - 1) <= 0.03
        covered += fit.ci_mW[0] <= threshold <= fit.ci_mW[1]
        assert fit.threshold_W_cm2 == pytest.approx(intensity(fit.threshold_mW, 1.0))
    assert within >= 90
    assert covered >= 90


# -- properties -----------------------------------------------------------------------------------


@given(
    threshold=st.floats(80.0, 400.0),
    below_slope=st.floats(-2.0, 2.0),
    change=st.floats(0.05, 5.0) | st.floats(-5.0, -0.05),
    base=st.floats(-100.0, 100.0),
    scale=st.floats(0.01, 100.0) | st.floats(-100.0, -0.01),
    offset=st.floats(-1e3, 1e3),
    seed=st.integers(0, 2**16),
)
def test_threshold_is_exact_on_noiseless_hinges_and_equivariant_under_affine_signals(
    threshold, below_slope, change, base, scale, offset, seed
):
    p = np.arange(0.0, 501.0, 10.0)
    y = base + below_slope * p + change * np.maximum(p - threshold, 0.0)
    windows = {"below": (0.0, threshold - 25.0), "above": (threshold + 25.0, 500.0)}
    exact = fit_lines(p, y, ci="delta", **windows)
    assert exact.threshold_mW == pytest.approx(threshold, rel=1e-7, abs=1e-7)
    noisy = y + np.random.default_rng(seed).normal(0, 0.005 * np.ptp(y), p.size)
    try:
        a = fit_lines(p, noisy, seed=seed, **windows)
    except FitError as exc:  # a small slope change can drown in the noise: then say so
        assert "parallel" in str(exc)
        event("slope change lost in the noise")
        return
    b = fit_lines(p, scale * noisy + offset, seed=seed, **windows)
    assert b.threshold_mW == pytest.approx(a.threshold_mW, rel=1e-9, abs=1e-9)
    assert b.ci_mW == pytest.approx(a.ci_mW, rel=1e-6, abs=1e-6)


def test_three_point_windows_fall_back_to_the_delta_interval_and_still_cover():
    p = np.arange(10.0, 501.0, 40.0)  # 10, 50, 90, ...: 3 points per window below
    covered = 0
    for seed in range(100):
        y = knee_curve(p, 150.0, 0, np.random.default_rng(seed))
        fit = fit_lines(p, y, below=(10, 90), above=(210, 290), seed=seed)
        assert fit.ci_method == "delta"
        assert any("below window holds only 3 points" in w for w in fit.warnings), fit.warnings
        assert math.isfinite(fit.ci_mW[0]) and math.isfinite(fit.ci_mW[1])
        covered += fit.ci_mW[0] <= 150.0 <= fit.ci_mW[1]
    assert covered >= 90


def test_narrowing_onset_is_not_the_end_of_a_rise():
    """With a lamp the FWHM first rises (its 18 nm line drowns in the broad PL), then plateaus:
    the bend at the end of the rise is no narrowing. The search starts at the widest line."""
    import qdwidgets

    ase = qdwidgets.examples.ase()
    fw = linewidth(ase).sel(feedback="lamp")
    lamp = criteria(ase, "lamp").criteria[1]
    widest = float(fw["power"].values[int(np.nanargmax(fw.values))])
    assert not lamp.converged or lamp.threshold_mW >= widest, lamp
    assert "searched from the widest line" in lamp.message
    mirror = criteria(ase, "mirror").criteria[1]
    assert mirror.converged and 180.0 < mirror.threshold_mW < 300.0, mirror


def test_fit_keeps_the_curve_it_fitted_and_draws_it():
    import matplotlib

    matplotlib.use("Agg")
    x = np.linspace(0.0, 300.0, 31)
    y = np.where(x < 150.0, 0.01 * x, 1.5 + 0.2 * (x - 150.0))
    fit = fit_lines(x, y, below=(0.0, 120.0), above=(180.0, 300.0))
    assert fit.power == tuple(x) and fit.signal == tuple(y)
    auto = find_threshold(x, y, n_sim=200)
    assert auto.power == tuple(x)
    assert type(fit).from_dict(fit.to_dict()) == fit
    ax = fit.plot().axes[0]
    (points,) = [line for line in ax.lines if line.get_gid() == "data"]
    np.testing.assert_array_equal(points.get_xdata(), x)
    np.testing.assert_array_equal(points.get_ydata(), y)
