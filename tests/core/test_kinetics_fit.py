"""Single-trace kinetics fits against analytic truth: recovery, honest errors, degenerate input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core.kinetics import (
    KineticsFit,
    KineticsSeries,
    evaluate,
    fit_kinetics,
    fit_trace,
)
from qdwidgets.core.kinetics import model as M
from qdwidgets.errors import FitError

# lifetimes a factor >= 5 apart (ps), amplitudes (OD), offset, IRF FWHM and t0 (ps)
TRUTH = {
    "taus": (2.0, 20.0, 300.0),
    "amplitudes": (-3e-3, -2e-3, -1.5e-3),
    "offset": -1e-3,
    "irf_fwhm": 0.3,
    "t0": 0.2,
}
DELAYS = np.concatenate([np.linspace(-2, 10, 120), np.geomspace(10.2, 3000, 280)])


def trace(snr: float | None, seed: int = 0, truth: dict | None = None) -> xr.DataArray:
    truth = truth or TRUTH
    y = evaluate(DELAYS, **truth)
    if snr is not None:
        rng = np.random.default_rng(seed)
        y = y + rng.normal(0, np.max(np.abs(y)) / snr, y.size)
    return xr.DataArray(y, dims="delay", coords={"delay": DELAYS})


# -- the model ---------------------------------------------------------------------------------


def test_model_matches_numerical_convolution() -> None:
    t = np.linspace(-3, 15, 3601)
    sigma, t0, tau = 0.5, 1.0, 2.5
    dt = t[1] - t[0]
    grid = np.arange(-10, 40, dt)
    g = np.exp(-0.5 * (grid / sigma) ** 2) / (np.sqrt(2 * np.pi) * sigma)
    f = np.where(grid >= 0, np.exp(-grid / tau), 0.0)
    conv = np.convolve(f, g, mode="full") * dt
    x_conv = 2 * grid[0] + np.arange(conv.size) * dt
    numeric = np.interp(t - t0, x_conv, conv)
    analytic = M.decay(t - t0, np.array(tau), np.array(sigma))
    assert np.max(np.abs(analytic - numeric)) < 2e-3  # rectangle-rule error of the numerics


def test_model_is_finite_far_from_time_zero() -> None:
    u = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    for tau in (1e-3, 1.0, 1e6):
        for sigma in (1e-6, 0.05, 10.0):
            v = M.decay(u, np.array(tau), np.array(sigma))
            assert np.all(np.isfinite(v)) and np.all(v >= 0) and np.all(v <= 1 + 1e-12)
    # sigma -> 0 is the plain exponential
    v = M.decay(np.array([1.0, 2.0]), np.array(2.0), np.array(1e-12))
    assert np.allclose(v, np.exp(-np.array([1.0, 2.0]) / 2.0), rtol=1e-12)


@pytest.mark.parametrize("offset", [True, False])
def test_analytic_derivatives(offset: bool) -> None:
    t = np.linspace(-2, 20, 80)
    taus, sigma, t0, h = np.array([1.3, 7.0]), 0.4, 0.3, 1e-6
    phi, d_tau, d_sig, d_t0 = M.basis(t, taus, sigma, np.array(t0), offset, derivatives=True)
    for k in range(2):
        step = np.zeros(2)
        step[k] = h
        (p2,) = M.basis(t, taus + step, sigma, np.array(t0), offset)
        assert np.allclose((p2 - phi)[:, k] / h, d_tau[:, k], atol=1e-5)
    (p2,) = M.basis(t, taus, sigma + h, np.array(t0), offset)
    assert np.allclose((p2 - phi) / h, d_sig, atol=1e-5)
    (p2,) = M.basis(t, taus, sigma, np.array(t0 + h), offset)
    assert np.allclose((p2 - phi) / h, d_t0, atol=1e-5)


# -- truth recovery ----------------------------------------------------------------------------


def test_snr_1000_recovers_lifetimes_and_amplitudes_within_2_percent() -> None:
    fit = fit_trace(trace(1000, seed=3), offset=True)  # automatic start values
    assert isinstance(fit, KineticsFit)
    assert np.allclose(fit.taus, TRUTH["taus"], rtol=0.02)
    assert np.allclose(fit.amplitudes, TRUTH["amplitudes"], rtol=0.02)
    assert fit.offset == pytest.approx(TRUTH["offset"], rel=0.02)
    assert fit.irf_fwhm == pytest.approx(TRUTH["irf_fwhm"], rel=0.05)
    assert fit.t0 == pytest.approx(TRUTH["t0"], abs=0.01)
    assert list(fit.taus) == sorted(fit.taus)
    noise = np.max(np.abs(evaluate(DELAYS, **TRUTH))) / 1000
    assert math.sqrt(fit.redchi) == pytest.approx(noise, rel=0.15)


def test_noiseless_trace_is_recovered_exactly() -> None:
    fit = fit_trace(trace(None), offset=True)
    assert np.allclose(fit.taus, TRUTH["taus"], rtol=1e-5)
    assert np.allclose(fit.amplitudes, TRUTH["amplitudes"], rtol=1e-5)


def test_snr_100_errors_are_honest() -> None:
    """Truth within 2σ in >= 90 % of 40 noisy draws, for every lifetime and amplitude."""
    n_draws = 40
    hits = {f"tau{i}": 0 for i in range(3)} | {f"A{i}": 0 for i in range(3)} | {"offset": 0}
    for seed in range(n_draws):
        fit = fit_trace(trace(100, seed=100 + seed), offset=True)
        for i in range(3):
            hits[f"tau{i}"] += abs(fit.taus[i] - TRUTH["taus"][i]) <= 2 * fit.taus_stderr[i]
            a_err = fit.amplitudes_stderr[i]
            hits[f"A{i}"] += abs(fit.amplitudes[i] - TRUTH["amplitudes"][i]) <= 2 * a_err
        hits["offset"] += abs(fit.offset - TRUTH["offset"]) <= 2 * fit.stderr["offset"]
    coverage = {k: v / n_draws for k, v in hits.items()}
    assert min(coverage.values()) >= 0.9, coverage


def test_stderr_matches_scatter_of_repeated_fits() -> None:
    fits = [fit_trace(trace(100, seed=500 + s), offset=True) for s in range(30)]
    taus = np.array([f.taus for f in fits])
    reported = np.median([f.taus_stderr for f in fits], axis=0)
    ratio = np.std(taus, axis=0, ddof=1) / reported
    assert np.all((ratio > 0.6) & (ratio < 1.6)), ratio


def test_fixed_irf_t0_locks_and_no_offset() -> None:
    truth = {**TRUTH, "offset": 0.0}
    fit = fit_trace(trace(1000, seed=1, truth=truth), irf_fwhm=0.3, t0=0.2, offset=False)
    assert fit.irf_fwhm == 0.3 and fit.t0 == 0.2
    assert math.isnan(fit.stderr["irf_fwhm"]) and math.isnan(fit.stderr["t0"])
    assert fit.offset == 0.0
    assert np.allclose(fit.taus, truth["taus"], rtol=0.02)
    locked = fit_trace(trace(1000, seed=1), offset=True, initial={"tau2": 25.0}, fixed=["tau2"])
    assert 25.0 in locked.taus
    assert math.isnan(locked.taus_stderr[locked.taus.index(25.0)])


def test_bootstrap_intervals_cover_the_estimate() -> None:
    fit = fit_trace(trace(300, seed=7), offset=True, ci="bootstrap", n_boot=60, seed=1)
    for i, tau in enumerate(fit.taus):
        lo, hi = fit.ci[f"tau{i + 1}"]
        assert lo < tau < hi
        assert lo < TRUTH["taus"][i] < hi or abs(tau - TRUTH["taus"][i]) > 2 * fit.taus_stderr[i]
    assert set(fit.ci) >= {"tau1", "A1", "irf_fwhm", "t0", "offset"}


def test_lmfit_result_agrees() -> None:
    fit = fit_trace(trace(1000, seed=3), offset=True)
    lm = fit.to_lmfit()
    assert lm is not None and lm.success
    taus = sorted(lm.params[f"tau{i + 1}"].value for i in range(3))
    assert np.allclose(taus, fit.taus, rtol=1e-3)
    assert "tau1" in lm.params and lm.params["tau1"].min > 0


# -- results -----------------------------------------------------------------------------------


def test_fractions_exclude_offset_and_table_layout() -> None:
    fit = fit_trace(trace(1000, seed=3), offset=True)
    assert sum(fit.fractions) == pytest.approx(100.0)
    expected = 100 * np.abs(fit.amplitudes) / np.sum(np.abs(fit.amplitudes))
    assert np.allclose(fit.fractions, expected)
    table = fit.table()
    assert list(table.index) == [
        "τ_1 (ps)", "τ_2 (ps)", "τ_3 (ps)", "A_0 (Offset)", "A_1", "A_2", "A_3",
    ]  # fmt: skip
    assert "%" in table.iloc[4, 0]


def test_round_trip() -> None:
    fit = fit_trace(trace(1000, seed=3), offset=True)
    again = KineticsFit.from_dict(fit.to_dict())
    assert again == fit
    assert again.fractions == fit.fractions


def test_best_fit_and_residual_are_dataarrays_with_units() -> None:
    tr = trace(1000, seed=3)
    fit = fit_trace(tr, offset=True)
    assert fit.best_fit.attrs["units"] == "OD" and fit.residual.attrs["units"] == "OD"
    assert np.allclose(fit.best_fit + fit.residual, tr)


# -- from a dataset ----------------------------------------------------------------------------


def two_pump_dataset() -> xr.Dataset:
    wl = np.array([630.0, 635.0, 639.0, 643.0, 648.0])
    t2 = {**TRUTH, "taus": (4.0, 40.0, 600.0), "amplitudes": (-1e-3, -4e-3, -2e-3)}
    rows = []
    for truth in (TRUTH, t2):
        y = evaluate(DELAYS, **truth)
        rows.append(np.outer(y, np.exp(-(((wl - 639) / 20) ** 2))))
    d = np.stack(rows)
    d += np.random.default_rng(0).normal(0, 5e-6, d.shape)
    return xr.Dataset(
        {"dA": (("pump", "delay", "wavelength"), d, {"units": "OD"})},
        coords={
            "pump": ("pump", [100.0, 300.0], {"units": "nJ"}),
            "occupancy": ("pump", [1.0, 3.0]),
            "delay": ("delay", DELAYS, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


def test_fit_kinetics_per_pump_and_accessor() -> None:
    ds = two_pump_dataset()
    before = ds.copy(deep=True)
    series = fit_kinetics(ds, wavelength=639.0, offset=True)
    assert isinstance(series, KineticsSeries) and len(series) == 2
    assert np.allclose(series[0].taus, TRUTH["taus"], rtol=0.02)
    assert np.allclose(series[1].taus, (4.0, 40.0, 600.0), rtol=0.02)
    assert series.labels == ("⟨N⟩ ≈ 1", "⟨N⟩ ≈ 3")
    table = series.table()
    assert list(table.columns) == ["⟨N⟩ ≈ 1", "⟨N⟩ ≈ 3"] and table.shape == (7, 2)
    assert KineticsSeries.from_dict(series.to_dict()) == series
    one = ds.qd.fit_kinetics(wavelength=639.0, offset=True, pump=300.0)
    assert isinstance(one, KineticsFit) and one.pump == 300.0
    banded = fit_kinetics(ds, wavelength=639.0, offset=True, band_nm=10.0, pump=100.0)
    assert isinstance(banded, KineticsFit)
    assert banded.wavelength == pytest.approx(np.mean([635.0, 639.0, 643.0]))
    assert ds.identical(before)


def test_fit_kinetics_wavelength_outside_data() -> None:
    with pytest.raises(FitError, match="outside the data"):
        fit_kinetics(two_pump_dataset(), wavelength=700.0)


# -- degenerate input --------------------------------------------------------------------------


def test_flat_trace() -> None:
    flat = xr.DataArray(np.full(50, 0.01), dims="delay", coords={"delay": np.arange(50.0)})
    with pytest.raises(FitError, match="flat"):
        fit_trace(flat)


def test_all_nan() -> None:
    nan = xr.DataArray(np.full(50, np.nan), dims="delay", coords={"delay": np.arange(50.0)})
    with pytest.raises(FitError, match="all NaN"):
        fit_trace(nan)


def test_fewer_points_than_parameters() -> None:
    short = xr.DataArray([0.0, -1.0, -0.5, -0.2], dims="delay", coords={"delay": [0.0, 1, 2, 3]})
    with pytest.raises(FitError, match="parameters"):
        fit_trace(short)


def test_bad_arguments() -> None:
    tr = trace(1000)
    with pytest.raises(FitError, match="n_components"):
        fit_trace(tr, n_components=0)
    with pytest.raises(FitError, match="irf_fwhm"):
        fit_trace(tr, irf_fwhm="auto")
    with pytest.raises(FitError, match="unknown parameter"):
        fit_trace(tr, initial={"tau9": 1.0})
    with pytest.raises(FitError, match="1-D"):
        fit_trace(xr.DataArray(np.zeros((3, 3)), dims=("delay", "wavelength")))
    with pytest.raises(FitError, match="ci"):
        fit_trace(tr, ci="profile")


def test_some_nan_points_are_skipped() -> None:
    tr = trace(1000, seed=3).copy()
    tr[[5, 200]] = np.nan
    fit = fit_trace(tr, offset=True)
    assert np.isnan(fit.best_fit[5]) and np.allclose(fit.taus, TRUTH["taus"], rtol=0.02)


def test_initial_guess_and_delay_range() -> None:
    from qdwidgets.core.kinetics import initial_guess

    guess = initial_guess(trace(1000, seed=3), 3, offset=True)
    assert guess["taus"] == sorted(guess["taus"])
    assert np.allclose(guess["taus"], TRUTH["taus"], rtol=0.6)  # a grid point near each τ
    model = evaluate(DELAYS, guess["taus"], guess["amplitudes"], offset=guess["offset"],
                     irf_fwhm=guess["irf_fwhm"], t0=guess["t0"])  # fmt: skip
    y = trace(1000, seed=3).values
    assert np.sqrt(np.mean((model - y) ** 2)) < 0.2 * np.abs(y).max()
    ds = two_pump_dataset()
    late = fit_kinetics(ds, wavelength=639.0, offset=True, pump=100.0, delay_range=(1.0, None),
                        irf_fwhm=0, t0=TRUTH["t0"])  # fmt: skip
    assert late.best_fit.delay.min() >= 1.0
    assert np.allclose(late.taus, TRUTH["taus"], rtol=0.03)


def test_single_start_agrees_with_multi_start_on_an_easy_trace() -> None:
    tr = trace(1000, seed=3)
    one, many = fit_trace(tr, starts=1, offset=True), fit_trace(tr, offset=True)
    assert np.allclose(one.taus, many.taus, rtol=1e-4)
