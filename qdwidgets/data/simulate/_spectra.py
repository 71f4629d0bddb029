"""Spectral shapes for the simulators: Gaussians in photon energy on a wavelength grid."""

from __future__ import annotations

import numpy as np
from scipy.special import erf

from ..constants import HC_EV_NM

_GAUSS_AREA = np.sqrt(np.pi / (4.0 * np.log(2.0)))  # area of a peak-1 Gaussian per unit FWHM


def energy(wavelength_nm: np.ndarray | float) -> np.ndarray:
    """Photon energy (eV) of a wavelength (nm)."""
    return HC_EV_NM / np.asarray(wavelength_nm, dtype=float)


def fwhm_nm_to_ev(center_nm: float, fwhm_nm: float) -> float:
    """The energy FWHM (eV) of a band centred at ``center_nm`` with wavelength FWHM ``fwhm_nm``."""
    return float(energy(center_nm - fwhm_nm / 2) - energy(center_nm + fwhm_nm / 2))


def gauss_ev(wavelength_nm: np.ndarray, center_nm: float, fwhm_ev: float) -> np.ndarray:
    """A Gaussian in energy, peak 1 at ``center_nm``, FWHM ``fwhm_ev`` (eV), on a nm grid."""
    de = energy(wavelength_nm) - energy(center_nm)
    out: np.ndarray = np.exp(-4.0 * np.log(2.0) * de**2 / fwhm_ev**2)
    return out


def gauss_area_ev(peak: float, fwhm_ev: float) -> float:
    """Area (peak · eV) of a Gaussian in energy with height ``peak`` and FWHM ``fwhm_ev``."""
    return float(peak * fwhm_ev * _GAUSS_AREA)


def sigmoid_ev(wavelength_nm: np.ndarray, edge_nm: float, width_ev: float) -> np.ndarray:
    """A smooth step in energy, 0 on the red side and 1 on the blue side of ``edge_nm``."""
    out: np.ndarray = 0.5 * (1.0 + erf((energy(wavelength_nm) - energy(edge_nm)) / width_ev))
    return out
