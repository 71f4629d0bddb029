"""The kinetics model: exponentials convolved with a Gaussian instrument response.

One component with lifetime ``tau`` (ps), time zero ``t0`` (ps) and a Gaussian IRF of standard
deviation ``sigma = fwhm / (2 sqrt(2 ln 2))`` (ps) is, with ``u = t - t0``,

    E(u) = exp(-u/tau) H(u) ⊗ g(u) = ½ exp(-u²/2σ²) erfcx((σ/tau - u/σ)/√2)

(``erfcx(z) = exp(z²) erfc(z)``), written in that stable form where ``σ/tau >= u/σ`` and as
``½ exp(-u/tau + σ²/2tau²) erfc(z)`` beyond, so neither branch overflows. The offset ("long-lived
step") is ``S(u) = ½ erfc(-u/(√2σ))``. Analytic derivatives with respect to tau, σ and t0 feed the
variable-projection Jacobian. Every function broadcasts: ``t`` is ``(n_t,)``, and the parameters may
carry leading batch dimensions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import erfc, erfcx

FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
_SQRT2 = np.sqrt(2.0)
_SQRT2PI = np.sqrt(2.0 * np.pi)
MIN_SIGMA = 1e-9  # ps; below this the IRF is treated as a delta (sigma is clipped to it)
_WINDOW = 10.0  # IRF standard deviations around t0 where the erfcx term matters
# exp() into the subnormal range is ~100x slower on x86; below e^-600 (1e-261) values are
# clipped there instead of underflowing to 0 (an absolute error far below any OD)
_EXP_MIN = -600.0


def sigma_from_fwhm(fwhm: float | np.ndarray) -> np.ndarray:
    """Gaussian standard deviation (ps) from its full width at half maximum (ps)."""
    sigma: np.ndarray = np.asarray(fwhm, dtype=float) / FWHM_PER_SIGMA
    return sigma


def gaussian(u: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The normalised Gaussian IRF g(u) (1/ps)."""
    g: np.ndarray = np.exp(np.maximum(-0.5 * (u / sigma) ** 2, _EXP_MIN)) / (_SQRT2PI * sigma)
    return g


def decay(u: np.ndarray, tau: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """exp(-u/tau)·H(u) convolved with the Gaussian IRF; ``u = t - t0`` (ps). Peak ≈ 1.

    With ``w = ½ e^{-x²/2} erfcx(|z|)``: ``E = w`` for ``z >= 0`` and ``E = e^{-u/tau + s²/2} - w``
    for ``z < 0`` (from erfc(z) = 2 - erfc(-z)); no branch overflows and the subtraction never
    cancels (w is at most half). More than ``_WINDOW`` IRF widths from t0, ``w < 1e-21`` and is
    dropped, so the (slow) erfcx runs only near time zero.
    """
    sigma = np.maximum(sigma, MIN_SIGMA)
    u, tau, sigma = (np.asarray(v, dtype=float) for v in (u, tau, sigma))
    shape = np.broadcast_shapes(u.shape, tau.shape, sigma.shape)
    if len(shape) < 2:  # the slab logic below wants (..., delay, component)
        flat = [np.broadcast_to(v, shape).reshape(-1, 1) for v in (u, tau, sigma)]
        return decay(*flat).reshape(shape)
    inv_tau = 1.0 / tau
    s = sigma / tau
    with np.errstate(over="ignore", under="ignore"):
        arg = u * (-inv_tau)
        arg += 0.5 * s * s
        np.minimum(arg, 0.0, out=arg)  # (two ufuncs: np.clip is several times slower)
        np.maximum(arg, _EXP_MIN, out=arg)
        full = np.exp(arg)
        if full.shape != shape:
            full = np.broadcast_to(full, shape)
        # exact below z = 0 only; zero above (where w, the IRF term, is all that remains)
        x = u / sigma
        out: np.ndarray = full * (x >= s)
        # the IRF term near t0: a slab of delays along axis -2 (where |x| < _WINDOW)
        near = np.abs(x) < _WINDOW
        if near.ndim >= 2 and near.shape[-2] > 1:
            rows_any = near.reshape(-1, *near.shape[-2:]).any(axis=(0, 2))
        else:  # the delay axis is broadcast: all rows or none
            rows_any = np.atleast_1d(near.any())
        if rows_any.any():
            if rows_any.size == 1:
                r0, r1 = 0, shape[-2]
            else:
                rows = np.flatnonzero(rows_any)
                r0, r1 = int(rows[0]), int(rows[-1]) + 1
            sl = (..., slice(r0, r1), slice(None))
            xs, ss = _slab(x, sl), _slab(s, sl)
            zs = (ss - xs) * (1.0 / _SQRT2)
            w = 0.5 * np.exp(-0.5 * xs * xs) * erfcx(np.abs(zs))
            out[sl] = np.where(zs < 0.0, full[sl] - w, w)
    return out


def _slab(v: np.ndarray, sl: tuple[Any, ...]) -> np.ndarray:
    """``v[sl]`` along the delay axis (-2), or ``v`` itself where that axis is broadcast."""
    if v.ndim < 2 or v.shape[-2] == 1:
        return v
    out: np.ndarray = v[sl]
    return out


def step(u: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The long-lived offset: a unit step convolved with the IRF."""
    sigma = np.maximum(sigma, MIN_SIGMA)
    z = u / (-_SQRT2 * sigma)
    out: np.ndarray = 0.5 * erfc(np.maximum(np.minimum(z, 30.0), -30.0))
    return out


def basis(
    t: np.ndarray,
    taus: np.ndarray,
    sigma: np.ndarray,
    t0: np.ndarray,
    offset: bool,
    *,
    derivatives: bool = False,
    coherent: bool = False,
) -> tuple[np.ndarray, ...]:
    """Columns of the linear model, and optionally their derivatives.

    ``taus`` has shape ``(..., n)``; ``sigma`` and ``t0`` shape ``(...)``. Returns ``phi`` of shape
    ``(..., n_t, m)`` with ``m = n + offset (+ 3 with coherent)``; with ``derivatives`` also
    ``d_dtau`` (``(..., n_t, n)``, column k is dφ_k/dτ_k), ``d_dsigma`` and ``d_dt0``
    (``(..., n_t, m)``). ``coherent`` appends the coherent-artefact columns
    :func:`artifact_columns` (the IRF and the shapes of its first two derivatives).
    """
    if coherent:
        return _with_artifact(t, taus, sigma, t0, offset, derivatives)
    taus = np.asarray(taus, dtype=float)
    sigma = np.maximum(np.asarray(sigma, dtype=float), MIN_SIGMA)[..., None, None]
    t0 = np.asarray(t0, dtype=float)[..., None, None]
    tau = taus[..., None, :]
    u = np.asarray(t, dtype=float)[:, None] - t0  # (..., n_t, 1)
    n = taus.shape[-1]
    e = decay(u, tau, sigma)
    if offset:
        shape = (*e.shape[:-1], n + 1)
        phi = np.empty(shape)
        phi[..., :n] = e
        phi[..., n:] = step(u, sigma)
    else:
        phi = e
    if not derivatives:
        return (phi,)
    g = gaussian(u, sigma)  # (..., n_t, 1): small
    s2 = sigma * sigma
    inv_tau = 1.0 / tau
    inv_tau2 = inv_tau * inv_tau
    m = n + int(offset)
    # E-terms everywhere; the IRF (g) terms only in the slab of delays near t0 where g is not
    # negligible (|u| < _WINDOW σ for some row; elsewhere g < 1e-21 / σ)
    # dE/dτ = (E (u - σ²/τ) + σ² g) / τ²;  dE/dσ = E σ/τ² - g (σ/τ + u/σ);  dE/dt0 = E/τ - g
    d_tau = u - s2 * inv_tau
    d_tau *= e
    d_tau *= inv_tau2
    d_sigma = np.empty((*phi.shape[:-1], m))
    d_t0 = np.empty((*phi.shape[:-1], m))
    np.multiply(e, sigma * inv_tau2, out=d_sigma[..., :n])
    np.multiply(e, inv_tau, out=d_t0[..., :n])
    x = u / sigma
    near = np.abs(x) < _WINDOW  # (..., n_t, 1)
    if near.any():
        rows = np.flatnonzero(near.reshape(-1, near.shape[-2]).any(axis=0))
        sl = (..., slice(int(rows[0]), int(rows[-1]) + 1), slice(None))
        gs, us = g[sl], u[sl]
        d_tau[sl] += s2 * gs * inv_tau2
        d_sigma[sl][..., :n] -= gs * (sigma * inv_tau + us / sigma)
        d_t0[sl][..., :n] -= gs
    if offset:
        d_sigma[..., n:] = -g * u / sigma
        d_t0[..., n:] = -g
    return phi, d_tau, d_sigma, d_t0


def artifact_columns(u: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, ...]:
    """The coherent artefact at time zero: ``h0 = e^{-x²/2}``, ``h1 = -x h0`` and
    ``h2 = (x² - 1) h0`` with ``x = u/σ`` (the IRF and the shapes of its first two derivatives,
    peak 1), with their derivatives with respect to σ and t0. Shapes ``(..., n_t, 3)``."""
    x = u / sigma
    h0 = np.exp(np.maximum(-0.5 * x * x, _EXP_MIN))
    h = np.concatenate([h0, -x * h0, (x * x - 1.0) * h0], axis=-1)
    dh_dx = np.concatenate([-x * h0, (x * x - 1.0) * h0, (3.0 * x - x**3) * h0], axis=-1)
    return h, dh_dx * (-x / sigma), dh_dx * (-1.0 / sigma)


def _with_artifact(
    t: np.ndarray,
    taus: np.ndarray,
    sigma: np.ndarray,
    t0: np.ndarray,
    offset: bool,
    derivatives: bool,
) -> tuple[np.ndarray, ...]:
    """:func:`basis` with the three coherent-artefact columns appended."""
    parts = basis(t, taus, sigma, t0, offset, derivatives=derivatives)
    sig = np.maximum(np.asarray(sigma, dtype=float), MIN_SIGMA)[..., None, None]
    u = np.asarray(t, dtype=float)[:, None] - np.asarray(t0, dtype=float)[..., None, None]
    h, dh_sig, dh_t0 = artifact_columns(u, sig)
    phi = np.concatenate([parts[0], np.broadcast_to(h, (*parts[0].shape[:-1], 3))], axis=-1)
    if not derivatives:
        return (phi,)
    shp = (*parts[2].shape[:-1], 3)
    d_sig = np.concatenate([parts[2], np.broadcast_to(dh_sig, shp)], axis=-1)
    d_t0 = np.concatenate([parts[3], np.broadcast_to(dh_t0, shp)], axis=-1)
    return phi, parts[1], d_sig, d_t0


def evaluate(
    t: np.ndarray,
    taus: np.ndarray,
    amplitudes: np.ndarray,
    *,
    offset: float = 0.0,
    irf_fwhm: float = 0.0,
    t0: float = 0.0,
) -> np.ndarray:
    """The model trace Σ A_i E(t; τ_i) + A_0 S(t) (OD) at delays ``t`` (ps). Cheap: for redraws.

    Parameters
    ----------
    t : array-like
        Delays (ps).
    taus : array-like
        Lifetimes τ_i (ps).
    amplitudes : array-like
        Amplitudes A_i (OD), one per lifetime.
    offset : float, default 0
        Amplitude A_0 (OD) of the long-lived step S(t).
    irf_fwhm : float, default 0
        FWHM (ps) of the Gaussian instrument response (0: none).
    t0 : float, default 0
        Time zero (ps).

    Returns
    -------
    numpy.ndarray
        The model (OD) at ``t``.

    Examples
    --------
    >>> from qdwidgets.core.kinetics import evaluate
    >>> evaluate([-1.0, 10.0, 1e6], [10.0], [-1.0], offset=-0.5).round(3)  # -e^-1 - 0.5 at τ
    array([ 0.   , -0.868, -0.5  ])
    """
    taus = np.atleast_1d(np.asarray(taus, dtype=float))
    amps = np.atleast_1d(np.asarray(amplitudes, dtype=float))
    (phi,) = basis(np.asarray(t, float), taus, sigma_from_fwhm(irf_fwhm), np.asarray(t0), True)
    coef = np.concatenate([amps, [offset]])
    out: np.ndarray = phi @ coef
    return out
