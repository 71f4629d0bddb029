"""The reduced (variable-projection) problem for lmfit: :class:`Projection`, standard errors.

For data ``Y`` (delays × columns) and the model basis ``Φ(θ)`` (delays × m), the amplitudes are
``A = Φ⁺ Y`` (one thin QR of Φ shared by every column) and the residual is ``(I - QQᵀ) Y``. The
Jacobian with respect to θ uses Kaufman's approximation ``-(I - QQᵀ) (∂Φ/∂θ) A``.
Nonlinear parameters: ``tau1..n`` (ps), ``irf_fwhm`` (ps), ``t0`` (ps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import model as M


def _qr_solve(phi: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(Q, A, residual)`` for the least-squares problem ``phi @ A ≈ y`` (batched)."""
    q, r = np.linalg.qr(phi)
    qty = np.swapaxes(q, -1, -2) @ y
    diag = np.abs(np.diagonal(r, axis1=-2, axis2=-1))
    scale = np.max(diag, axis=-1, keepdims=True)
    tiny = diag <= 1e-12 * np.maximum(scale, 1e-300)
    if np.any(tiny):  # a degenerate column (e.g. two equal lifetimes): regularise, do not crash
        r = r + np.eye(r.shape[-1]) * (tiny * np.maximum(scale, 1e-300) * 1e-12)[..., None, :]
    a = np.linalg.solve(r, qty)
    res = y - q @ qty
    return q, a, res


@dataclass
class Projection:
    """The reduced (variable-projection) least-squares problem for lmfit.

    ``t`` delays (ps), ``y`` data (n_t × k columns), ``n`` exponentials, ``offset`` whether a
    long-lived step is included. ``residual(params)`` and ``jacobian(params)`` take lmfit
    Parameters (or any mapping of name → value / object with ``.value``).
    """

    t: np.ndarray
    y: np.ndarray
    n: int
    offset: bool
    coherent: bool = False

    def __post_init__(self) -> None:
        self.names = [f"tau{i + 1}" for i in range(self.n)] + ["irf_fwhm", "t0"]
        self._cache: tuple[tuple[float, ...], tuple[np.ndarray, ...]] | None = None
        self._dcache: tuple[tuple[float, ...], tuple[np.ndarray, ...]] | None = None

    # -- parameter handling ------------------------------------------------------------------
    @staticmethod
    def _value(p: Any) -> float:
        if isinstance(p, list):  # a start spec entry [value, min, max, vary]
            return float(p[0])
        return float(getattr(p, "value", p))

    def theta(self, params: Any) -> tuple[float, ...]:
        return tuple(self._value(params[name]) for name in self.names)

    def _state(self, params: Any) -> tuple[np.ndarray, ...]:
        """``(phi, q, a, residual)`` at the parameters (cached for the last θ)."""
        theta = self.theta(params)
        if self._cache is not None and self._cache[0] == theta:
            return self._cache[1]
        taus = np.asarray(theta[: self.n])
        sigma = M.sigma_from_fwhm(theta[self.n])
        (phi,) = M.basis(
            self.t, taus, sigma, np.asarray(theta[self.n + 1]), self.offset, coherent=self.coherent
        )
        q, a, res = _qr_solve(phi, self.y)
        state = (phi, q, a, res)
        self._cache = (theta, state)
        self._dcache = None
        return state

    def _derivs(self, params: Any) -> tuple[np.ndarray, ...]:
        theta = self.theta(params)
        if self._dcache is not None and self._dcache[0] == theta:
            return self._dcache[1]
        taus = np.asarray(theta[: self.n])
        sigma = M.sigma_from_fwhm(theta[self.n])
        _, d_tau, d_sig, d_t0 = M.basis(
            self.t,
            taus,
            sigma,
            np.asarray(theta[self.n + 1]),
            self.offset,
            derivatives=True,
            coherent=self.coherent,
        )
        self._dcache = (theta, (d_tau, d_sig, d_t0))
        return self._dcache[1]

    # -- what lmfit calls ----------------------------------------------------------------------
    def residual(self, params: Any) -> np.ndarray:
        """Data minus best linear model, flattened (OD)."""
        out: np.ndarray = self._state(params)[3].ravel()
        return out

    def amplitudes(self, params: Any) -> np.ndarray:
        """Linear coefficients (m × k): amplitudes of the exponentials, then the offset."""
        return self._state(params)[2]

    def basis(self, params: Any) -> np.ndarray:
        return self._state(params)[0]

    def jacobian(self, params: Any, free: list[str] | None = None) -> np.ndarray:
        """Kaufman Jacobian of :meth:`residual`, one column per free parameter (in order)."""
        _, q, a, _ = self._state(params)
        d_tau, d_sig, d_t0 = self._derivs(params)
        free = list(free) if free is not None else self.free_names(params)
        cols = []
        for name in free:
            if name == "irf_fwhm":
                da = (d_sig @ a) / M.FWHM_PER_SIGMA
            elif name == "t0":
                da = d_t0 @ a
            else:
                k = self.names.index(name)
                da = d_tau[:, k : k + 1] * a[k : k + 1, :]
            cols.append(-(da - q @ (q.T @ da)).ravel())
        return np.stack(cols, axis=1) if cols else np.zeros((self.y.size, 0))

    def free_names(self, params: Any) -> list[str]:
        return [n for n in params if getattr(params[n], "vary", True) and n in self.names]

    def full_jacobian(self, params: Any, free: list[str]) -> np.ndarray:
        """Exact Jacobian of the model w.r.t. the free nonlinear parameters and every linear one.

        For one column of data only: shape ``(n_t, len(free) + m)``. Used for standard errors.
        """
        phi, _, a, _ = self._state(params)
        d_tau, d_sig, d_t0 = self._derivs(params)
        cols = []
        for name in free:
            if name == "irf_fwhm":
                cols.append((d_sig @ a[:, 0]) / M.FWHM_PER_SIGMA)
            elif name == "t0":
                cols.append(d_t0 @ a[:, 0])
            else:
                k = self.names.index(name)
                cols.append(d_tau[:, k] * a[k, 0])
        return np.column_stack([*cols, phi]) if cols else phi
