"""fit_cascade and its model-light cross-checks on simulated fluence series with known truth.

The data come from ``qdwidgets.simulate.cascade``, which integrates the rate equations with
matrix exponentials and applies the IRF numerically — a code path independent of the closed
form inside ``fit_cascade``. ⟨N⟩ spans 0.15–3.5 over 8 levels at a peak signal-to-noise of 150.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import optimize

import qdwidgets
from qdwidgets.core import fluence
from qdwidgets.core.fluence import _model

# (σ per nJ, τ_XX ps, τ_X ps): each spread over an order of magnitude
SETS = [(0.01, 40.0, 1500.0), (0.05, 150.0, 5000.0), (0.005, 400.0, 12000.0)]
CASES = [(p, sc) for p in SETS for sc in fluence.SCALINGS]
WL = np.arange(621.0, 660.0, 3.0)


def _simulate(params: tuple[float, float, float], scaling: str, **kw: Any) -> Any:
    sig, txx, tx = params
    pump = np.geomspace(0.15, 3.5, 8) / sig
    return qdwidgets.simulate.cascade(
        pump=pump, cross_section=sig, tau_xx=txx, tau_x=tx, scaling=scaling, snr=150.0,
        wavelength=WL, seed=7, **kw,
    )  # fmt: skip


_DATA: dict[Any, Any] = {}


def _data(params: tuple[float, float, float], scaling: str) -> Any:
    key = (params, scaling)
    if key not in _DATA:
        _DATA[key] = _simulate(params, scaling)
    return _DATA[key]


def _ids(case: Any) -> str:
    (sig, txx, tx), sc = case
    return f"sigma{sig:g}-txx{txx:g}-tx{tx:g}-{sc}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_fit_cascade_recovers_the_truth(case: Any) -> None:
    params, scaling = case
    ds, truth = _data(params, scaling)
    before = ds.copy(deep=True)
    fit = fluence.fit_cascade(ds, scaling=scaling, occupancy="ignore")  # σ not given away
    assert ds.identical(before)  # the user's dataset is not touched
    assert fit.converged and fit.warnings == ()
    assert fit.scaling == scaling and fit.wavelength == pytest.approx(truth.band_edge_nm)
    assert fit.cross_section == pytest.approx(truth.cross_section, rel=0.05)
    np.testing.assert_allclose(fit.occupancy.values, truth.occupancy, rtol=0.05)
    assert fit.tau_xx == pytest.approx(truth.tau_xx, rel=0.07)
    assert fit.tau_x == pytest.approx(truth.tau_x, rel=0.25)
    assert fit.tau_cool == pytest.approx(truth.tau_cool, rel=0.25)
    # the error bars mean something: finite, positive, and the truth within 5 of them
    for name in ("cross_section", "tau_xx", "tau_x"):
        err = getattr(fit, f"{name}_stderr")
        assert 0 < err < np.inf
        assert abs(getattr(fit, name) - getattr(truth, name)) < 5 * err
    # the residual is at the noise level of the simulation
    assert np.std(fit.residual.values) == pytest.approx(truth.noise, rel=0.1)
    assert fit.best_fit.dims == ("pump", "delay") and fit.best_fit.attrs["units"] == "OD"
    assert fit.occupancy.attrs["units"] == "1" and "long_name" in fit.occupancy.attrs


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_cross_section_from_saturation_within_5_percent(case: Any) -> None:
    ds, truth = _data(*case)
    sat = fluence.cross_section_from_saturation(ds)
    assert sat.cross_section == pytest.approx(truth.cross_section, rel=0.05)
    lo, hi = sat.delay_range
    # the window starts after the biexcitons are gone (5 total lifetimes), chosen from data
    assert lo > 4.0 / (1.0 / truth.tau_xx + 2.0 / truth.tau_x) and hi > lo
    assert 0 < sat.cross_section_stderr < np.inf and sat.converged


def test_saturation_fixes_the_late_bleach_bias() -> None:
    """Plain 1 − e^{−σj} on the late bleach reads σ low by ~τ_XX/τ_X; the corrected one not."""
    from qdwidgets.core.occupancy import fit_cross_section

    ds, truth = _data(SETS[0], "statistical")  # τ_XX/τ_X = 1/37
    sat = fluence.cross_section_from_saturation(ds)
    lo, hi = sat.delay_range
    late = ds["dA"].sel(wavelength=truth.band_edge_nm, delay=slice(lo, hi)).mean("delay")
    plain = fit_cross_section(ds["pump"], late)
    assert abs(sat.cross_section / truth.cross_section - 1) < abs(
        plain.cross_section / truth.cross_section - 1
    )
    assert sat.clock_correction > 0


def test_closed_form_matches_the_rate_equations() -> None:
    """The fit's closed form and the simulator's matrix exponentials agree (noiseless)."""
    for scaling in fluence.SCALINGS:
        _, truth = qdwidgets.simulate.cascade(
            pump=(5.0, 50.0, 300.0), scaling=scaling, tau_xx=80.0, tau_cool=0.4, noise=0.0,
            delay=np.array([-1.0, 0.0, 0.2, 1.0, 5.0, 80.0, 900.0]), wavelength=WL,
        )  # fmt: skip
        t = np.array([-1.0, 0.0, 0.05, 0.2, 1.0, 5.0, 80.0, 900.0])
        closed = _model.signal(t, np.array(truth.occupancy), truth.tau_xx, truth.tau_x,
                               truth.tau_cool, truth.irf_fwhm, truth.t0, scaling)  # fmt: skip
        np.testing.assert_allclose(closed, truth.filling(t), atol=2e-5)


def test_the_scaling_is_told_apart() -> None:
    ds, _ = _data(SETS[1], "statistical")
    right = fluence.fit_cascade(ds, scaling="statistical")
    wrong = fluence.fit_cascade(ds, scaling="pairs")
    # Δχ² in units of the noise variance: far above what chance gives (a few)
    n = right.best_fit.size
    assert (wrong.redchi - right.redchi) / right.redchi * n > 25.0
    assert wrong.tau_xx != pytest.approx(right.tau_xx, rel=0.05)


def test_occupancy_on_the_dataset_fixes_sigma() -> None:
    ds, truth = _data(SETS[1], "pairs")
    fit = fluence.fit_cascade(ds, scaling="pairs", occupancy="fix")
    assert fit.occupancy_fixed
    assert fit.cross_section == pytest.approx(truth.cross_section, rel=1e-12)
    assert np.isnan(fit.cross_section_stderr)
    assert fit.tau_xx == pytest.approx(truth.tau_xx, rel=0.07)


def test_biexciton_lifetime_by_subtraction() -> None:
    sig, txx, tx = SETS[1]
    ds, _ = qdwidgets.simulate.cascade(
        pump=np.geomspace(0.15, 3.5, 8) / sig, cross_section=sig, tau_xx=txx, tau_x=tx,
        noise=0.0, wavelength=WL,
    )  # fmt: skip
    fit = fluence.biexciton_lifetime_by_subtraction(ds)
    total = 1.0 / (1.0 / txx + 2.0 / tx)  # the biexciton's total lifetime
    assert fit.taus[-1] == pytest.approx(total, rel=0.05)
    k = int(np.argmin(np.abs(ds["occupancy"].values - 1.5)))  # the default level
    assert fit.converged and fit.pump == pytest.approx(ds["pump"].values[k])
    noisy = fluence.biexciton_lifetime_by_subtraction(_data(SETS[1], "statistical")[0])
    assert noisy.taus[-1] == pytest.approx(total, rel=0.25)


def test_gain_threshold_occupancy_against_the_truth() -> None:
    ds, truth = _data(SETS[1], "statistical")
    delay = 3.0
    res = fluence.gain_threshold_occupancy(ds, delay)
    a0 = float(truth.a0(truth.band_edge_nm))
    a1s = float(truth.a1s(truth.band_edge_nm))

    def a_ex(n: float) -> float:
        one = type(truth)(**{**truth.__dict__, "pump": (1.0,), "occupancy": (n,)})
        return a0 - 2.0 * a1s * float(one.filling([delay])[0, 0])

    exact = optimize.brentq(a_ex, 0.5, 3.0)
    assert res.has_gain and res.occupancy_source == "dataset"
    assert res.occupancy == pytest.approx(exact, rel=0.05)
    assert 0 < res.occupancy_stderr < 0.1 * res.occupancy
    fit = fluence.fit_cascade(ds)
    via_fit = fluence.gain_threshold_occupancy(ds, delay, occupancy=fit)
    assert via_fit.occupancy_source == "fit_cascade"
    assert via_fit.occupancy == pytest.approx(exact, rel=0.05)
    early = fluence.gain_threshold_occupancy(ds, -2.0)
    assert np.isnan(early.occupancy) and "no gain" in early.warnings[0]


def test_cascade_fit_model_and_poisson() -> None:
    ds, _ = _data(SETS[0], "pairs")
    fit = fluence.fit_cascade(ds, scaling="pairs")
    t = ds["delay"].values
    np.testing.assert_allclose(fit.model(t), fit.best_fit.values, rtol=1e-9, atol=1e-12)
    p = fit.poisson()
    np.testing.assert_allclose(p.sum("n").values, 1.0, rtol=1e-12)
    np.testing.assert_allclose((p * p["n"]).sum("n").values, fit.occupancy.values, rtol=1e-4)
    assert fit.n_max >= 10  # Poisson tail < 1e-6 at ⟨N⟩ = 3.5
