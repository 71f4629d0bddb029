"""Automatic start values: t0 and IRF width from the rise, lifetimes from a log grid search.

The grid search evaluates the variable-projection cost for every combination of ``n`` lifetimes on
a log-spaced grid at once (normal equations of the basis, one batched solve), so it is cheap and
does not depend on any user guess.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from . import model as M


def guess_t0_fwhm(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Time zero (ps) where |y| first reaches half its maximum, and the 10-90 % rise as FWHM."""
    head = np.median(y[: max(3, len(y) // 50)])
    base = head if abs(head) < 0.3 * np.max(np.abs(y)) else 0.0  # no pre-rise points: 0
    a = np.abs(y - base)
    peak = int(np.argmax(a))
    amax = a[peak]
    if peak == 0 or amax <= 0 or base != head:
        dt = np.diff(t)
        return float(t[0]), float(max(2 * np.min(dt[dt > 0]) if np.any(dt > 0) else 0.1, 1e-3))
    early = a[: peak + 1]

    def first(level: float) -> float:
        i = int(np.argmax(early >= level * amax))
        if i == 0:
            return float(t[0])
        t1, t2, a1, a2 = t[i - 1], t[i], early[i - 1], early[i]
        return float(t1 + (level * amax - a1) * (t2 - t1) / (a2 - a1 if a2 != a1 else 1.0))

    t0 = first(0.5)
    rise = first(0.9) - first(0.1)
    dt = np.diff(t)
    spacing = float(np.min(dt[dt > 0])) if np.any(dt > 0) else 0.1
    fwhm = float(np.clip(rise / 1.09, spacing, max(spacing, 0.2 * (t[-1] - t[0]))))
    return t0, fwhm


def tau_grid(t: np.ndarray, t0: float, fwhm: float, size: int = 14) -> np.ndarray:
    """Candidate lifetimes (ps): log-spaced from the time resolution to twice the time window."""
    after = t[t > t0]
    dt = np.diff(after)
    res = float(np.min(dt[dt > 0])) if np.any(dt > 0) else 1.0
    lo = max(res, 0.5 * fwhm, 1e-4)
    hi = max(2.0 * float(t[-1] - t0), 10 * lo)
    grid = np.exp(np.linspace(np.log(lo), np.log(hi), size))  # np.geomspace, less overhead
    grid[0], grid[-1] = lo, hi
    return grid


@functools.lru_cache(maxsize=16)
def _combos(n_grid: int, free_n: int) -> np.ndarray:
    """Index combinations of ``free_n`` grid lifetimes, at least two grid steps apart when
    possible (read-only; cached)."""
    combos = np.array(list(itertools.combinations(range(n_grid), free_n)), dtype=int)
    if free_n > 1:  # keep candidate lifetimes at least two grid steps apart (not degenerate)
        spread = np.all(np.diff(combos, axis=1) >= 2, axis=1)
        if spread.any():
            combos = combos[spread]
    if combos.size == 0:
        combos = np.zeros((1, 0), dtype=int)
    combos.setflags(write=False)
    return combos


def grid_taus(
    t: np.ndarray,
    y: np.ndarray,
    n: int,
    t0: float,
    fwhm: float,
    offset: bool,
    fixed: dict[int, float] | None = None,
    n_best: int = 1,
) -> np.ndarray:
    """Best ``n`` lifetimes (ps, ascending) on the grid for data ``y`` (n_t × k).

    ``fixed`` maps component index → lifetime kept at that value. With ``n_best > 1`` the
    ``n_best`` best combinations, best first, as rows (starts for a multi-start fit).
    """
    fixed = fixed or {}
    grid = tau_grid(t, t0, fwhm)
    free_n = n - len(fixed)
    taus_all = np.concatenate([grid, np.asarray(list(fixed.values()), dtype=float)])
    (phi,) = M.basis(t, taus_all, M.sigma_from_fwhm(fwhm), np.asarray(t0), offset)
    g = phi.T @ phi
    b = phi.T @ y  # (m_all × k)
    n_grid = len(grid)
    fixed_cols = list(range(n_grid, n_grid + len(fixed)))
    extra = [phi.shape[1] - 1] if offset else []
    combos = _combos(n_grid, free_n)
    tail = np.broadcast_to(
        np.array(fixed_cols + extra, dtype=int), (len(combos), len(fixed_cols + extra))
    )
    sel = np.concatenate([combos, tail], axis=1)
    gs = g[sel[:, :, None], sel[:, None, :]] + 1e-12 * np.trace(g) * np.eye(sel.shape[1])
    bs = b[sel]  # (C, m, k)
    try:
        coef = np.linalg.solve(gs, bs)
    except np.linalg.LinAlgError:
        coef = np.stack(
            [np.linalg.lstsq(gi, bi, rcond=None)[0] for gi, bi in zip(gs, bs, strict=True)]
        )
    explained = np.einsum("cmk,cmk->c", bs, coef)
    explained[~np.isfinite(explained)] = -np.inf
    ranked = np.argsort(-explained, kind="stable")[: max(1, n_best)]
    out = np.empty((ranked.size, n))
    free_slots = [i for i in range(n) if i not in fixed]
    for row, ci in enumerate(ranked):
        for slot, gi in zip(free_slots, combos[ci], strict=True):
            out[row, slot] = grid[gi]
        for slot, val in fixed.items():
            out[row, slot] = val
    return out[0] if n_best == 1 else out
