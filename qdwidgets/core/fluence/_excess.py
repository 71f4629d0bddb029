"""The excess decay of a strong pump level over the weakest (the biexciton part), on the late
plateau read from the data: shared by the saturation and the subtraction methods of
:mod:`._light`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize

from ...errors import FitError
from .. import _status
from ._data import Series, smooth

#: the ratio highest/lowest level is "on its plateau" within this fraction (or 3 noise σ)
PLATEAU_TOL = 0.01


def _plateau(s: Series) -> tuple[int, int, list[str]]:
    """Indices (start, end) of the delays after the multi-exciton decay, and warnings.

    The ratio of the highest level's bleach to the mean of the lower half of the levels falls
    while multi-excitons decay and is constant afterwards (every level then decays as its
    single excitons). Start: the first delay after which the ratio, in bins of 8 delays, stays
    within max(1 %, 3 standard errors) of its final value (the median of the last fifth);
    end: the last delay where the reference bleach is above 10× its noise.
    """
    b = -smooth(s.y)
    half = max(1, s.pump.size // 2)
    top, ref = b[-1], b[:half].mean(axis=0)
    noise_ref = float(np.sqrt(np.mean(s.noise[:half] ** 2) / half))
    i_pk = int(np.argmax(top))
    ok = np.flatnonzero((np.arange(s.t.size) > i_pk) & (ref > 10.0 * noise_ref))
    if ok.size < 16:
        raise FitError(
            f"the lower pump levels' bleach at {s.wavelength:g} nm is within 10× its noise at "
            "almost every delay after the maximum: the saturation needs a measurable late bleach "
            "at every level; average more scans or drop the weakest levels"
        )
    end = int(ok[-1])
    ok = np.arange(int(ok[0]), end + 1)
    raw = -s.y
    width = 8
    nb = ok.size // width
    idx = ok[: nb * width].reshape(nb, width)
    r = raw[-1][idx].mean(axis=1) / raw[:half][:, idx].mean(axis=(0, 2))
    n_tail = max(3, nb // 5)
    r_inf = float(np.median(r[-n_tail:]))
    se = float(np.std(r[-n_tail:], ddof=1)) if n_tail > 1 else 0.0
    tol = max(PLATEAU_TOL * r_inf, 3.0 * se)
    above = np.flatnonzero(r - r_inf > tol)
    start = int(idx[above[-1] + 1, 0]) if above.size and above[-1] + 1 < nb else int(ok[0])
    warnings: list[str] = []
    if above.size and above[-1] >= nb - n_tail:
        warnings.append(
            "the bleach ratio of the highest to the lower levels still falls at the end of the "
            "window: the multi-excitons have not decayed, and σ reads low; measure longer delays"
        )
    if end - start < 8:
        start = max(int(ok[0]), end - 8)
    return start, end, warnings


def _excess(
    s: Series, k: int, i0: int, i1: int, n: int, start_fraction: float = 0.5
) -> dict[str, Any]:
    """Fit (y_k/L_k − y_r/L_r) = Σ a_i e^{−(t − t_s)/τ_i} from t_s, where it has fallen to
    ``start_fraction`` of its maximum (1: from the maximum).

    y_r: the mean of the levels below k in the lower half (the lowest alone when k = 1); L: the
    bleach averaged over delays i0…i1 (single excitons only). Any two levels differ only by
    multi-exciton terms once normalised; averaging weak levels lowers the noise. Variable
    projection: the τ_i by least squares on their logarithms, the a_i linearly.
    """
    ref = s.y[: max(1, min(s.pump.size // 2, k))].mean(axis=0)
    diff = s.y[k] / s.y[k, i0 : i1 + 1].mean() - ref / ref[i0 : i1 + 1].mean()
    sm = smooth(diff[None])[0]
    i_max = int(np.argmax(sm))
    # the band-edge bleach does not see n ≥ 3 → n − 1 (the 1S level stays full), so the excess
    # has a shoulder while the higher multi-excitons decay: fit from where it has halved
    half = np.flatnonzero(sm[i_max:] <= start_fraction * sm[i_max])
    i_pk = i_max + (int(half[0]) if half.size else 0)
    t = s.t[i_pk:] - s.t[i_pk]
    d = diff[i_pk:]
    span = float(t[-1])

    def design(z: np.ndarray) -> np.ndarray:
        return np.column_stack([np.exp(-t / np.exp(zi)) for zi in z])

    def resid(z: np.ndarray) -> np.ndarray:
        m = design(z)
        coef = np.linalg.lstsq(m, d, rcond=None)[0]
        return np.asarray(d - m @ coef)

    grid = np.geomspace(max(float(np.min(np.diff(s.t))), span / 3e3), span, 40)
    best = min(grid, key=lambda g: float(np.sum(resid(np.array([math.log(g)])) ** 2)))
    z0 = np.array([math.log(best)] if n == 1 else [math.log(best / 5.0), math.log(best)])
    lo, hi = math.log(grid[0] / 10), math.log(10 * span)
    res = optimize.least_squares(resid, z0, bounds=(lo, hi), x_scale=1.0)
    m = design(res.x)
    coef = np.linalg.lstsq(m, d, rcond=None)[0]
    best_fit = m @ coef
    rss = float(np.sum((d - best_fit) ** 2))
    dof = max(d.size - res.x.size - m.shape[1], 1)
    jac = np.column_stack([res.jac, m])
    err = _status.stderr(_status.covariance(jac, rss, dof))
    order = np.argsort(res.x)
    taus = np.exp(res.x)
    return {
        "taus": tuple(float(taus[i]) for i in order),
        "taus_stderr": tuple(float(err[i] * taus[i]) for i in order),
        "amplitudes": tuple(float(coef[i]) for i in order),
        "amplitudes_stderr": tuple(float(err[res.x.size + i]) for i in order),
        "delay": s.t[i_pk:],
        "data": d,
        "best_fit": best_fit,
        "redchi": rss / dof,
        "converged": bool(res.success),
        "message": str(res.message),
        "nfev": int(res.nfev),
        "t0": float(s.t[i_pk]),
        "level": k,
    }


def _iterate(
    s: Series, k: int, i0: int, i1: int, n: int, warn: list[str]
) -> tuple[dict[str, Any], int]:
    """The excess fit with the late window moved to ≥ 5 biexciton lifetimes after the maximum
    (a window that starts too early leaves excess in the normalisation and lengthens τ)."""
    exc = _excess(s, k, i0, i1, n)
    for _ in range(4):
        after = int(np.searchsorted(s.t, exc["t0"] + 5.0 * exc["taus"][-1]))
        if after <= i0:
            break
        if i1 - after < 8:
            warn.append(
                f"the window ends before five biexciton lifetimes ({5 * exc['taus'][-1]:.4g} ps) "
                "have passed: multi-excitons remain in the late bleach (σ reads low, the "
                "biexciton lifetime long); measure longer delays"
            )
            break
        i0 = after
        exc = _excess(s, k, i0, i1, n)
    return exc, i0


def _default_level(s: Series, pump: float | None) -> int:
    if pump is not None:
        k = int(np.argmin(np.abs(s.pump - pump)))
    elif s.occupancy is not None:
        k = int(np.argmin(np.abs(s.occupancy - 1.5)))
    else:
        k = s.pump.size // 2
    if k == 0:
        raise FitError(
            "the subtraction needs a level above the lowest one; choose pump= a higher level"
        )
    return k


def _late_rate(s: Series, i0: int) -> float:
    """k_1 (1/ps): the common late decay of all levels after delay index i0 — a weighted
    log-linear fit of their summed bleach while it stays above 5× its noise; ≥ 0."""
    total = -s.y.sum(axis=0)
    noise = float(np.sqrt(np.sum(s.noise**2)))
    sm = smooth(total[None], 9)[0]
    good = np.flatnonzero((np.arange(total.size) >= i0) & (sm > 5.0 * noise / 3.0))
    if good.size < 3:
        return 0.0
    t, y = s.t[good], sm[good]
    if float(np.ptp(t)) <= 0:
        return 0.0
    slope = np.polyfit(t, np.log(y), 1, w=y / noise)[0]
    return float(max(-slope, 0.0))
