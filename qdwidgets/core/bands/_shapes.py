"""Line shapes in photon energy, the nm ↔ eV conversions, and the A0 template.

Bands live in energy E (eV); the data and the plots are in wavelength λ (nm), with
E = 1239.841984 / λ. A band's value at a wavelength is its energy profile evaluated at E(λ):
no Jacobian is applied, because ΔA is an absorbance per probe wavelength, not a density.

Width mapping: ``fwhm_nm`` is the full width at half maximum *as drawn in nm*, i.e. the distance
between the two half-maximum wavelengths hc/(E0 + ΔE/2) and hc/(E0 − ΔE/2) of a band that is
symmetric in energy with centre E0 and energy FWHM ΔE. Hence, exactly,

    fwhm_nm = hc ΔE / (E0² − ΔE²/4),     ΔE = 2 hc w / (λ0² (1 + sqrt(1 + (w/λ0)²)))

with λ0 = hc/E0 and w = fwhm_nm; for narrow bands ΔE ≈ hc w / λ0².
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import xarray as xr
from scipy import optimize, signal, special

from ... import _args
from ..._choices import BAND_SHAPES
from ...data.constants import HC_EV_NM
from ...errors import FitError

HC = HC_EV_NM  # h c / e in eV nm (qdwidgets.data.constants)
SHAPES = BAND_SHAPES
_GAUSS_K = 4.0 * math.log(2.0)


def nm_to_ev(nm: float | np.ndarray) -> float | np.ndarray:
    """Photon energy (eV) of a wavelength (nm).

    Parameters
    ----------
    nm : float or numpy.ndarray
        Wavelength (nm).

    Returns
    -------
    float or numpy.ndarray
        E = hc/λ (eV).

    Examples
    --------
    >>> from qdwidgets.core.bands import nm_to_ev
    >>> round(nm_to_ev(639.0), 3)
    1.94
    """
    out = HC / np.asarray(nm, dtype=float)
    return float(out) if out.ndim == 0 else out


def ev_to_nm(ev: float | np.ndarray) -> float | np.ndarray:
    """Wavelength (nm) of a photon energy (eV).

    Parameters
    ----------
    ev : float or numpy.ndarray
        Photon energy (eV).

    Returns
    -------
    float or numpy.ndarray
        λ = hc/E (nm).

    Examples
    --------
    >>> from qdwidgets.core.bands import ev_to_nm
    >>> round(ev_to_nm(2.0), 1)
    619.9
    """
    out = HC / np.asarray(ev, dtype=float)
    return float(out) if out.ndim == 0 else out


def fwhm_nm_to_ev(center_nm: float, fwhm_nm: float) -> float:
    """Energy FWHM (eV) of a band centred at ``center_nm`` whose drawn FWHM is ``fwhm_nm``."""
    r = fwhm_nm / center_nm
    return 2.0 * HC * fwhm_nm / (center_nm**2 * (1.0 + math.sqrt(1.0 + r * r)))


def fwhm_ev_to_nm(center_ev: float, fwhm_ev: float) -> float:
    """Drawn FWHM (nm) of a band with energy centre ``center_ev`` and energy FWHM ``fwhm_ev``."""
    denom = center_ev**2 - fwhm_ev**2 / 4.0
    if denom <= 0:
        raise FitError(
            f"an energy width of {fwhm_ev:.3g} eV is wider than twice the band energy "
            f"{center_ev:.3g} eV; use a narrower band"
        )
    return HC * fwhm_ev / denom


# -- analytic profiles (peak value = amplitude) -------------------------------------------------


def gaussian(x: np.ndarray, amplitude: float, center: float, fwhm: float) -> np.ndarray:
    """Gaussian in energy: ``amplitude`` at ``center`` (eV), full width ``fwhm`` (eV)."""
    return amplitude * np.exp(-_GAUSS_K * ((x - center) / fwhm) ** 2)


def lorentzian(x: np.ndarray, amplitude: float, center: float, fwhm: float) -> np.ndarray:
    """Lorentzian in energy: ``amplitude`` at ``center`` (eV), full width ``fwhm`` (eV)."""
    return amplitude / (1.0 + 4.0 * ((x - center) / fwhm) ** 2)


def _voigt_unit_fwhm() -> float:
    """FWHM of voigt_profile(x, 1, 1) (Gaussian σ = Lorentzian γ = 1)."""
    peak = float(special.voigt_profile(0.0, 1.0, 1.0))
    half = optimize.brentq(lambda x: special.voigt_profile(x, 1.0, 1.0) - peak / 2, 0.1, 10.0)
    return 2.0 * float(half)


_VOIGT_K = _voigt_unit_fwhm()  # ≈ 3.6013
_VOIGT_PEAK = float(special.voigt_profile(0.0, 1.0, 1.0))


def voigt(x: np.ndarray, amplitude: float, center: float, fwhm: float) -> np.ndarray:
    """Voigt in energy with equal Gaussian σ and Lorentzian γ (as lmfit's VoigtModel default);
    ``amplitude`` at ``center`` (eV), total full width ``fwhm`` (eV)."""
    s = fwhm / _VOIGT_K
    return np.asarray(amplitude * special.voigt_profile(x - center, s, s) * s / _VOIGT_PEAK)


PROFILES: dict[str, Callable[..., np.ndarray]] = {
    "gaussian": gaussian,
    "lorentzian": lorentzian,
    "voigt": voigt,
}


def analytic_area(shape: str, amplitude: float, fwhm_ev: float) -> float:
    """∫ band dE in OD·eV for the analytic shapes."""
    if shape == "gaussian":
        return amplitude * fwhm_ev * math.sqrt(math.pi / _GAUSS_K)
    if shape == "lorentzian":
        return amplitude * math.pi * fwhm_ev / 2.0
    if shape == "voigt":
        return amplitude * (fwhm_ev / _VOIGT_K) / _VOIGT_PEAK
    raise ValueError(shape)


# -- the A0 template --------------------------------------------------------------------------


def make_template(a0: xr.DataArray, *, max_points: int = 601) -> xr.DataArray:
    """The band-edge (1S) absorption peak of ``a0`` as a peak-normalised shape in energy.

    The lowest-energy peak of A0 is located; its red side (lower energies, free of higher
    transitions) is baseline-subtracted, normalised to 1 at the peak and mirrored about the peak
    to give a symmetric shape. Returned over ``energy_offset`` (eV from the peak), with the peak
    energy in ``attrs["peak_ev"]``.
    """
    max_points = _args.integer("max_points", max_points, lo=5, hi=100_000)
    if not isinstance(a0, xr.DataArray) or a0.dims != ("wavelength",):
        raise FitError(
            "a template band needs the steady-state absorbance A0 over ('wavelength',); "
            "pass ta['A0'] from a TA dataset that has A0"
        )
    wl = np.asarray(a0["wavelength"].values, dtype=float)
    val = np.asarray(a0.values, dtype=float)
    if wl.size < 5 or not np.all(np.isfinite(val)):
        raise FitError("A0 must have at least 5 finite points to build a template band")
    order = np.argsort(HC / wl)
    energy, absorb = HC / wl[order], val[order]
    i_peak = band_edge_index(energy, absorb)
    if i_peak < 2:
        raise FitError(
            "A0 has no band-edge peak with a red side inside the data range (its lowest-energy "
            "peak is at the red edge); use a Gaussian GSB band instead of the template"
        )
    e0 = float(energy[i_peak])
    red_e = energy[: i_peak + 1] - e0
    red_v = absorb[: i_peak + 1] - float(absorb[: i_peak + 1].min())
    if red_v[-1] <= 0:
        raise FitError("A0's band-edge peak is not above its red-side baseline; check A0")
    red_v = red_v / red_v[-1]
    span = float(-red_e[0])
    step = min(float(np.min(np.diff(energy))) / 2.0, 2.0 * span / (max_points - 1))
    n_half = max(math.ceil(span / step), 2)
    grid = np.linspace(-n_half * step, n_half * step, 2 * n_half + 1)
    values = np.interp(-np.abs(grid), red_e, red_v, left=0.0, right=1.0)
    return xr.DataArray(
        values,
        dims=("energy_offset",),
        coords={"energy_offset": ("energy_offset", grid, {"units": "eV"})},
        attrs={"units": "1", "long_name": "band-edge template from A0", "peak_ev": e0},
        name="template",
    )


def band_edge_index(energy: np.ndarray, absorb: np.ndarray) -> int:
    """Index (into ascending ``energy``) of the lowest-energy clear peak of an absorbance."""
    span = float(np.ptp(absorb)) or 1.0
    peaks, _ = signal.find_peaks(absorb, prominence=0.05 * span)
    if peaks.size:
        return int(peaks[0])
    return int(np.argmax(absorb))


def transitions(energy: np.ndarray, absorb: np.ndarray) -> list[tuple[float, float]]:
    """Optical transitions hidden in an absorbance: peaks of −d²A/dE² (smoothed), lowest energy
    first, as (centre eV, FWHM eV); the FWHM is 1.1774 × the distance between the curvature's
    zero crossings around the peak (exact for an isolated Gaussian, 2σ apart), NaN for a shoulder
    whose curvature stays negative."""
    order = np.argsort(energy)
    e, a = np.asarray(energy, dtype=float)[order], np.asarray(absorb, dtype=float)[order]
    if e.size < 9:
        return []
    grid = np.linspace(e[0], e[-1], max(200, 2 * e.size))
    step = float(grid[1] - grid[0])
    window = max(7, 2 * int(0.025 / step) + 1)
    if window >= grid.size:
        return []
    curv = -signal.savgol_filter(np.interp(grid, e, a), window, 3, deriv=2, delta=step)
    span = float(np.ptp(curv)) or 1.0
    peaks, _ = signal.find_peaks(curv, prominence=0.05 * span)
    out = []
    for i in peaks:
        if curv[i] <= 0:  # a shoulder on a curved flank: position only
            out.append((float(grid[i]), math.nan))
            continue
        lo = i
        while lo > 0 and curv[lo] > 0:
            lo -= 1
        hi = i
        while hi < curv.size - 1 and curv[hi] > 0:
            hi += 1
        if curv[lo] > 0 or curv[hi] > 0:
            continue  # a curvature peak running off the data: no reliable width
        out.append((float(grid[i]), 1.1774 * float(grid[hi] - grid[lo])))
    return out


def template_fwhm(template: xr.DataArray) -> float:
    """Own FWHM (eV) of a template shape (half-maximum crossings, interpolated)."""
    grid = np.asarray(template["energy_offset"].values, dtype=float)
    vals = np.asarray(template.values, dtype=float)
    right = grid >= 0
    g, v = grid[right], vals[right]
    below = np.flatnonzero(v <= 0.5)
    if below.size == 0:
        return float(2 * g[-1])
    j = int(below[0])
    x = g[j - 1] + (0.5 - v[j - 1]) * (g[j] - g[j - 1]) / (v[j] - v[j - 1])
    return float(2 * x)


def broadened(template: xr.DataArray, fwhm: float) -> tuple[np.ndarray, np.ndarray]:
    """The template on a (padded) offset grid, broadened by a Gaussian so that its nominal FWHM is
    ``fwhm`` (eV): broadening b = sqrt(fwhm² − f0²), f0 the template's own FWHM. Peak = 1.

    The convolution is done in Fourier space, so the result is smooth in b down to b = 0.
    """
    grid = np.asarray(template["energy_offset"].values, dtype=float)
    vals = np.asarray(template.values, dtype=float)
    f0 = template_fwhm(template)
    b = math.sqrt(max(fwhm * fwhm - f0 * f0, 0.0))
    if b == 0.0:
        return grid, vals
    step = float(grid[1] - grid[0])
    n_pad = math.ceil(2.0 * b / step) + 1
    pad = np.arange(1, n_pad + 1) * step
    grid = np.concatenate([grid[0] - pad[::-1], grid, grid[-1] + pad])
    vals = np.concatenate([np.zeros(n_pad), vals, np.zeros(n_pad)])
    sigma = b / math.sqrt(8.0 * math.log(2.0))
    freq = np.fft.rfftfreq(vals.size, d=step)
    out = np.fft.irfft(np.fft.rfft(vals) * np.exp(-2.0 * (math.pi * freq * sigma) ** 2), vals.size)
    peak = float(out[vals.size // 2])  # the symmetric template peaks at offset 0
    return grid, out / peak if peak > 0 else out


def template_profile(template: xr.DataArray) -> Callable[..., np.ndarray]:
    """An lmfit-compatible ``f(x, amplitude, center, fwhm)`` for a template band."""

    def template_band(x: np.ndarray, amplitude: float, center: float, fwhm: float) -> np.ndarray:
        grid, vals = broadened(template, fwhm)
        return np.asarray(amplitude * np.interp(x - center, grid, vals, left=0.0, right=0.0))

    return template_band


def template_area(template: xr.DataArray, amplitude: float, fwhm_ev: float) -> float:
    """∫ template band dE in OD·eV."""
    grid, vals = broadened(template, fwhm_ev)
    return amplitude * float(np.trapezoid(vals, grid))
