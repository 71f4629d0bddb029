"""``simulate.decays``: the global-analysis test pattern — parallel exponential decays with a
Gaussian IRF whose centre follows a chirp polynomial, on an axis that starts near time zero.

Unlike :func:`qdwidgets.data.simulate.ta` (a quantum-dot population model whose kinetics are not
a sum of exponentials), the truth here is exactly the model of a parallel global fit
(decay-associated spectra), so a fit can be checked against it to the per cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ...errors import DatasetError
from ..contract import validate
from ._kinetics import exp_irf
from ._spectra import gauss_ev
from ._ta import ta_dataset

FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
SCALE_NM = 100.0  # chirp polynomial in x = (λ − λc) / 100 nm


@dataclass(frozen=True)
class DecaysTruth:
    """The truth of :func:`decays`: lifetimes (ps), IRF FWHM (ps), chirp coefficients (ps, in
    increasing powers of x = (λ − λc)/100 nm), λc (nm), the decay-associated spectra (OD, one
    row per lifetime) and the noise (OD)."""

    taus: tuple[float, ...]
    irf_fwhm: float
    chirp: tuple[float, ...]
    chirp_center_nm: float
    das: np.ndarray
    noise: float

    def t0(self, wavelength: Any) -> np.ndarray:
        """Time zero (ps) at each wavelength (nm)."""
        x = (np.asarray(wavelength, dtype=float) - self.chirp_center_nm) / SCALE_NM
        return np.asarray(sum(c * x**k for k, c in enumerate(self.chirp)), dtype=float)


def default_decay_delays() -> np.ndarray:
    """Delays (ps) as many set-ups record them: from 0 ps (before time zero, which the chirp puts
    at 0.2–0.9 ps by default), 20 fs steps to 2 ps, then log-spaced to 1.5 ns."""
    return np.concatenate([np.arange(0.0, 2.0, 0.02), np.geomspace(2.0, 1500.0, 120)[1:]])


def decays(
    taus: Sequence[float] = (0.7, 14.0, 320.0),
    *,
    irf_fwhm: float = 0.12,
    chirp: Sequence[float] = (0.45, 0.22, 0.05, 0.03),
    wavelength: Any = None,
    delay: Any = None,
    peaks_nm: Sequence[float] | None = None,
    amplitudes_od: Sequence[float] | None = None,
    noise: float = 2e-4,
    seed: int | None = 0,
) -> tuple[xr.Dataset, DecaysTruth]:
    """Simulate chirped TA data made of parallel exponential decays; returns ``(dataset, truth)``.

    Each lifetime has a decay-associated spectrum: a Gaussian band in photon energy (FWHM
    0.25 eV) at ``peaks_nm`` with signed peak ``amplitudes_od``. Every wavelength's kinetics is
    Σ DAS_j(λ) · exp(−(t − t0(λ))/τ_j) convolved with a Gaussian IRF, with
    t0(λ) = Σ_k chirp[k] · ((λ − λc)/100 nm)^k and λc the centre of the wavelength range;
    white noise of standard deviation ``noise`` is added.

    Parameters
    ----------
    taus : sequence of float
        Lifetimes (ps), 1–6 of them.
    irf_fwhm : float
        FWHM of the Gaussian instrument response (ps).
    chirp : sequence of float
        Coefficients (ps) of t0(λ) in increasing powers of (λ − λc)/100 nm.
    wavelength, delay : array-like, optional
        Probe wavelengths (nm; default 450–700 nm, 120 points) and delays (ps; default
        :func:`default_decay_delays`).
    peaks_nm, amplitudes_od : sequence of float, optional
        Peak wavelength (nm) and signed amplitude (OD) of each decay-associated spectrum;
        defaults spread the peaks over the range with alternating signs.
    noise : float
        Standard deviation of the white noise (OD).
    seed : int or None
        Seed of the noise.

    Returns
    -------
    tuple of (xarray.Dataset, DecaysTruth)
        A validated TA dataset (one pump level) and the truth.

    Raises
    ------
    DatasetError
        When a lifetime or the IRF is not positive, or the lists do not match.

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> ds, truth = simulate.decays(seed=1)
    >>> ds["dA"].dims, truth.taus
    (('pump', 'delay', 'wavelength'), (0.7, 14.0, 320.0))
    """
    tau = np.asarray(taus, dtype=float)
    if tau.ndim != 1 or not 1 <= tau.size <= 6 or not np.all(np.isfinite(tau) & (tau > 0)):
        raise DatasetError(
            f"simulate.decays: taus must be 1–6 positive lifetimes (ps), not {taus!r}. "
            "Fix: e.g. taus=(0.7, 14.0, 320.0)"
        )
    if not np.isfinite(irf_fwhm) or irf_fwhm <= 0 or not np.isfinite(noise) or noise < 0:
        raise DatasetError(
            "simulate.decays: irf_fwhm must be > 0 ps and noise >= 0 OD. Fix: e.g. "
            "irf_fwhm=0.12, noise=2e-4"
        )
    wl = np.linspace(450.0, 700.0, 120) if wavelength is None else np.asarray(wavelength, float)
    t = default_decay_delays() if delay is None else np.asarray(delay, dtype=float)
    lo, hi = float(wl.min()), float(wl.max())
    peaks = np.linspace(lo + 0.2 * (hi - lo), hi - 0.2 * (hi - lo), tau.size)
    peaks = peaks if peaks_nm is None else np.asarray(peaks_nm, dtype=float)
    amps = 0.01 * (-1.0) ** np.arange(tau.size) / np.sqrt(np.arange(1, tau.size + 1))
    amps = amps if amplitudes_od is None else np.asarray(amplitudes_od, dtype=float)
    if peaks.shape != tau.shape or amps.shape != tau.shape:
        raise DatasetError(
            f"simulate.decays: give one peak and one amplitude per lifetime ({tau.size}). "
            "Fix: match the lengths of peaks_nm, amplitudes_od and taus"
        )
    das = np.stack([a * gauss_ev(wl, float(p), 0.25) for p, a in zip(peaks, amps, strict=True)])
    centre = (lo + hi) / 2.0
    truth = DecaysTruth(
        taus=tuple(float(v) for v in tau),
        irf_fwhm=float(irf_fwhm),
        chirp=tuple(float(c) for c in chirp),
        chirp_center_nm=centre,
        das=das,
        noise=float(noise),
    )
    t0 = truth.t0(wl)
    rel = t[:, None] - t0[None, :]  # (delay, wavelength)
    sigma = irf_fwhm / FWHM_PER_SIGMA
    y = sum(das[j][None, :] * exp_irf(rel, 1.0 / tau[j], sigma) for j in range(tau.size))
    y = np.asarray(y) + np.random.default_rng(seed).normal(0.0, noise, (t.size, wl.size))
    ds = ta_dataset(
        pump=np.array([1.0]),
        pump_units="1",
        pump_name="pump level",
        occupancy=None,
        delays=t,
        wavelengths=wl,
        da=y[None],
        spectra={},
        attrs={"simulated": 1, "qd_kind": "ta", "seed": -1 if seed is None else int(seed)},
    )
    return validate(ds, "ta"), truth
