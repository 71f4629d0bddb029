"""Residual-bootstrap confidence intervals for ``fit_trace(..., ci="bootstrap")``."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import model as M
from .varpro import Projection, batch_fit


def bootstrap(
    proj: Projection,
    best: dict[str, list[Any]],
    free: list[str],
    a: np.ndarray,
    res: np.ndarray,
    n_boot: int,
    seed: int,
) -> dict[str, tuple[float, float]]:
    """95 % residual-bootstrap intervals (vectorised refits of ``n_boot`` resampled traces)."""
    n, offset = proj.n, proj.offset
    t = proj.t
    rng = np.random.default_rng(seed)
    model = proj.basis(best) @ a
    ys = model[None, :] + rng.choice(res, size=(n_boot, len(res)), replace=True)
    from .params import to_internal

    x0, mask, lower, upper = to_internal(best, n)
    out = batch_fit(
        t, ys, np.tile(x0, (n_boot, 1)), n, offset, mask, lower, upper, coherent=proj.coherent
    )
    taus = np.exp(out["x"][:, :n])
    order = np.argsort(taus, axis=1)
    taus = np.take_along_axis(taus, order, axis=1)
    amps = np.take_along_axis(out["a"][:, :n], order, axis=1)
    ci: dict[str, tuple[float, float]] = {}
    for i in range(n):
        ci[f"tau{i + 1}"] = tuple(np.percentile(taus[:, i], [2.5, 97.5]).tolist())
        ci[f"A{i + 1}"] = tuple(np.percentile(amps[:, i], [2.5, 97.5]).tolist())
    if "irf_fwhm" in free:
        w = np.exp(out["x"][:, n]) * M.FWHM_PER_SIGMA
        ci["irf_fwhm"] = tuple(np.percentile(w, [2.5, 97.5]).tolist())
    if "t0" in free:
        ci["t0"] = tuple(np.percentile(out["x"][:, n + 1], [2.5, 97.5]).tolist())
    if offset:
        ci["offset"] = tuple(np.percentile(out["a"][:, n], [2.5, 97.5]).tolist())
    return ci
