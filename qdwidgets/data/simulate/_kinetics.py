"""Exciton population kinetics for the TA simulator (closed forms, no time stepping).

A dot holding ``n`` excitons decays to ``n − 1`` at the rate

    k_n = n / tau_x + k_A · n²(n − 1)/4,     k_A = 1/tau_xx − 2/tau_x,

i.e. independent single-exciton (radiative) decay and an Auger channel with the usual statistical
n²(n−1)/4 scaling, normalised so that the biexciton lifetime is exactly ``tau_xx``. The cascade
``dp_n/dt = −k_n p_n + k_{n+1} p_{n+1}`` is bidiagonal, so each population is an exact sum of
exponentials with the rates ``k_n``; any observable Σ w_n p_n is too.

Trapping (the paper's τ1, "interfacial or surface defect states"): a fraction of the dots carries a
surface trap that empties the dot's band edge as a whole at the rate 1/tau_trap, whatever n is
(n → 0). That loss is uniform over n ≥ 1, so in those dots p_n(t) = p_n^free(t)·exp(−t/tau_trap):
the same exponentials with every rate raised by 1/tau_trap.

Hot-carrier cooling is a sequential step: a dot's carriers arrive in the band-edge configuration
after an exponential delay with time constant ``tau_cool``; the cascade starts from there. The
cooled observables are the cascade ones convolved with ``exp(−t/tau_cool)/tau_cool``, again a sum
of exponentials. Finally every term is convolved with a Gaussian instrument response in closed form.
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfc, erfcx, gammaln

FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))


def poisson(mean: float, n_max: int) -> np.ndarray:
    """P(n) for n = 0..n_max of a Poisson law with ``mean``; the tail n > n_max is put in n_max."""
    n = np.arange(n_max + 1)
    if mean == 0:
        p: np.ndarray = np.zeros(n_max + 1)
        p[0] = 1.0
        return p
    p = np.exp(n * np.log(mean) - mean - gammaln(n + 1))
    p[-1] += max(0.0, 1.0 - p.sum())
    return p


def cascade_rates(n_max: int, tau_x: float, tau_xx: float) -> np.ndarray:
    """Total decay rates k_n (1/ps) of the n-exciton state, n = 0..n_max (see module doc).

    Strictly increasing in n when tau_xx <= tau_x / 2, so the closed form below is regular.
    """
    n = np.arange(n_max + 1, dtype=float)
    k_auger = 1.0 / tau_xx - 2.0 / tau_x
    return np.asarray(n / tau_x + k_auger * n**2 * (n - 1) / 4.0)


def cascade_coefficients(p0: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """A[n, j] such that p_n(t) = Σ_j A[n, j] exp(−rates[j] t) for the bidiagonal cascade."""
    m = p0.size
    a = np.zeros((m, m))
    for n in range(m - 1, -1, -1):
        if n + 1 < m:
            for j in range(n + 1, m):
                a[n, j] = rates[n + 1] * a[n + 1, j] / (rates[n] - rates[j])
        a[n, n] = p0[n] - a[n, n + 1 :].sum()
    return a


def cooled_terms(
    amplitudes: np.ndarray, rates: np.ndarray, tau_cool: float
) -> tuple[np.ndarray, np.ndarray]:
    """Convolve Σ a_j exp(−k_j t) with the cooling kernel: returns (amplitudes, rates).

    With ``tau_cool`` = 0 the terms are returned unchanged.
    """
    if tau_cool <= 0:
        return amplitudes, rates
    kc = 1.0 / tau_cool
    diff = kc - rates
    tiny = 1e-9 * kc
    diff = np.where(np.abs(diff) < tiny, np.copysign(tiny, diff + 0.0), diff)
    factor = kc / diff
    amps = np.concatenate([amplitudes * factor, [-(amplitudes * factor).sum()]])
    return amps, np.concatenate([rates, [kc]])


def exp_irf(tau: np.ndarray, rate: float, sigma: float) -> np.ndarray:
    """exp(−rate·τ)·step(τ) convolved with a unit-area Gaussian of std ``sigma`` (ps)."""
    tau = np.asarray(tau, dtype=float)
    if sigma <= 0:
        with np.errstate(over="ignore"):
            return np.where(tau >= 0, np.exp(-rate * np.maximum(tau, 0.0)), 0.0)
    s2 = np.sqrt(2.0) * sigma
    x = (tau - rate * sigma**2) / s2
    out = np.empty_like(tau)
    late = x > 0
    # late: plain form (the exponent is bounded); early: erfcx form avoids 0·inf.
    out[late] = 0.5 * np.exp(-rate * tau[late] + 0.5 * (rate * sigma) ** 2) * erfc(-x[late])
    xe = x[~late]
    out[~late] = 0.5 * erfcx(-xe) * np.exp(-(tau[~late] ** 2) / (2 * sigma**2))
    return out


def sum_exp_irf(
    tau: np.ndarray, amplitudes: np.ndarray, rates: np.ndarray, sigma: float
) -> np.ndarray:
    """Σ_j amplitudes[j] · exp_irf(tau, rates[j], sigma); ``amplitudes`` may carry extra axes.

    ``amplitudes`` has shape (n_rates, *rest) broadcastable against ``tau``.
    """
    out = np.zeros(np.broadcast_shapes(np.shape(tau), np.shape(amplitudes)[1:]))
    for j, k in enumerate(rates):
        out = out + amplitudes[j] * exp_irf(tau, float(k), sigma)
    return out
