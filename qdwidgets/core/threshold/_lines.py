"""Two straight lines fitted in two power windows, their intersection and its 95 % interval.

Units: power in mW, intensity in W cm⁻², line slopes in signal units per mW.

Confidence intervals (``ci=``):

- ``"bootstrap"`` (default): studentized residual bootstrap (bootstrap-t). In each window the
  residuals of the straight-line fit, rescaled by sqrt(n / (n − 2)) to undo the shrinkage of
  least-squares residuals, are resampled with replacement onto the fitted line; both lines are
  refitted and intersected ``n_boot`` times (1000 by default, vectorised). Each replicate's
  intersection is studentized by its own delta-method standard error, and the 2.5/97.5 % points
  of that t distribution scale the observed standard error. It follows the skewness of the
  intersection (a ratio), needs no Gaussian noise, and keeps its coverage with few points per
  window, where plain percentiles are too narrow. ``seed`` fixes the draw (reproducible fits).
- ``"percentile"``: the same resampling, plain 2.5/97.5 percentiles of the intersections.
- ``"delta"``: first-order error propagation of x = (b₂ − b₁) / (m₁ − m₂) through the two lines'
  covariance matrices, with a Student t quantile on n₁ + n₂ − 4 degrees of freedom. Symmetric;
  fine when the slopes differ by many standard errors.

With fewer than 5 points in a window the bootstrap falls back to the delta method
(``ci_method`` is then "delta" and a warning says why: 3 points allow only 27 resamples, some
exactly collinear).

If more than 2.5 % of the replicates have the slope difference of the other sign, the lines are
indistinguishable in some replicates and the interval is reported as unbounded (−inf, inf).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from ... import _args
from ..._choices import BEAM_PROFILES, THRESHOLD_CI, BeamProfile, ThresholdCI
from ...data.constants import check_spot_diameter as _spot
from ...errors import FitError
from ._intensity import intensity
from ._results import NAN, LineFit, ThresholdFit

CI_METHODS = THRESHOLD_CI
MIN_RESAMPLE = 5  # points per window below which the bootstrap falls back to the delta method


# -- fitting ------------------------------------------------------------------------------------


def _as_curve(power: Any, signal: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(power, dtype=float)
    y = np.asarray(signal, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
        raise FitError(
            f"power and signal must be 1-D arrays of the same length (got shapes {x.shape} and "
            f"{y.shape}). Fix: pass one signal value per pump power"
        )
    bad = ~(np.isfinite(x) & np.isfinite(y))
    if bad.any():
        raise FitError(
            f"power or signal holds {int(bad.sum())} NaN or infinite value(s) (first at index "
            f"{int(np.flatnonzero(bad)[0])}). Fix: drop those points before fitting"
        )
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


def _window(w: Any, name: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in w)
    except (TypeError, ValueError):
        raise FitError(
            f"{name} window: expected (lo, hi) in mW, got {w!r}. Fix: e.g. {name}=(10, 120)"
        ) from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        raise FitError(f"{name} window ({lo:g}, {hi:g}) mW: needs finite lo < hi")
    return lo, hi


def _window_mask(x: np.ndarray, w: tuple[float, float], name: str) -> np.ndarray:
    mask = (x >= w[0]) & (x <= w[1])
    n = int(mask.sum())
    if n < 3:
        raise FitError(
            f"{name} window {w[0]:g}–{w[1]:g} mW holds {n} point(s); a line with an uncertainty "
            f"needs at least 3. Fix: widen it (powers run {x[0]:g}–{x[-1]:g} mW)"
        )
    return mask


def _line(x: np.ndarray, y: np.ndarray, window: tuple[float, float]) -> LineFit:
    n = x.size
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    if sxx == 0.0:
        raise FitError(f"window {window}: all powers are equal, no line can be fitted")
    slope = float(((x - xm) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xm)
    resid = y - (slope * x + intercept)
    dof = n - 2
    s2 = float((resid**2).sum() / dof) if dof > 0 else 0.0
    var_m = s2 / sxx
    var_b = s2 * (1.0 / n + xm**2 / sxx)
    cov = -xm * s2 / sxx
    return LineFit(
        slope=slope,
        intercept=intercept,
        slope_stderr=math.sqrt(var_m),
        intercept_stderr=math.sqrt(var_b),
        covariance=float(cov),
        window=window,
        n_points=int(n),
        residual_std=math.sqrt(s2),
    )


def _bootstrap_lines(
    x: np.ndarray, y: np.ndarray, fit: LineFit, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residual-bootstrap slopes, intercepts and residual variances, shape (n_boot,) each."""
    n = x.size
    fitted = fit.slope * x + fit.intercept
    resid = (y - fitted) * math.sqrt(n / (n - 2))
    idx = rng.integers(0, n, size=(n_boot, n))
    ystar = fitted + resid[idx]
    xc = x - x.mean()
    slopes = (ystar @ xc) / float(xc @ xc)
    intercepts = ystar.mean(axis=1) - slopes * x.mean()
    rstar = ystar - slopes[:, None] * x - intercepts[:, None]
    s2 = (rstar * rstar).sum(axis=1) / (n - 2)
    return slopes, intercepts, s2


def _x0_var(x0: Any, dm: Any, parts: list[tuple[np.ndarray, Any]]) -> Any:
    """Delta-method variance of the intersection; ``parts`` = [(x of a window, s2), ...]."""
    total = 0.0
    for x, s2 in parts:
        xm = float(x.mean())
        sxx = float(((x - xm) ** 2).sum())
        # var(b) + 2 x0 cov(b, m) + x0² var(m) for b = intercept, m = slope of this line
        total = total + s2 * (1.0 / x.size + xm**2 / sxx - 2 * x0 * xm / sxx + x0**2 / sxx)
    return total / dm**2


def _check_not_parallel(b: LineFit, a: LineFit) -> float:
    dm = b.slope - a.slope
    se = math.hypot(b.slope_stderr, a.slope_stderr)
    scale = abs(b.slope) + abs(a.slope)
    if abs(dm) <= 1e-9 * scale or abs(dm) <= 1.96 * se or scale == 0.0:
        raise FitError(
            f"the two lines are parallel within their uncertainty (below slope {b.slope:.4g} ± "
            f"{b.slope_stderr:.2g}, above slope {a.slope:.4g} ± {a.slope_stderr:.2g} per mW), so "
            "they define no threshold. Fix: put one window below and one well above the knee, "
            "or check that the curve has a knee at all (find_threshold tests for one)"
        )
    return dm


def _check_options(
    ci: str, n_boot: int, seed: int, confidence: float, beam_profile: str
) -> tuple[ThresholdCI, int, int, float, BeamProfile]:
    ci_name = _args.choice("ci", ci, CI_METHODS)
    n_boot = _args.integer("n_boot", n_boot, lo=100, hi=1_000_000)
    seed = _args.integer("seed", seed, lo=0, hi=2**63 - 1)
    confidence = _args.number("confidence", confidence, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    return (
        ci_name,
        n_boot,
        seed,
        confidence,
        _args.choice("beam_profile", beam_profile, BEAM_PROFILES),
    )


@_args.renamed(profile="beam_profile")
def fit_lines(
    power: Any,
    signal: Any,
    *,
    below: tuple[float, float],
    above: tuple[float, float],
    spot_diameter_mm: float | None = None,
    beam_profile: BeamProfile = "tophat",
    ci: ThresholdCI = "bootstrap",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ThresholdFit:
    """Fit straight lines to ``signal`` vs ``power`` (mW) in the ``below`` and ``above`` windows.

    The threshold of a curve given as arrays; :func:`fit_threshold` finds it on an ASE dataset
    (and calls this function when both windows are given). Before 0.2 this function was
    ``fit_threshold(power, signal, ...)``; that call still works for one version, with a
    DeprecationWarning.

    Parameters
    ----------
    power, signal : array-like
        The curve: pump power (mW) and the signal (any units), one value per power.
    below, above : (float, float)
        The windows (lo, hi) in mW, inclusive, each holding ≥ 3 points; they must not overlap
        and ``below`` must lie at lower power.
    spot_diameter_mm : float, optional
        Spot diameter (mm); with it the threshold is also given in W cm⁻² (:func:`intensity`).
    beam_profile : {"tophat", "gaussian"}
        Beam profile the diameter refers to.
    ci : {"bootstrap", "percentile", "delta"}
        Interval method (see the module docstring).
    n_boot : int, default 1000
        Bootstrap resamples (≥ 100).
    seed : int, default 0
        Seed of the resampling.
    confidence : float, default 0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    ThresholdFit
        The lines' intersection, its interval and the fit status; ``warnings`` name windows with
        too few points to resample and a threshold outside the data or between the windows.

    Raises
    ------
    FitError
        Bad windows or lines that are parallel within their uncertainty.
    ArgumentError
        An option out of range or not one of its choices.

    Examples
    --------
    A sharp threshold at 150 mW on a 1 mm top-hat spot:

    >>> import numpy as np
    >>> from qdwidgets.core.threshold import fit_lines
    >>> power = np.arange(0.0, 301.0, 10.0)
    >>> signal = np.where(power < 150.0, 0.01 * power, 1.5 + 0.2 * (power - 150.0))
    >>> fit = fit_lines(
    ...     power, signal, below=(0, 140), above=(160, 300), spot_diameter_mm=1.0, ci="delta"
    ... )
    >>> round(fit.threshold_mW, 1), round(fit.threshold_W_cm2, 1), fit.converged
    (150.0, 19.1, True)
    """
    ci, n_boot, seed, confidence, beam_profile = _check_options(
        ci, n_boot, seed, confidence, beam_profile
    )
    x, y = _as_curve(power, signal)
    wb, wa = _window(below, "below"), _window(above, "above")
    if wb[0] >= wa[0]:
        raise FitError(
            f"the below-threshold window {wb[0]:g}–{wb[1]:g} mW must start at lower power than "
            f"the above-threshold window {wa[0]:g}–{wa[1]:g} mW. Fix: swap them"
        )
    if wb[1] > wa[0]:
        raise FitError(
            f"the windows overlap: below {wb[0]:g}–{wb[1]:g} mW and above {wa[0]:g}–{wa[1]:g} mW. "
            f"Fix: end the below window before {wa[0]:g} mW, or start the above window later"
        )
    mb, ma = _window_mask(x, wb, "below"), _window_mask(x, wa, "above")
    if (mb & ma).any():
        raise FitError(
            f"the windows share the point at {x[mb & ma][0]:g} mW. Fix: move one window edge"
        )
    lb, la = _line(x[mb], y[mb], wb), _line(x[ma], y[ma], wa)
    dm = _check_not_parallel(lb, la)
    x0 = (la.intercept - lb.intercept) / dm
    alpha = 1.0 - confidence
    xb, xa = x[mb], x[ma]
    s2b, s2a = lb.residual_std**2, la.residual_std**2
    se = math.sqrt(_x0_var(x0, dm, [(xb, s2b), (xa, s2a)]))
    warnings: list[str] = []
    method = ci
    nfev = 2
    if ci in ("bootstrap", "percentile") and min(lb.n_points, la.n_points) < MIN_RESAMPLE:
        # 3 or 4 points allow only 27 or 256 resamples, some of them exactly collinear: the
        # bootstrap distribution is degenerate there, the t-based delta interval is not
        method = "delta"
        few = "below" if lb.n_points < MIN_RESAMPLE else "above"
        n_few = min(lb.n_points, la.n_points)
        warnings.append(
            f"the {few} window holds only {n_few} points, too few to resample: the interval "
            f"comes from the delta method; widen the window to ≥ {MIN_RESAMPLE} points"
        )
    if method in ("bootstrap", "percentile"):
        nfev += 2 * n_boot
        rng = np.random.default_rng(seed)
        sb, ib, vb = _bootstrap_lines(xb, y[mb], lb, n_boot, rng)
        sa, ia, va = _bootstrap_lines(xa, y[ma], la, n_boot, rng)
        dms = sb - sa
        with np.errstate(divide="ignore", invalid="ignore"):
            xs = (ia - ib) / dms
            ts = (xs - x0) / np.sqrt(_x0_var(xs, dms, [(xb, vb), (xa, va)]))
        flipped = float(np.mean(np.sign(dms) != np.sign(dm)))
        if flipped > alpha / 2:
            lo, hi = -math.inf, math.inf
        elif method == "percentile":
            lo, hi = (float(v) for v in np.quantile(xs, [alpha / 2, 1 - alpha / 2]))
        else:
            ts = ts[np.isfinite(ts)]  # replicates without scatter (or noiseless data) carry no t
            tq = np.quantile(ts, [1 - alpha / 2, alpha / 2]) if ts.size else np.zeros(2)
            lo, hi = x0 - float(tq[0]) * se, x0 - float(tq[1]) * se
    else:
        t = float(stats.t.ppf(1 - alpha / 2, lb.n_points + la.n_points - 4))
        lo, hi = x0 - t * se, x0 + t * se
    if not x[0] <= x0 <= x[-1]:
        warnings.append(
            f"the lines cross at {x0:.4g} mW, outside the measured powers "
            f"({x[0]:g}–{x[-1]:g} mW): an extrapolation, not a measured threshold"
        )
    elif not wb[1] <= x0 <= wa[0]:
        warnings.append(
            f"the lines cross at {x0:.4g} mW, outside the gap between the windows "
            f"({wb[1]:g}–{wa[0]:g} mW): check the windows"
        )
    if math.isinf(lo):
        warnings.append("the interval is unbounded: the slopes are barely distinguishable")
    ratio = la.slope / lb.slope if lb.slope != 0 else math.copysign(math.inf, la.slope)
    message = f"lines fitted in {wb[0]:g}–{wb[1]:g} and {wa[0]:g}–{wa[1]:g} mW"
    return _finish(
        x0,
        (lo, hi),
        method,
        lb,
        la,
        ratio,
        spot_diameter_mm,
        beam_profile,
        message,
        curve=(x, y),
        nfev=nfev,
        warnings=tuple(warnings),
    )


def _finish(
    x0: float,
    ci: tuple[float, float],
    ci_method: str,
    lb: LineFit | None,
    la: LineFit | None,
    ratio: float,
    spot_diameter_mm: float | None,
    beam_profile: BeamProfile,
    message: str,
    *,
    converged: bool = True,
    p_value: float = NAN,
    curve: tuple[np.ndarray, np.ndarray] | None = None,
    nfev: int = 0,
    warnings: tuple[str, ...] = (),
) -> ThresholdFit:
    beam_profile = _args.choice("beam_profile", beam_profile, BEAM_PROFILES)
    if spot_diameter_mm is None:
        spot = NAN
        x0_i, ci_i = NAN, (NAN, NAN)
    else:
        spot = _spot(spot_diameter_mm)
        x0_i = intensity(x0, spot, beam_profile)
        ci_i = (intensity(ci[0], spot, beam_profile), intensity(ci[1], spot, beam_profile))
    return ThresholdFit(
        threshold_mW=float(x0),
        threshold_W_cm2=float(x0_i),
        ci={
            "threshold_mW": (float(ci[0]), float(ci[1])),
            "threshold_W_cm2": (float(ci_i[0]), float(ci_i[1])),
        },
        ci_method=ci_method,
        below_line=lb,
        above_line=la,
        slope_ratio=float(ratio),
        spot_diameter_mm=spot,
        beam_profile=beam_profile,
        converged=bool(converged),
        message=message,
        nfev=int(nfev),
        warnings=tuple(warnings),
        p_value=float(p_value),
        power=None if curve is None else tuple(float(v) for v in curve[0]),
        signal=None if curve is None else tuple(float(v) for v in curve[1]),
    )
