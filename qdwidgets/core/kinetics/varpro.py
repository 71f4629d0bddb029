"""Variable projection: amplitudes by linear least squares, lifetimes/IRF/t0 by nonlinear ones.

For data ``Y`` (delays × columns) and the model basis ``Φ(θ)`` (delays × m), the amplitudes are
``A = Φ⁺ Y`` (one thin QR of Φ shared by every column) and the residual is ``(I - QQᵀ) Y``. The
Jacobian with respect to θ uses Kaufman's approximation ``-(I - QQᵀ) (∂Φ/∂θ) A``.

:class:`Projection` (in ``projection.py``, re-exported here) serves lmfit (one problem, any
number of columns); :func:`batch_fit` is a vectorised Levenberg–Marquardt over many independent
traces at once (``fit_traces``), with a lean path for a single trace (``fit_trace``).
Nonlinear parameters: ``tau1..n`` (ps), ``irf_fwhm`` (ps), ``t0`` (ps).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._status import covariance_normal
from . import model as M
from .lm import MESSAGES, levenberg_marquardt
from .projection import Projection as Projection
from .projection import _qr_solve

# -- vectorised Levenberg–Marquardt over independent traces ------------------------------------


def _batch_state(
    t: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    n: int,
    offset: bool,
    *,
    compact: bool = True,
    coherent: bool = False,
    w: np.ndarray | None = None,
) -> tuple[Any, ...]:
    """Residuals, Gauss–Newton matrices (Kaufman, w.r.t. ln τ, ln σ, t0) and amplitudes.

    ``w`` (B, n_t), optional: 1 where a row is measured, 0 where it is not (its ``y`` must be
    0 there); the rows with 0 drop out of the projection, the residual and the matrices.

    ``y`` is (B, n_t, k); returns residual (B, n_t·k), ``h = JᵀJ`` (B, p, p), ``g = Jᵀr``
    (B, p), amplitudes (B, m, k), basis (B, n_t, m) and, for one column, ∂(ΦA)/∂x (B, n_t, p).
    With several columns (``compact``) J is never built: with G the derivative columns of Φ
    and P⊥ = I - QQᵀ, ``h_pq = Σ (GᵀP⊥G)_cc' (AAᵀ)_{r(c) r(c')}`` and ``g_p = -Σ (GᵀR)_c·A_r(c)``
    over the columns c of p — small matrices, whatever the number of columns k.
    """
    b, n_t, k = y.shape
    taus = np.exp(x[:, :n])
    sigma = np.exp(x[:, n])
    t0 = x[:, n + 1]
    phi, d_tau, d_sig, d_t0 = M.basis(
        t, taus, sigma, t0, offset, derivatives=True, coherent=coherent
    )
    if w is not None:
        wr = w[:, :, None]
        phi, d_tau, d_sig, d_t0 = phi * wr, d_tau * wr, d_sig * wr, d_t0 * wr
    q, a, res = _qr_solve(phi, y)
    p = n + 2
    m = phi.shape[2]
    qt = np.swapaxes(q, 1, 2)
    if k == 1:
        a1 = a[:, :, 0]
        d = np.empty((b, n_t, p))
        np.multiply(d_tau, (a1[:, :n] * taus)[:, None, :], out=d[:, :, :n])
        np.multiply((d_sig @ a)[:, :, 0], sigma[:, None], out=d[:, :, n])
        d[:, :, n + 1] = (d_t0 @ a)[:, :, 0]
        # J = -P⊥ d with P⊥ = I - QQᵀ (idempotent), and res ⊥ Q: JᵀJ = dᵀd - (Qᵀd)ᵀ(Qᵀd) and
        # Jᵀr = -dᵀr, without forming J (two batched products instead of four)
        r1 = res[:, :, 0]
        dt = np.swapaxes(d, 1, 2)
        qtd = qt @ d
        h = dt @ d - np.swapaxes(qtd, 1, 2) @ qtd
        g = -(dt @ res)[:, :, 0]
        return r1, h, g, a, phi, d
    if not compact:  # the explicit Jacobian (reference for tests)
        dd = np.empty((b, n_t, k, p))
        dd[..., :n] = (
            d_tau[:, :, None, :] * np.swapaxes(a[:, :n, :] * taus[:, :, None], 1, 2)[:, None]
        )
        dd[..., n] = (d_sig @ a) * sigma[:, None, None]
        dd[..., n + 1] = d_t0 @ a
        flat = dd.reshape(b, n_t, -1)
        jac = (q @ (qt @ flat) - flat).reshape(b, n_t * k, p)
        rf = res.reshape(b, -1)
        return rf, np.swapaxes(jac, 1, 2) @ jac, np.einsum("bip,bi->bp", jac, rf), a, phi, None
    gcols = np.concatenate([d_tau * taus[:, None, :], d_sig * sigma[:, None, None], d_t0], axis=2)
    arow = np.concatenate([np.arange(n), np.arange(m), np.arange(m)])
    pidx = np.concatenate([np.arange(n), np.full(m, n), np.full(m, n + 1)])
    sel = np.zeros((p, arow.size))
    sel[pidx, np.arange(arow.size)] = 1.0
    pg = gcols - q @ (qt @ gcols)
    aa = a @ np.swapaxes(a, 1, 2)
    mix = (np.swapaxes(gcols, 1, 2) @ pg) * aa[:, arow][:, :, arow]
    h = sel @ mix @ sel.T
    gr = np.swapaxes(gcols, 1, 2) @ res  # (B, c, k)
    g = -np.einsum("bck,bck->bc", gr, a[:, arow, :]) @ sel.T
    return res.reshape(b, -1), h, g, a, phi, None


def _state_blocks(
    t: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    n: int,
    offset: bool,
    block: int,
    coherent: bool = False,
) -> tuple[Any, ...]:
    """:func:`_batch_state` over blocks of ``block`` rows (cache-sized), concatenated."""
    b = y.shape[0]
    if b <= block:
        return _batch_state(t, y, x, n, offset, coherent=coherent)
    first = _batch_state(t, y[:block], x[:block], n, offset, coherent=coherent)
    out = [None if v is None else np.empty((b, *v.shape[1:])) for v in first]
    for i in range(0, b, block):
        part = (
            first
            if i == 0
            else _batch_state(t, y[i : i + block], x[i : i + block], n, offset, coherent=coherent)
        )
        for dst, src in zip(out, part, strict=True):
            if dst is not None:
                dst[i : i + block] = src
    return tuple(out)


def batch_fit(
    t: np.ndarray,
    y: np.ndarray,
    x0: np.ndarray,
    n: int,
    offset: bool,
    free: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    max_iter: int = 60,
    tol: float = 1e-9,
    dof: int | None = None,
    block: int = 64,
    coherent: bool = False,
) -> dict[str, np.ndarray]:
    """Fit every row of ``y`` (B × n_t, or B × n_t × k columns sharing θ) independently, at once.

    Internal parameters ``x = [ln τ_1..n, ln σ, t0]`` (B × p); ``free`` (p,) bool mask; ``lower`` /
    ``upper`` (p,) clip bounds on x. Returns ``x``, amplitudes ``a`` (B × m, or B × m × k), ``cov``
    (one column: of the free internal parameters then the amplitudes, from the full Jacobian; k
    columns: of the free internal parameters, from the reduced Jacobian, with ``dof`` degrees of
    freedom), ``rss``, ``iterations``, ``converged``. Rows are evaluated in blocks of
    ``block`` (arrays that stay in cache); converged rows drop out.
    """
    single = y.ndim == 2
    if single and y.shape[0] == 1 and np.any(free):
        return _fit_one(
            t, y, x0, n, offset, free, lower, upper, max_iter=max_iter, tol=tol, coherent=coherent
        )
    y3 = y[:, :, None] if single else y
    b, n_t, k = y3.shape
    p = x0.shape[1]
    x = np.clip(x0.astype(float).copy(), lower, upper)
    lam = np.full(b, 1e-3)
    res, hh, gg, a, phi, dmod = _state_blocks(t, y3, x, n, offset, block, coherent)
    cost = np.einsum("bi,bi->b", res, res)
    active = np.ones(b, dtype=bool)
    converged = np.zeros(b, dtype=bool)
    status = np.full(b, 4)  # see MESSAGES
    nfev = np.ones(b, dtype=int)
    fidx = np.flatnonzero(free)
    eye = np.eye(fidx.size)
    it = 0
    for it in range(1, max_iter + 1):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        h = hh[idx][:, fidx][:, :, fidx]
        g = gg[idx][:, fidx]
        dh = np.diagonal(h, axis1=1, axis2=2)
        damp = h + (lam[idx, None] * np.maximum(dh, 1e-30))[:, :, None] * eye
        try:
            step = -np.linalg.solve(damp, g[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            step = -g / np.maximum(dh, 1e-30)
        # the Gauss–Newton model's predicted decrease of χ²: when it is already below the
        # convergence floor, stop without evaluating the step (saves one evaluation per row)
        hs = (h @ step[:, :, None])[:, :, 0]
        pred = -np.einsum("bp,bp->b", step, g + 0.5 * hs)
        floor0 = np.maximum(tol * cost[idx], 1e-2 * cost[idx] / max(n_t * k - fidx.size, 1))
        small = (pred < 0.1 * floor0) & (it > 1)
        if small.any():
            converged[idx[small]] = True
            status[idx[small]] = 2
            active[idx[small]] = False
            keep = ~small
            idx, step, g, h = idx[keep], step[keep], g[keep], h[keep]
            if idx.size == 0:
                break
        xt = x[idx].copy()
        xt[:, fidx] = np.minimum(np.maximum(xt[:, fidx] + step, lower[fidx]), upper[fidx])
        rt, ht, gt, at, pt, dt = _state_blocks(t, y3[idx], xt, n, offset, block, coherent)
        nfev[idx] += 1
        ct = np.einsum("bi,bi->b", rt, rt)
        ok = np.isfinite(ct) & (ct <= cost[idx])
        # converged when an accepted step lowers χ² by < tol (relative) or by < 1e-2 of the
        # noise variance per point (a step of about a tenth of a standard error or less)
        floor = np.maximum(tol * cost[idx], 1e-2 * cost[idx] / max(n_t * k - fidx.size, 1))
        gain = np.where(ok, (cost[idx] - ct) / np.maximum(floor, 1e-300), np.inf)
        moved = np.max(np.abs(xt[:, fidx] - x[idx][:, fidx]), axis=1)
        acc = idx[ok]
        x[acc], res[acc], a[acc], cost[acc] = xt[ok], rt[ok], at[ok], ct[ok]
        hh[acc], gg[acc], phi[acc] = ht[ok], gt[ok], pt[ok]
        if single:
            dmod[acc] = dt[ok]
        lam[idx] = np.where(ok, np.maximum(lam[idx] / 3.0, 1e-9), np.minimum(lam[idx] * 4, 1e12))
        done = ok & ((gain < 1.0) | (moved < 1e-10))
        stuck = ~done & (lam[idx] >= 1e12)
        converged[idx[done]] = True
        status[idx[done]] = 1
        status[idx[stuck]] = 3
        active[idx[done | stuck]] = False
    if single:  # standard errors from the exact full Jacobian [∂model/∂x_free, Φ]
        full = np.concatenate([dmod[:, :, fidx], phi], axis=2)
        dof = max(n_t - full.shape[2], 1)
        a = a[:, :, 0]
        h = np.swapaxes(full, 1, 2) @ full
    else:  # reduced (Kaufman) Jacobian: the nonlinear parameters only
        dof = dof or max(n_t * k - fidx.size - phi.shape[2] * k, 1)
        h = hh[:, fidx][:, :, fidx]
    cov = covariance_normal(h, cost, dof)
    return {
        "x": x,
        "a": a,
        "phi": phi,
        "cov": cov,
        "h": h,
        "rss": cost,
        "iterations": np.asarray(it),
        "converged": converged,
        "message": np.array([MESSAGES[k] for k in status]),
        "nfev": nfev,
        "free_index": fidx,
        "p": np.asarray(p),
    }


def _fit_one(
    t: np.ndarray,
    y: np.ndarray,
    x0: np.ndarray,
    n: int,
    offset: bool,
    free: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    max_iter: int,
    tol: float,
    coherent: bool = False,
) -> dict[str, np.ndarray]:
    """:func:`batch_fit` for one trace of one column (``y`` 1 × n_t): the same Levenberg–Marquardt
    steps, damping and convergence rules, without the bookkeeping of a batch (which costs more
    than the arithmetic for one 400-point trace)."""
    y3 = y[:, :, None]
    n_t = y.shape[1]
    fidx = np.flatnonzero(free)

    def state(x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, Any]:
        res, hh, gg, a, phi, dmod = _batch_state(t, y3, x[None], n, offset, coherent=coherent)
        return float(res[0] @ res[0]), hh[0], gg[0], (a, phi, dmod)

    out = levenberg_marquardt(state, x0[0], free, lower, upper, n_data=n_t, max_iter=max_iter,
                              tol=tol)  # fmt: skip
    x, cost, converged = out["x"], out["cost"], out["converged"]
    a, phi, dmod = out["extra"]
    it, nfev = out["iterations"], out["nfev"]
    full = np.concatenate([dmod[:, :, fidx], phi], axis=2)
    dof = max(n_t - full.shape[2], 1)
    h = np.swapaxes(full, 1, 2) @ full
    return {
        "x": x[None],
        "a": a[:, :, 0],
        "phi": phi,
        "cov": covariance_normal(h, cost, dof),
        "h": h,
        "rss": np.array([cost]),
        "iterations": np.asarray(it),
        "converged": np.array([converged]),
        "message": np.array([out["message"]]),
        "nfev": np.array([nfev]),
        "free_index": fidx,
        "p": np.asarray(x0.shape[1]),
    }
