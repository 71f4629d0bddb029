"""The multi-start early-stop rule of ``fit_trace`` (``fit._at_noise_level``).

The fit from the best grid start is kept without screening the other starts only when its
residual is at the model-free noise level and shows no systematic structure; these tests check
that the rule accepts a right model, rejects a wrong one, and that stopping early gives the same
optimum as the full multi-start (lifetimes to 0.1 %).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core.kinetics import evaluate, fit_trace
from qdwidgets.core.kinetics import fit as F
from qdwidgets.core.kinetics.varpro import batch_fit

TRUTH: dict[str, Any] = {
    "taus": (2.0, 20.0, 300.0),
    "amplitudes": (-3e-3, -2e-3, -1.5e-3),
    "offset": -1e-3,
    "irf_fwhm": 0.3,
    "t0": 0.2,
}
DELAYS = np.concatenate([np.linspace(-2, 10, 120), np.geomspace(10.2, 3000, 280)])


def noisy(snr: float, seed: int) -> np.ndarray:
    y = evaluate(DELAYS, **TRUTH)
    return y + np.random.default_rng(seed).normal(0, np.max(np.abs(y)) / snr, y.size)


def rule(y: np.ndarray, n: int, offset: bool, **kw: Any) -> bool:
    spec = F.start_spec(DELAYS, y, n, offset=offset, **kw)
    x0, mask, lo, hi = F.to_internal(spec, n)
    out = batch_fit(DELAYS, y[None, :], x0[None, :], n, offset, mask, lo, hi)
    return F._at_noise_level(y, out, mask)


@pytest.mark.parametrize("snr", [100.0, 1000.0])
def test_rule_accepts_the_right_model(snr: float) -> None:
    assert all(rule(noisy(snr, seed), 3, True) for seed in range(3))


def test_rule_rejects_a_systematic_misfit() -> None:
    y = noisy(1000.0, 0)
    assert not rule(y, 2, True)  # a component missing
    assert not rule(y, 3, False)  # the long-lived offset missing
    # a converged fit in a wrong place (lifetimes held 2.5x off the truth, the rest fitted)
    wrong = {"tau1": 5.0, "tau2": 50.0, "tau3": 750.0}
    assert not rule(y, 3, True, initial=wrong, fixed=tuple(wrong))
    assert rule(
        y, 3, True, initial=dict(zip(wrong, TRUTH["taus"], strict=True)), fixed=tuple(wrong)
    )


def test_rule_rejects_noise_free_data() -> None:
    # no noise to compare with: the full multi-start runs (the rule never accepts blindly)
    assert not rule(evaluate(DELAYS, **TRUTH), 3, True)


@pytest.mark.parametrize(("snr", "seed"), [(100.0, 0), (300.0, 1), (1000.0, 2)])
def test_early_stop_gives_the_full_multistart_optimum(snr: float, seed: int) -> None:
    tr = xr.DataArray(noisy(snr, seed), dims="delay", coords={"delay": DELAYS})
    quick = fit_trace(tr)
    full = fit_trace(tr, early_stop=False)
    np.testing.assert_allclose(quick.taus, full.taus, rtol=1e-3)
    np.testing.assert_allclose(quick.amplitudes, full.amplitudes, rtol=1e-3)
    # the same minimum: χ² equal up to the solver's convergence floor (a step lowering χ² by
    # < 1e-2 of the noise variance ends the fit, i.e. ~3e-5 relative over ~390 points)
    assert abs(quick.redchi / full.redchi - 1) < 1e-4


@pytest.mark.parametrize(
    ("n", "offset", "fixed"), [(3, True, ()), (2, False, ()), (1, True, ("t0",))]
)
def test_single_trace_solver_matches_the_batch(
    n: int, offset: bool, fixed: tuple[str, ...]
) -> None:
    # one trace takes a lean path through batch_fit; a batch of two copies takes the general
    # one: the same steps, so the same optimum, covariance and χ² (to rounding)
    y = noisy(300.0, 4)
    spec = F.start_spec(DELAYS, y, n, offset=offset, fixed=fixed)
    x0, mask, lo, hi = F.to_internal(spec, n)
    one = batch_fit(DELAYS, y[None, :], x0[None, :], n, offset, mask, lo, hi)
    two = batch_fit(DELAYS, np.stack([y, y]), np.stack([x0, x0]), n, offset, mask, lo, hi)
    for key in ("x", "a", "cov", "rss"):
        np.testing.assert_allclose(one[key], two[key][:1], rtol=1e-10, atol=0, err_msg=key)
    assert bool(one["converged"][0]) and bool(two["converged"][0])
