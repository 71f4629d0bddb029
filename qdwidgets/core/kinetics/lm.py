"""The one Levenberg–Marquardt loop of the kinetics fits, vectorised over independent problems.

A problem gives ``(χ², JᵀJ, Jᵀr, extra)`` at a parameter vector; the loop only decides steps:
the damping, step acceptance and convergence rules are written here once.
:func:`levenberg_marquardt_batch` runs many independent problems at once (``varpro.batch_fit``:
traces, pump levels, bootstrap resamples); :func:`levenberg_marquardt` is one problem (the
dispersion fit, the fluence cascade) through the same loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: why the solver stopped, by status code (1, 2 and 6 are convergence)
MESSAGES = {
    1: "converged: the change of χ² is below the noise floor",
    2: "converged: the predicted decrease of χ² is below the noise floor",
    3: "stopped: no step lowers χ² any further (damping at its limit)",
    4: "stopped: the iteration limit was reached before convergence",
    5: "stopped: the model is not finite at the start values",
    6: "converged: no step lowers χ² any further and the gradient vanishes",
}

#: ``state(x (b, p), rows (b,))`` → χ² (b,), JᵀJ (b, p, p), Jᵀr (b, p), one extra per row
BatchState = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray, Any]]
#: ``probe(x (p,), JᵀJ, χ²)`` → None, or a jump ``(x_trial, free_trial)`` (one problem only)
Probe = Callable[[np.ndarray, np.ndarray, float], Any]


def levenberg_marquardt_batch(
    state: BatchState,
    x0: np.ndarray,
    free: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    n_data: int,
    max_iter: int = 200,
    tol: float = 1e-9,
    noise_floor: float = 1e-2,
    probe: Probe | None = None,
) -> dict[str, Any]:
    """Levenberg–Marquardt with box clipping on ``b`` independent problems at once.

    Parameters
    ----------
    state : callable
        ``state(x, rows)`` with ``x`` (k, p) the parameters of the problems ``rows`` (k,) gives
        χ² (k,), JᵀJ (k, p, p), Jᵀr (k, p) and a sequence of k extras (kept for the accepted
        state of each problem).
    x0 : ndarray, shape (b, p)
        Start values.
    free : ndarray of bool, shape (p,)
        The parameters fitted (the others stay at ``x0``).
    lower, upper : ndarray, shape (p,)
        Box bounds; steps are clipped to them.
    n_data : int
        Data points per problem (for the noise floor).
    max_iter, tol, noise_floor
        Converged when an accepted step lowers χ² by less than ``tol`` (relative) or by less
        than ``noise_floor`` × the noise variance per point (χ² / (n_data − free parameters)),
        or when the Gauss–Newton model predicts no more than that.
    probe : callable, optional
        One problem only: ``probe(x, JᵀJ, χ²)``, called after each accepted step, may propose a
        jump ``(x_trial, free_trial)`` (e.g. an undetermined lifetime sent to its bound and held
        there), kept when it does not raise χ².

    Returns
    -------
    dict
        ``x`` (b, p), ``cost`` (b,), ``extra`` (list of b), ``h`` and ``g`` (JᵀJ and Jᵀr of the
        accepted states), ``converged`` (b,), ``status`` (b,; see :data:`MESSAGES`),
        ``message`` (b,), ``nfev`` (b,), ``iterations``, ``free_index`` (the free parameters at
        the end).
    """
    b = x0.shape[0]
    if probe is not None and b != 1:
        raise ValueError("probe works on one problem at a time")
    fidx = np.flatnonzero(free)
    x = np.minimum(np.maximum(np.asarray(x0, dtype=float), lower), upper)
    cost, hh, gg, first = state(x, np.arange(b))
    extra = list(first)
    nfev = np.ones(b, dtype=int)
    lam = np.full(b, 1e-3)
    active = np.isfinite(cost)
    status = np.where(active, 4, 5)
    diag = np.arange(fidx.size)
    it = 0
    for it in range(1, max_iter + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        nf = max(n_data - fidx.size, 1)
        h = hh[np.ix_(idx, fidx, fidx)]
        g = gg[np.ix_(idx, fidx)]
        dh = np.maximum(np.diagonal(h, axis1=1, axis2=2), 1e-30)
        damp = h.copy()
        damp[:, diag, diag] += lam[idx, None] * dh
        try:
            step = -np.linalg.solve(damp, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = -g / dh
        floor = np.maximum(tol * cost[idx], noise_floor * cost[idx] / nf)
        # the Gauss–Newton model's predicted decrease of χ²: when it is already below the
        # floor, stop without evaluating the step (saves one evaluation per problem)
        pred = -np.einsum("bp,bp->b", step, g + 0.5 * (h @ step[:, :, None])[:, :, 0])
        small = (pred < 0.1 * floor) & (it > 1)
        status[idx[small]] = 2
        active[idx[small]] = False
        keep = ~small
        idx, step, floor = idx[keep], step[keep], floor[keep]
        if idx.size == 0:
            break
        xt = x[idx].copy()
        xt[:, fidx] = np.minimum(np.maximum(xt[:, fidx] + step, lower[fidx]), upper[fidx])
        ct, ht, gt, et = state(xt, idx)
        nfev[idx] += 1
        ok = np.isfinite(ct) & (ct <= cost[idx])
        gain = np.where(ok, (cost[idx] - ct) / np.maximum(floor, 1e-300), np.inf)
        moved = np.max(np.abs(xt[:, fidx] - x[idx][:, fidx]), axis=1, initial=0.0)
        for j in np.flatnonzero(ok):
            extra[idx[j]] = et[j]
        acc = idx[ok]
        x[acc], cost[acc], hh[acc], gg[acc] = xt[ok], ct[ok], ht[ok], gt[ok]
        lam[idx] = np.where(ok, np.maximum(lam[idx] / 3.0, 1e-9), np.minimum(lam[idx] * 4, 1e12))
        done = ok & ((gain < 1.0) | (moved < 1e-10))
        stuck = ~done & (lam[idx] >= 1e12)
        status[idx[done]] = 1
        status[idx[stuck]] = 3
        active[idx[done | stuck]] = False
        if probe is not None and ok[0]:
            jump = probe(x[0], hh[0], float(cost[0]))
            if jump is not None:
                xj = np.minimum(np.maximum(np.asarray(jump[0], dtype=float), lower), upper)
                cj, hj, gj, ej = state(xj[None], idx[:1])
                nfev[0] += 1
                if math.isfinite(float(cj[0])) and cj[0] <= cost[0]:
                    x[0], cost[0], hh[0], gg[0], extra[0] = xj, cj[0], hj[0], gj[0], ej[0]
                    fidx = np.flatnonzero(jump[1])
                    diag = np.arange(fidx.size)
                    active[0], status[0] = True, 4  # go on with the others from there
    # damping at its limit with a vanishing gradient: at the minimum all the same
    for i in np.flatnonzero(status == 3):
        if np.linalg.norm(gg[i, fidx]) <= 1e-6 * math.sqrt(max(float(cost[i]), 1e-300)):
            status[i] = 6
    return {
        "x": x,
        "cost": cost,
        "extra": extra,
        "h": hh,
        "g": gg,
        "converged": np.isin(status, (1, 2, 6)),
        "status": status,
        "message": np.array([MESSAGES[int(s)] for s in status]),
        "nfev": nfev,
        "iterations": it,
        "free_index": fidx,
    }


def levenberg_marquardt(
    state: Callable[[np.ndarray], tuple[float, np.ndarray, np.ndarray, Any]],
    x0: np.ndarray,
    free: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    n_data: int,
    max_iter: int = 200,
    tol: float = 1e-9,
    noise_floor: float = 1e-2,
    probe: Probe | None = None,
) -> dict[str, Any]:
    """One problem through :func:`levenberg_marquardt_batch`: ``state(x)`` gives
    ``(χ², JᵀJ, Jᵀr, extra)`` at ``x`` (p,). Returns ``x``, ``cost``, ``extra`` (of the accepted
    state), ``converged``, ``message``, ``nfev`` and ``iterations``."""

    def batch(xb: np.ndarray, rows: np.ndarray) -> tuple[Any, ...]:
        c, h, g, e = state(xb[0])
        return np.array([c], dtype=float), h[None], g[None], _one(e)

    out = levenberg_marquardt_batch(
        batch, np.asarray(x0, dtype=float)[None], free, lower, upper, n_data=n_data,
        max_iter=max_iter, tol=tol, noise_floor=noise_floor, probe=probe,
    )  # fmt: skip
    return {
        "x": out["x"][0],
        "cost": float(out["cost"][0]),
        "extra": out["extra"][0],
        "converged": bool(out["converged"][0]),
        "message": str(out["message"][0]),
        "nfev": int(out["nfev"][0]),
        "iterations": int(out["iterations"]),
    }


def _one(extra: Any) -> Sequence[Any]:
    return [extra]
