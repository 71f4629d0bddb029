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
from .lm import levenberg_marquardt_batch
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
    freedom), ``rss``, ``iterations``, ``converged``, ``message``, ``nfev``. The steps are those of
    :func:`~qdwidgets.core.kinetics.lm.levenberg_marquardt_batch`; rows are evaluated in blocks
    of ``block`` (arrays that stay in cache) and converged rows drop out.
    """
    single = y.ndim == 2
    y3 = y[:, :, None] if single else y
    _, n_t, k = y3.shape

    def state(x: np.ndarray, rows: np.ndarray) -> tuple[Any, ...]:
        res, hh, gg, a, phi, dmod = _state_blocks(t, y3[rows], x, n, offset, block, coherent)
        cost = np.einsum("bi,bi->b", res, res)
        return cost, hh, gg, list(zip(a, phi, dmod if single else [None] * len(rows), strict=True))

    out = levenberg_marquardt_batch(
        state, x0, free, lower, upper, n_data=n_t * k, max_iter=max_iter, tol=tol
    )
    fidx = out["free_index"]
    a = np.stack([e[0] for e in out["extra"]])
    phi = np.stack([e[1] for e in out["extra"]])
    cost = out["cost"]
    if single:  # standard errors from the exact full Jacobian [∂model/∂x_free, Φ]
        dmod = np.stack([e[2] for e in out["extra"]])
        full = np.concatenate([dmod[:, :, fidx], phi], axis=2)
        dof = max(n_t - full.shape[2], 1)
        a = a[:, :, 0]
        h = np.swapaxes(full, 1, 2) @ full
    else:  # reduced (Kaufman) Jacobian: the nonlinear parameters only
        dof = dof or max(n_t * k - fidx.size - phi.shape[2] * k, 1)
        h = out["h"][:, fidx][:, :, fidx]
    return {
        "x": out["x"],
        "a": a,
        "phi": phi,
        "cov": covariance_normal(h, cost, dof),
        "h": h,
        "rss": cost,
        "iterations": np.asarray(out["iterations"]),
        "converged": out["converged"],
        "message": out["message"],
        "nfev": out["nfev"],
        "free_index": fidx,
        "p": np.asarray(x0.shape[1]),
    }
