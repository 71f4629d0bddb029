"""Whether to trust a fit: one covariance routine and one set of warnings for every fit result.

The vocabulary shared by every fit result (``KineticsFit``, ``GlobalFit``, ``BandFit``,
``ThresholdFit``, ``CrossSectionFit``, …) — four fields, spelt the same everywhere:

- ``converged: bool`` — the solver's own convergence criterion was met (not "the residual is
  finite");
- ``message: str`` — the solver's message, or why it stopped, in words;
- ``nfev: int`` — model evaluations used;
- ``warnings: tuple[str, ...]`` — reasons not to trust the numbers, in words a student
  understands (empty when there are none).

Confidence intervals are ``ci: dict[str, tuple[float, float]]`` with the method's name in
``ci_method`` (``"bootstrap"``, ``"profile"``, ``"covariance"``, ``"delta"``).

:func:`covariance` is the one routine that turns a Jacobian into standard errors: a parameter
the data cannot determine gets an infinite standard error (never 0, never a clipped negative
variance).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

STATUS_FIELDS = ("converged", "message", "nfev", "warnings")

#: a direction of parameter space whose singular value is below this × the largest is "not
#: determined by the data"
RCOND = 1e-10
#: a parameter with at least this share of an undetermined direction gets an infinite error
_NULL_SHARE = 1e-3


def covariance(jac: np.ndarray, rss: float, dof: int) -> np.ndarray:
    """Covariance of the parameters of a least-squares fit, from its Jacobian.

    ``jac`` (n_points × p) is the Jacobian of the residual at the optimum, ``rss`` the residual
    sum of squares and ``dof`` its degrees of freedom; the covariance is ``(JᵀJ)⁻¹ · rss/dof``,
    computed through the SVD of ``J``. Rows and columns of parameters that lie along a direction
    the data do not determine (singular value below ``RCOND`` × the largest, or an exactly zero
    column) are ``inf`` on the diagonal and NaN off it, so that their standard error is infinite.

    Examples
    --------
    >>> import numpy as np
    >>> jac = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])  # two parameters, one direction
    >>> np.sqrt(np.diag(covariance(jac, rss=1.0, dof=1)))
    array([inf, inf])
    """
    jac = np.asarray(jac, dtype=float)
    p = jac.shape[1]
    scale = float(rss) / max(int(dof), 1)
    if p == 0:
        return np.zeros((0, 0))
    if not np.all(np.isfinite(jac)) or not math.isfinite(scale):
        return _undetermined(np.ones(p, dtype=bool))
    norms = np.linalg.norm(jac, axis=0)
    cols = np.where(norms > 0, norms, 1.0)
    js = jac / cols  # column scaling: units of the parameters do not matter
    # vt must be p × p; the full U (n × n) is never needed: for n ≥ p the thin SVD gives the
    # whole vt (a full U of a 5000-point trace would be 200 MB, and takes ~1000× longer)
    _, s, vt = np.linalg.svd(js, full_matrices=js.shape[0] < p)
    s_full = np.zeros(p)
    s_full[: len(s)] = s
    null = s_full <= RCOND * (s_full[0] if s_full[0] > 0 else 1.0)
    bad = norms == 0
    if null.any():
        bad |= np.any(np.abs(vt[null]) ** 2 > _NULL_SHARE, axis=0)
    inv = np.zeros(p)
    inv[~null] = 1.0 / s_full[~null] ** 2
    cov: np.ndarray = (vt.T * inv) @ vt * scale
    cov = cov / np.outer(cols, cols)
    if bad.any():
        cov[bad, :] = np.nan
        cov[:, bad] = np.nan
        cov[bad, bad] = np.inf
    return cov


def _undetermined(bad: np.ndarray) -> np.ndarray:
    p = bad.size
    cov = np.full((p, p), np.nan)
    np.fill_diagonal(cov, np.inf)
    return cov


def stderr(cov: np.ndarray) -> np.ndarray:
    """Standard errors from a covariance: √diag; a negative or NaN variance gives ``inf``."""
    d = np.diagonal(np.asarray(cov, dtype=float), axis1=-2, axis2=-1)
    with np.errstate(invalid="ignore"):
        out = np.sqrt(np.where(np.isfinite(d) & (d >= 0), d, np.inf))
    return out


# -- warnings ------------------------------------------------------------------------------------


def close_values(
    names: Sequence[str], values: Sequence[float], *, rel: float = 0.1, what: str = "lifetimes"
) -> list[str]:
    """A warning for each pair of values within ``rel`` of each other (too many components?)."""
    out = []
    order = np.argsort(values)
    for a, b in itertools.pairwise(order):
        va, vb = float(values[a]), float(values[b])
        if math.isfinite(va) and math.isfinite(vb) and abs(vb - va) <= rel * max(abs(va), abs(vb)):
            out.append(
                f"{what} {names[a]} = {va:.4g} and {names[b]} = {vb:.4g} are within "
                f"{rel:.0%} of each other: the data probably hold fewer components; "
                "fit with one fewer"
            )
    return out


def at_bounds(
    names: Iterable[str],
    values: Iterable[float],
    lower: Iterable[float],
    upper: Iterable[float],
    *,
    rel: float = 1e-3,
    log: bool = False,
) -> list[str]:
    """A warning for each parameter that ended at (within ``rel`` of the span of) a bound.

    With ``log`` (positive parameters such as lifetimes) the distance is measured in ln units.
    """
    out = []
    for name, v, lo, hi in zip(names, values, lower, upper, strict=True):
        f = (lambda z: math.log(z) if z > 0 else -math.inf) if log else (lambda z: z)
        fv, flo, fhi = f(v), f(lo), f(hi)
        finite = math.isfinite(flo) and math.isfinite(fhi)
        tol = rel * (fhi - flo if finite else max(abs(fv), 1.0))
        if math.isfinite(flo) and fv - flo <= tol:
            out.append(
                f"{name} = {v:.4g} ended at its lower bound {lo:.4g}: the data do not pin it; "
                "fix it, widen its bounds or drop the component"
            )
        elif math.isfinite(fhi) and fhi - fv <= tol:
            out.append(
                f"{name} = {v:.4g} ended at its upper bound {hi:.4g}: the data do not pin it; "
                "fix it, widen its bounds or drop the component"
            )
    return out


def cancelling(amplitudes: Sequence[float], signal: float, *, factor: float = 5.0) -> list[str]:
    """A warning when amplitudes are much larger than the signal (they cancel each other)."""
    amps = np.abs(np.asarray(amplitudes, dtype=float))
    if amps.size < 2 or not np.isfinite(signal) or signal <= 0:
        return []
    big = float(np.max(amps)) if np.all(np.isfinite(amps)) else math.inf
    if big > factor * signal:
        return [
            f"amplitudes up to {big:.3g} on a signal of {signal:.3g}: components cancel each "
            "other; fit fewer components or fix a lifetime"
        ]
    return []


def residual_above_noise(rms: float, noise: float, *, factor: float = 2.0) -> list[str]:
    """A warning when the residual RMS is well above an independent noise estimate."""
    if math.isfinite(rms) and math.isfinite(noise) and noise > 0 and rms > factor * noise:
        return [
            f"the residual RMS {rms:.3g} is {rms / noise:.1f}× the noise estimate {noise:.3g}: "
            "the model misses part of the signal (another component, a coherent artefact, chirp?)"
        ]
    return []


def outside_window(
    names: Sequence[str], taus: Sequence[float], delay_min: float, delay_max: float
) -> list[str]:
    """A warning for each lifetime far outside the measured delay window."""
    out = []
    span = delay_max - delay_min
    for name, tau in zip(names, taus, strict=True):
        if not math.isfinite(tau):
            continue
        if tau > 5.0 * span:
            out.append(
                f"{name} = {tau:.4g} ps is more than 5× the delay window ({span:.4g} ps): "
                "the data cannot tell it from a constant; use an offset instead"
            )
    return out


def undetermined(names: Sequence[str], errors: Sequence[float]) -> list[str]:
    """A warning naming the parameters whose standard error is infinite or NaN."""
    bad = [n for n, e in zip(names, errors, strict=True) if not math.isfinite(e)]
    if not bad:
        return []
    return [
        f"the data do not determine {', '.join(bad)} (infinite standard error): fit fewer "
        "parameters or fix some"
    ]


#: eigenvalues of the scaled normal matrix below this × the largest: an undetermined direction
#: (the square of a singular-value ratio of 1e-6.5)
RCOND_NORMAL = 1e-13


def covariance_normal(h: np.ndarray, rss: Any, dof: Any) -> np.ndarray:
    """:func:`covariance` from the normal matrix ``h = JᵀJ`` (batched over leading axes).

    For solvers that never build J (variable projection sums ``JᵀJ`` over blocks). ``rss`` and
    ``dof`` broadcast over the batch. Undetermined parameters get ``inf`` variances and NaN
    covariances, as in :func:`covariance`.

    Examples
    --------
    >>> import numpy as np
    >>> h = np.array([[4.0, 0.0], [0.0, 0.0]])  # the second parameter has no effect
    >>> np.sqrt(np.diag(covariance_normal(h, rss=2.0, dof=2)))
    array([0.5, inf])
    """
    h = np.asarray(h, dtype=float)
    p = h.shape[-1]
    scale = np.asarray(rss, dtype=float) / np.maximum(np.asarray(dof, dtype=float), 1.0)
    if p == 0:
        return np.zeros(h.shape)
    diag = np.diagonal(h, axis1=-2, axis2=-1)
    finite = np.all(np.isfinite(h), axis=(-2, -1))
    h = np.where(finite[..., None, None], h, 0.0)
    d = np.sqrt(np.where(diag > 0, diag, 1.0))
    d = np.where(np.isfinite(d), d, 1.0)
    hs = h / (d[..., :, None] * d[..., None, :])
    w, v = np.linalg.eigh(hs)
    top = np.max(w, axis=-1, keepdims=True)
    null = w <= RCOND_NORMAL * np.where(top > 0, top, 1.0)
    inv = np.where(null, 0.0, 1.0 / np.where(null, 1.0, w))
    cov = (v * inv[..., None, :]) @ np.swapaxes(v, -1, -2)
    cov = cov / (d[..., :, None] * d[..., None, :]) * np.asarray(scale)[..., None, None]
    share = np.abs(v) ** 2 * null[..., None, :]
    bad = (diag <= 0) | ~np.isfinite(diag) | np.any(share > _NULL_SHARE, axis=-1)
    bad |= ~finite[..., None]
    cov = np.where(bad[..., :, None] | bad[..., None, :], np.nan, cov)
    idx = np.arange(p)
    cov[..., idx, idx] = np.where(bad, np.inf, cov[..., idx, idx])
    return cov
