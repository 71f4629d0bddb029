"""Segmented regression: search a breakpoint, and test whether one exists at all.

Model: y = a + b·P + c·max(P − ψ, 0), a continuous broken line whose two pieces meet at ψ (the
threshold). For each ψ on a grid the extra sum of squares over a single straight line is exact
linear algebra, so the whole search is a few matrix products.

Test (H0: one straight line, c = 0). ψ does not exist under H0, so the usual F test is too
liberal (Davies' problem). The statistic is the supremum over ψ of the F statistic; its null
distribution is simulated (Monte Carlo with Gaussian noise; F is scale-free, so the noise level
does not matter) on the same powers and grid, which gives an exact p-value for Gaussian noise.
A breakpoint is reported when p < ``alpha`` AND the broken line fits better than a smooth
parabola (a curve that bends gradually has no distinct threshold: it is reported as such).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize

from ... import _args
from ..._choices import BeamProfile, ThresholdCI
from ...errors import FitError
from ._lines import CI_METHODS, _as_curve, _finish, fit_lines
from ._results import NAN, Breakpoint, ThresholdFit


def _hinge_rss(x: np.ndarray, y: np.ndarray, psi: float) -> float:
    X = np.column_stack([np.ones_like(x), x, np.maximum(x - psi, 0.0)])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    return float(((y - X @ coef) ** 2).sum())


def segmented(
    x: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = 0.05,
    n_sim: int = 1000,
    seed: int = 0,
    per_gap: int = 2,
) -> Breakpoint:
    """Breakpoint search and test on sorted ``x`` (see the module docstring).

    Returns a :class:`Breakpoint`: ``converged`` (a breakpoint exists), ``psi`` (where, NaN if
    none), ``p_value``, ``k`` (points ≤ psi), ``message`` (in words) and ``nfev`` (straight-line
    and broken-line fits evaluated).

    Parameters
    ----------
    x, y : numpy.ndarray
        The curve, ``x`` sorted (e.g. power in mW and a signal in any units).
    alpha : float, default 0.05
        Significance level of the breakpoint test, in (0, 1).
    n_sim : int, default 1000
        Null simulations of the sup-F test (≥ 100).
    seed : int, default 0
        Seed of the simulations.
    per_gap : int, default 2
        Breakpoint candidates per gap between neighbouring ``x`` (≥ 1).

    Returns
    -------
    Breakpoint
        ``converged``, ``psi`` (in ``x`` units), ``p_value``, ``k``, ``message``, ``nfev``,
        ``warnings``.

    Raises
    ------
    ArgumentError
        An option out of range.
    """
    alpha = _args.number("alpha", alpha, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    n_sim = _args.integer("n_sim", n_sim, lo=100, hi=1_000_000)
    seed = _args.integer("seed", seed, lo=0, hi=2**63 - 1)
    per_gap = _args.integer("per_gap", per_gap, lo=1, hi=1000)
    n = x.size
    if n < 6:
        raise FitError(
            f"a breakpoint search needs at least 6 points (3 on each side), got {n}. Fix: "
            "measure more pump powers, or give the windows yourself with fit_lines"
        )
    # candidate breakpoints: ``per_gap`` evenly spaced values in each gap between the powers
    # from the 3rd to the 3rd-last (the profile RSS is smooth inside a gap; refined below)
    pts = np.unique(x[2 : n - 2])
    frac = np.arange(per_gap) / per_gap
    grid = (pts[:-1, None] + frac[None, :] * np.diff(pts)[:, None]).ravel()
    if grid.size == 0:
        grid = np.array([x[2]])
    q, _ = np.linalg.qr(np.column_stack([np.ones(n), x]))
    h = np.maximum(x[:, None] - grid[None, :], 0.0)
    h -= q @ (q.T @ h)
    hh = (h * h).sum(axis=0)
    keep = hh > 1e-12 * max(float(hh.max()), 1e-300)
    grid, h, hh = grid[keep], h[:, keep], hh[keep]
    r = y - q @ (q.T @ y)
    rss0 = float(r @ r)
    scale = float((y - y.mean()) @ (y - y.mean()))
    if rss0 <= 1e-24 * max(scale, 1e-300):
        return Breakpoint(
            False, NAN, 1.0, 0, "the data lie exactly on one straight line: no breakpoint", 1
        )

    def sup_f(res: np.ndarray, rss: np.ndarray) -> np.ndarray:
        d = (res @ h) ** 2 / hh
        with np.errstate(divide="ignore", invalid="ignore"):
            f = d / (np.maximum(rss[..., None] - d, 0.0) / (n - 3))
        return np.asarray(np.nan_to_num(f, nan=0.0, posinf=np.inf).max(axis=-1))

    drss = (r @ h) ** 2 / hh
    best = int(np.argmax(drss))
    f_obs = float(sup_f(r[None, :], np.array([rss0]))[0])
    rng = np.random.default_rng(seed)
    e = rng.standard_normal((n_sim, n))
    e -= (e @ q) @ q.T
    f_sim = sup_f(e, (e * e).sum(axis=1))
    p_value = float((1 + np.count_nonzero(f_sim >= f_obs)) / (n_sim + 1))
    lo = grid[max(best - 1, 0)]
    hi = grid[best + 1] if best + 1 < grid.size else x[n - 3]
    opt = optimize.minimize_scalar(lambda p: _hinge_rss(x, y, p), bounds=(lo, hi), method="bounded")
    psi = float(opt.x) if opt.fun <= _hinge_rss(x, y, grid[best]) else float(grid[best])
    rss_hinge = _hinge_rss(x, y, psi)
    quad = np.polynomial.polynomial.polyfit(x - x.mean(), y, 2, full=True)[1][0]
    rss_quad = float(quad[0]) if np.size(quad) else 0.0
    k = int(np.count_nonzero(x <= psi))
    nfev = 1 + grid.size * (n_sim + 1) + int(getattr(opt, "nfev", 0)) + 2
    if p_value >= alpha:
        note = (
            f"no breakpoint: a single straight line is not rejected (sup-F test p = "
            f"{p_value:.3g} ≥ {alpha:g})"
        )
        return Breakpoint(False, NAN, p_value, k, note, nfev)
    if rss_quad <= rss_hinge:
        note = (
            f"no distinct breakpoint: the curve bends (p = {p_value:.3g}) but a smooth "
            "parabola fits it as well as two straight lines do"
        )
        return Breakpoint(False, NAN, p_value, k, note, nfev)
    note = f"breakpoint search: broken line bends at {psi:.4g}, sup-F test p = {p_value:.3g}"
    return Breakpoint(True, psi, p_value, k, note, nfev)


@_args.renamed(profile="beam_profile")
def find_threshold(
    power: Any,
    signal: Any,
    *,
    spot_diameter_mm: float | None = None,
    beam_profile: BeamProfile = "tophat",
    alpha: float = 0.05,
    gap_mW: float = 0.0,
    n_sim: int = 1000,
    ci: ThresholdCI = "bootstrap",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ThresholdFit:
    """Find the threshold without given windows: segmented regression plus a breakpoint test.

    A broken line is fitted with a grid search over its breakpoint; a Monte Carlo sup-F test
    (see the module docstring) decides whether a breakpoint exists at all. If it does, straight
    lines are fitted on each side (leaving out points within ``gap_mW``/2 of the breakpoint) with
    :func:`fit_lines` (``ci``, ``n_boot``, ``seed``, ``confidence``), and the result carries
    ``p_value``. If not, the result has ``converged=False``, NaN threshold and a ``message``
    saying why.

    Parameters
    ----------
    power, signal : array-like
        The curve: pump power (mW) and the signal (any units), one value per power.
    spot_diameter_mm : float, optional
        Spot diameter (mm); with it the threshold is also given in W cm⁻² (:func:`intensity`).
    beam_profile : {"tophat", "gaussian"}
        Beam profile the diameter refers to.
    alpha : float, default 0.05
        Significance level of the breakpoint test, in (0, 1).
    gap_mW : float, default 0
        Width (mW) around the breakpoint left out of both lines, ≥ 0.
    n_sim : int, default 1000
        Monte Carlo simulations of the sup-F test, ≥ 100.
    ci, n_boot, seed, confidence
        The interval options of :func:`fit_lines` (``seed`` also seeds the breakpoint test).

    Returns
    -------
    ThresholdFit
        As :func:`fit_lines`, with the test's ``p_value``; ``converged=False`` and a NaN
        threshold when no breakpoint is detected.

    Raises
    ------
    ArgumentError
        An option out of range.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.threshold import enhancement, find_threshold
    >>> curve = enhancement(qdwidgets.examples.ase(), "lamp")  # with lamp − without, vs mW
    >>> fit = find_threshold(curve.power.values, curve.values, spot_diameter_mm=1.0)
    >>> fit.converged, round(fit.threshold_mW), fit.p_value < 0.05
    (True, 148, True)
    """
    gap_mW = _args.non_negative("gap_mW", gap_mW, unit="mW")
    ci = _args.choice("ci", ci, CI_METHODS)
    x, y = _as_curve(power, signal)
    seg = segmented(x, y, alpha=alpha, n_sim=n_sim, seed=seed)
    nan = float("nan")

    def none_found(note: str) -> ThresholdFit:
        return _finish(
            nan,
            (nan, nan),
            ci,
            None,
            None,
            nan,
            spot_diameter_mm,
            beam_profile,
            note,
            converged=False,
            p_value=seg.p_value,
            curve=(x, y),
            nfev=seg.nfev,
        )

    if not seg.converged:
        return none_found(seg.message)
    psi = seg.psi
    left = x[x <= psi - gap_mW / 2]
    right = x[x > psi + gap_mW / 2]
    if left.size < 3 or right.size < 3:
        note = (
            f"no threshold: {seg.message}, but fewer than 3 points remain on one side of it with "
            f"gap_mW={gap_mW:g}: no threshold fitted"
        )
        return none_found(note)
    try:
        fit = fit_lines(
            x,
            y,
            below=(float(left[0]), float(left[-1])),
            above=(float(right[0]), float(right[-1])),
            spot_diameter_mm=spot_diameter_mm,
            beam_profile=beam_profile,
            ci=ci,
            n_boot=n_boot,
            seed=seed,
            confidence=confidence,
        )
    except FitError as exc:
        note = f"no threshold: {seg.message}, but the lines on either side give none: {exc}"
        return none_found(note)
    note = f"{seg.message}; {fit.message}"
    return _finish(
        fit.threshold_mW,
        fit.ci_mW,
        fit.ci_method,
        fit.below_line,
        fit.above_line,
        fit.slope_ratio,
        spot_diameter_mm,
        beam_profile,
        note,
        p_value=seg.p_value,
        curve=(x, y),
        nfev=seg.nfev + fit.nfev,
        warnings=fit.warnings,
    )
