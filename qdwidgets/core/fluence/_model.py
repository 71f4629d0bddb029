"""The multi-exciton cascade at the band edge in closed form (no ODE solver).

Each dot relaxes n → n − 1 at the rate k_n = n/τ_X + k_A(n), with k_A(1) = 0, k_A(2) = 1/τ_XX
and ``"statistical"`` k_A(n) = n²(n − 1)/4 · 1/τ_XX or ``"pairs"`` n(n − 1)/2 · 1/τ_XX. The rate
matrix is bidiagonal (triangular), so every population is a sum of exponentials e^{−k_j t}
(Bateman); so is the band-edge observable, the mean filling of the two-fold degenerate 1S level
f(t) = Σ_n P_n(t) · min(n, 2)/2. Dots enter the band edge after an exponential cooling delay
(time constant τ_cool): f is convolved with e^{−t/τ_cool}/τ_cool, which adds the rate 1/τ_cool.
Each exponential is then convolved with the Gaussian IRF analytically
(:func:`qdwidgets.core.kinetics.model.decay`).

Initial occupancy: Poisson with mean ⟨N⟩ = σ·pump, truncated at ``n_max`` — the smallest n
with the Poisson tail P(n > n_max) < ``TAIL`` (1e-6) at the largest ⟨N⟩ (at least 3); the tail
mass is lumped into n_max, so the populations stay normalised.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..._choices import CASCADE_SCALINGS
from ..kinetics.model import decay

SCALINGS = CASCADE_SCALINGS
TAIL = 1e-6
#: at most this many excitons per dot are modelled (⟨N⟩ up to ≈ 33)
N_CAP = 60


def n_max_for(occupancy: float) -> int:
    """Smallest n_max with P(n > n_max) < :data:`TAIL` at ⟨N⟩ = ``occupancy`` (≥ 3, ≤ N_CAP)."""
    if not np.isfinite(occupancy) or occupancy <= 0:
        return 3
    # P(n > m) = P(m + 1, λ), the regularised lower incomplete gamma function
    tail = special.gammainc(np.arange(1.0, N_CAP + 1.0), float(occupancy))
    below = np.flatnonzero(tail < TAIL)
    return int(max(3, below[0])) if below.size else N_CAP


def rates(n_max: int, tau_xx: float, tau_x: float, scaling: str) -> np.ndarray:
    """k_n (1/ps) for n = 1..n_max."""
    n = np.arange(1, n_max + 1, dtype=float)
    auger = n**2 * (n - 1) / 4.0 if scaling == "statistical" else n * (n - 1) / 2.0
    return np.asarray(n / tau_x + auger / tau_xx)


def poisson_start(occupancy: np.ndarray, n_max: int) -> np.ndarray:
    """P_n(0), n = 1..n_max, per level (levels × n_max); the tail lumped into n_max."""
    lam = np.asarray(occupancy, dtype=float)[:, None]
    n = np.arange(1, n_max + 1)[None, :]
    with np.errstate(divide="ignore"):
        p: np.ndarray = np.exp(special.xlogy(n, lam) - lam - special.gammaln(n + 1))
    p[:, -1] += np.maximum(0.0, 1.0 - np.exp(-lam[:, 0]) - p.sum(axis=1))
    return p


def filling_coefficients(p0: np.ndarray, k: np.ndarray) -> np.ndarray:
    """c (levels × n_max) with f(t) = Σ_j c_j e^{−k_j t} for the cascade from P_n(0) = ``p0``.

    Bateman recursion from the top: P_n = Σ_{j ≥ n} A[n, j] e^{−k_j t} with
    A[n, j] = k_{n+1} A[n+1, j] / (k_j − k_n)·(−1)… written as k_{n+1} A[n+1, j]/(k_n − k_j)
    for j > n and A[n, n] = P_n(0) − Σ_{j>n} A[n, j].
    """
    n_lvl, m = p0.shape
    a_next = np.zeros((n_lvl, m))
    c = np.zeros((n_lvl, m))
    w = np.minimum(np.arange(1, m + 1), 2) / 2.0
    for i in range(m - 1, -1, -1):
        a = np.zeros((n_lvl, m))
        if i + 1 < m:
            a[:, i + 1 :] = k[i + 1] * a_next[:, i + 1 :] / (k[i] - k[i + 1 :])
        a[:, i] = p0[:, i] - a[:, i + 1 :].sum(axis=1)
        c += w[i] * a
        a_next = a
    return c


def cooled(c: np.ndarray, k: np.ndarray, tau_cool: float) -> tuple[np.ndarray, np.ndarray]:
    """Convolve Σ c_j e^{−k_j t} with e^{−t/τ_cool}/τ_cool: (coefficients, rates), one rate more.

    A rate within 1e-6 (relative) of 1/τ_cool is moved off it by that much (the limit
    t·e^{−kt} is approached to that precision).
    """
    kc = 1.0 / tau_cool
    d = kc - k
    tiny = 1e-6 * kc
    d = np.where(np.abs(d) < tiny, np.where(d >= 0, tiny, -tiny), d)
    kk = kc - d
    f = c * (kc / d)
    return np.concatenate([f, -f.sum(axis=1, keepdims=True)], axis=1), np.append(kk, kc)


def signal(
    t: np.ndarray,
    occupancy: np.ndarray,
    tau_xx: float,
    tau_x: float,
    tau_cool: float,
    irf_fwhm: float,
    t0: float,
    scaling: str,
    n_max: int | None = None,
) -> np.ndarray:
    """The mean 1S filling f ⊗ cooling ⊗ IRF (0…1), levels × delays, at delays ``t`` (ps)."""
    occ = np.asarray(occupancy, dtype=float)
    m = n_max_for(float(occ.max())) if n_max is None else int(n_max)
    k = rates(m, tau_xx, tau_x, scaling)
    c = filling_coefficients(poisson_start(occ, m), k)
    c, kk = cooled(c, k, tau_cool)
    sigma = irf_fwhm / (2.0 * np.sqrt(2.0 * np.log(2.0)))
    basis = decay((np.asarray(t, dtype=float) - t0)[:, None], 1.0 / kk[None, :], np.asarray(sigma))
    return np.asarray(c @ basis.T)
