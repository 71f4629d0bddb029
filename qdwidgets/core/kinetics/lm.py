"""The one Levenberg–Marquardt loop for a single problem (one trace, or one global problem).

The problem gives ``(cost, JᵀJ, Jᵀr, extra)`` at a parameter vector; the loop only decides steps.
``varpro.batch_fit`` runs the same rules vectorised over many independent traces.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

#: why the solver stopped, by status code (1 and 2 are convergence)
MESSAGES = {
    1: "converged: the change of χ² is below the noise floor",
    2: "converged: the predicted decrease of χ² is below the noise floor",
    3: "stopped: no step lowers χ² any further (damping at its limit)",
    4: "stopped: the iteration limit was reached before convergence",
    5: "stopped: the model is not finite at the start values",
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
    probe: Callable[[np.ndarray, np.ndarray, float], Any] | None = None,
) -> dict[str, Any]:
    """Levenberg–Marquardt with box clipping on a problem that gives ``(cost, JᵀJ, Jᵀr, extra)``.

    The damping, step acceptance and convergence rules are those of ``varpro.batch_fit``:
    converged when an accepted step lowers χ² by less than ``tol`` (relative) or by less than
    ``noise_floor`` × the noise variance per point, or when the Gauss–Newton model predicts no
    more than that. ``probe(x, JᵀJ, χ²)``, called after every accepted step, may propose a jump
    ``(x_trial, free_trial)`` (e.g. an undetermined lifetime sent to its bound and held there);
    it is kept when it does not raise χ². Returns ``x``, ``cost``, ``extra`` (of the accepted
    state), ``converged``,
    ``message``, ``nfev`` and ``iterations``.
    """
    fidx = np.flatnonzero(free)
    lo, hi = lower[fidx], upper[fidx]
    x = np.minimum(np.maximum(np.asarray(x0, dtype=float), lower), upper)
    cost, hh, gg, extra = state(x)
    nfev = 1
    if not math.isfinite(cost):
        return _out(x, cost, extra, False, MESSAGES[5], nfev, 0)
    lam = 1e-3
    nf = max(n_data - fidx.size, 1)
    converged, message = False, MESSAGES[4]
    it = 0
    for it in range(1, max_iter + 1):
        h = hh[np.ix_(fidx, fidx)]
        g = gg[fidx]
        dh = np.maximum(np.diagonal(h), 1e-30)
        try:
            step = -np.linalg.solve(h + np.diag(lam * dh), g)
        except np.linalg.LinAlgError:
            step = -g / dh
        floor = max(tol * cost, noise_floor * cost / nf)
        pred = -float(step @ (g + 0.5 * (h @ step)))
        if pred < 0.1 * floor and it > 1:
            converged, message = True, MESSAGES[2]
            break
        xt = x.copy()
        xt[fidx] = np.minimum(np.maximum(x[fidx] + step, lo), hi)
        ct, ht, gt, et = state(xt)
        nfev += 1
        ok = math.isfinite(ct) and ct <= cost
        gain = (cost - ct) / max(floor, 1e-300) if ok else math.inf
        moved = float(np.max(np.abs(xt[fidx] - x[fidx]))) if fidx.size else 0.0
        if ok:
            x, cost, hh, gg, extra = xt, ct, ht, gt, et
            jump = None if probe is None else probe(x, hh, cost)
            if jump is not None:
                xj = np.minimum(np.maximum(np.asarray(jump[0], dtype=float), lower), upper)
                cj, hj, gj, ej = state(xj)
                nfev += 1
                if math.isfinite(cj) and cj <= cost:
                    x, cost, hh, gg, extra = xj, cj, hj, gj, ej
                    fidx = np.flatnonzero(jump[1])
                    lo, hi = lower[fidx], upper[fidx]
                    nf = max(n_data - fidx.size, 1)
                    continue
        lam = max(lam / 3.0, 1e-9) if ok else min(lam * 4.0, 1e12)
        if ok and (gain < 1.0 or moved < 1e-10):
            converged, message = True, MESSAGES[1]
            break
        if lam >= 1e12:
            message = MESSAGES[3]
            converged = bool(np.linalg.norm(g) <= 1e-6 * max(cost, 1e-300) ** 0.5)
            break
    return _out(x, cost, extra, converged, message, nfev, it)


def _out(
    x: np.ndarray, cost: float, extra: Any, ok: bool, msg: str, nfev: int, it: int
) -> dict[str, Any]:
    return {
        "x": x,
        "cost": cost,
        "extra": extra,
        "converged": bool(ok),
        "message": msg,
        "nfev": int(nfev),
        "iterations": int(it),
    }
