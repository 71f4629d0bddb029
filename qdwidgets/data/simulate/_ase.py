"""``simulate.ase``: emission spectra vs CW pump power, without and with optical feedback.

Model, per feedback condition f, power P (mW) and wavelength λ (a.u. of emitted power):

    E_f(P, λ) = s_sp·(1 + R·[f == "mirror"])·P·PL(λ)            spontaneous, linear in power
              + L·lamp(λ)·[f == "lamp"]                          the lamp's own light, constant
              + slope_f · softplus_k(P − P_th,f) · ASE(λ)        amplified part above threshold

PL is a Gaussian in energy (654 nm, FWHM 34.5 nm), the lamp one of 654 nm, FWHM 18 nm, the
amplified line a narrower Gaussian (``ase_fwhm_nm``) at the PL peak, so the total line narrows as
the amplified part takes over (linewidth narrowing). A mirror of reflectance R sends the
spontaneous emission back through the collection path: the collected spontaneous part is
(1 + R) times larger (doubled for R = 1). softplus_k(x) = k·ln(1 + e^{x/k}) with k = ``knee_mW``
(k = 0: a sharp corner max(x, 0)); its asymptotes cross at P_th for every k. Noise: Gaussian,
std = ``noise`` × the largest noiseless value of each feedback condition (each series is
recorded with its own detector range).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ..._choices import BeamProfile
from ...errors import DatasetError
from ...results import Result
from ..constants import w_cm2_per_mW
from ..contract import BEAM_PROFILES, validate
from . import _spectra as S


def softplus(x: np.ndarray, knee: float) -> np.ndarray:
    """knee·ln(1 + exp(x/knee)); max(x, 0) for knee = 0."""
    x = np.asarray(x, dtype=float)
    if knee <= 0:
        clipped: np.ndarray = np.maximum(x, 0.0)
        return clipped
    return knee * np.logaddexp(0.0, x / knee)


@dataclass(frozen=True, repr=False, eq=False)
class ASETruth(Result):
    """What the ASE simulator used. Powers in mW, wavelengths in nm, emission in a.u.

    Attributes
    ----------
    feedback : tuple of str
        Feedback labels, "none" first.
    thresholds_mW : dict of str to float
        Threshold power (mW) per feedback label.
    thresholds_W_cm2 : dict of str to float
        The thresholds as pump intensity (W cm⁻²) for the spot and beam profile.
    knee_mW : float
        Softness of the threshold corner (mW); 0 is a sharp corner.
    slopes : dict of str to float
        Amplified peak emission per mW above threshold (a.u./mW).
    spontaneous : float
        Spontaneous peak emission per mW (a.u./mW).
    mirror_reflectance : float
        R: the mirror multiplies the spontaneous part by 1 + R.
    lamp_level : float
        Peak of the lamp's own spectrum (a.u.).
    lamp_peak_nm : float
        Centre of the lamp's spectrum (nm).
    lamp_fwhm_nm : float
        FWHM of the lamp's spectrum (nm).
    pl_peak_nm : float
        Centre of the PL band (nm).
    pl_fwhm_nm : float
        FWHM of the PL band (nm).
    ase_fwhm_nm : float
        FWHM of the amplified line (nm).
    spot_diameter_mm : float
        Pump spot diameter (mm).
    beam_profile : str
        "tophat" (flat-top diameter) or "gaussian" (1/e² diameter).
    noise : float
        Noise std relative to each condition's largest noiseless value.
    noise_std : dict of str to float
        The std per feedback condition (a.u.).
    seed : int or None
        Seed of the noise (None: a fresh one).
    """

    feedback: tuple[str, ...]
    thresholds_mW: dict[str, float]
    thresholds_W_cm2: dict[str, float]
    knee_mW: float
    slopes: dict[str, float]
    spontaneous: float
    mirror_reflectance: float
    lamp_level: float
    lamp_peak_nm: float
    lamp_fwhm_nm: float
    pl_peak_nm: float
    pl_fwhm_nm: float
    ase_fwhm_nm: float
    spot_diameter_mm: float
    beam_profile: str
    noise: float
    noise_std: dict[str, float]
    seed: int | None

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "feedback",
        "thresholds_mW",
        "thresholds_W_cm2",
        "knee_mW",
        "slopes",
        "noise",
    )

    def shapes(self, wavelength: np.ndarray) -> dict[str, np.ndarray]:
        """Peak-1 spectral shapes ``pl``, ``lamp`` and ``ase`` on ``wavelength`` (nm)."""
        wl = np.asarray(wavelength, dtype=float)
        return {
            "pl": S.gauss_ev(
                wl, self.pl_peak_nm, S.fwhm_nm_to_ev(self.pl_peak_nm, self.pl_fwhm_nm)
            ),
            "lamp": S.gauss_ev(
                wl, self.lamp_peak_nm, S.fwhm_nm_to_ev(self.lamp_peak_nm, self.lamp_fwhm_nm)
            ),
            "ase": S.gauss_ev(
                wl, self.pl_peak_nm, S.fwhm_nm_to_ev(self.pl_peak_nm, self.ase_fwhm_nm)
            ),
        }

    def emission(self, power: np.ndarray, wavelength: np.ndarray) -> np.ndarray:
        """Noiseless emission (a.u.), shape (feedback, power, wavelength)."""
        p = np.asarray(power, dtype=float)
        sh = self.shapes(wavelength)
        out = np.empty((len(self.feedback), p.size, sh["pl"].size))
        for i, f in enumerate(self.feedback):
            spont = self.spontaneous * (1.0 + (self.mirror_reflectance if f == "mirror" else 0))
            e = spont * np.outer(p, sh["pl"])
            if f == "lamp":
                e = e + self.lamp_level * sh["lamp"][None, :]
            if f in self.thresholds_mW:
                amp = self.slopes[f] * softplus(p - self.thresholds_mW[f], self.knee_mW)
                e = e + np.outer(amp, sh["ase"])
            out[i] = e
        return out

    def peak(self, power: np.ndarray) -> np.ndarray:
        """Noiseless emission at the PL peak wavelength (a.u.), shape (feedback, power)."""
        return self.emission(power, np.array([self.pl_peak_nm]))[:, :, 0]


def ase(
    power: Any = None,
    wavelength: Any = None,
    *,
    thresholds_mW: Mapping[str, float] | None = None,
    slopes: Mapping[str, float] | None = None,
    knee_mW: float = 0.0,
    spontaneous: float = 1.0,
    mirror_reflectance: float = 1.0,
    lamp_level: float | None = None,
    lamp_peak_nm: float = 654.0,
    lamp_fwhm_nm: float = 18.0,
    pl_peak_nm: float = 654.0,
    pl_fwhm_nm: float = 34.5,
    ase_fwhm_nm: float = 12.0,
    spot_diameter_mm: float = 1.0,
    beam_profile: BeamProfile = "tophat",
    pump_wavelength_nm: float = 532.0,
    noise: float = 0.005,
    seed: int | None = 0,
    attrs: Mapping[str, Any] | None = None,
) -> tuple[xr.Dataset, ASETruth]:
    """Simulate CW-pumped emission spectra; returns ``(dataset, truth)`` (model: module doc).

    Units are given with each parameter; defaults resemble Das et al. 2023, Fig. 3.

    Parameters
    ----------
    power
        CW pump powers (mW); default 0–500 mW every 10 mW.
    wavelength
        emission wavelengths (nm); default 580–730 nm every 1 nm.
    thresholds_mW
        threshold per feedback label (mW); default {"lamp": 150, "mirror": 250}. "none" (no
        feedback, always present) has no amplified part unless listed here.
    slopes
        amplified peak emission per mW above threshold (a.u./mW), same keys; default {"lamp": 0.15,
        "mirror": 1.5} (the lamp's enhancement is ~10× smaller).
    knee_mW
        softness of the threshold (mW); 0 = sharp corner, > 0 = softplus knee.
    spontaneous
        spontaneous peak emission per mW of pump (a.u./mW).
    mirror_reflectance
        R; the mirror multiplies the collected spontaneous part by 1 + R.
    lamp_level
        peak of the lamp's own spectrum (a.u.); default the spontaneous peak at 10 mW (the paper
        matched the lamp to the emission at the lowest power).
    lamp_peak_nm, lamp_fwhm_nm
        the lamp's spectrum (nm).
    pl_peak_nm, pl_fwhm_nm
        the PL band (nm).
    ase_fwhm_nm
        the amplified line's FWHM (nm).
    spot_diameter_mm, beam_profile
        pump spot ("tophat": flat-top diameter; "gaussian": 1/e² diameter), used for the thresholds
        in W cm⁻²; stored in attrs.
    pump_wavelength_nm
        CW pump wavelength (nm), stored in attrs.
    noise
        Gaussian noise std relative to the largest noiseless value of each feedback condition (0.005
        = 0.5 %).
    seed
        seed of the noise generator.
    attrs
        extra dataset attributes.

    Returns
    -------
    dataset : xarray.Dataset
        A validated ASE dataset (``emission`` over ``feedback``, ``power`` in mW, ``wavelength``
        in nm).
    truth : ASETruth
        The thresholds, slopes and spectra the simulation used.

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> ds, truth = simulate.ase(seed=1)
    >>> truth.thresholds_mW, round(truth.thresholds_W_cm2["lamp"], 1)
    ({'lamp': 150.0, 'mirror': 250.0}, 19.1)
    """
    powers = np.arange(0.0, 500.5, 10.0) if power is None else np.asarray(power, float).ravel()
    wls = np.arange(580.0, 730.5, 1.0) if wavelength is None else np.asarray(wavelength, float)
    for name, arr in (("power", powers), ("wavelength", wls)):
        if arr.size < 2 or not np.all(np.isfinite(arr)) or np.any(np.diff(arr) <= 0):
            raise DatasetError(
                f"simulate.ase: {name} must be at least 2 finite, strictly "
                "increasing values. Fix: pass e.g. np.linspace(...)"
            )
    if powers[0] < 0 or wls[0] <= 0:
        raise DatasetError(
            "simulate.ase: power must be >= 0 mW and wavelength > 0 nm. Fix: pass physical values"
        )
    th = dict(thresholds_mW if thresholds_mW is not None else {"lamp": 150.0, "mirror": 250.0})
    sl = dict(slopes if slopes is not None else {"lamp": 0.15, "mirror": 1.5})
    missing = [k for k in th if k not in sl]
    if missing:
        raise DatasetError(
            f"simulate.ase: no slope for feedback {missing[0]!r}. Fix: give "
            "slopes with the same keys as thresholds_mW"
        )
    if beam_profile not in BEAM_PROFILES:
        raise DatasetError(
            f"simulate.ase: unknown beam_profile {beam_profile!r}. Fix: use one of "
            f"{list(BEAM_PROFILES)}"
        )
    if knee_mW < 0 or noise < 0 or spot_diameter_mm <= 0:
        raise DatasetError(
            "simulate.ase: knee_mW and noise must be >= 0 and spot_diameter_mm "
            "> 0. Fix: use the defaults"
        )
    feedback = ("none", *[k for k in th if k != "none"])
    truth = ASETruth(
        feedback=feedback,
        thresholds_mW={k: float(v) for k, v in th.items()},
        thresholds_W_cm2={
            k: float(v) * w_cm2_per_mW(spot_diameter_mm, beam_profile) for k, v in th.items()
        },
        knee_mW=float(knee_mW),
        slopes={k: float(sl[k]) for k in th},
        spontaneous=float(spontaneous),
        mirror_reflectance=float(mirror_reflectance),
        lamp_level=float(10.0 * spontaneous if lamp_level is None else lamp_level),
        lamp_peak_nm=float(lamp_peak_nm),
        lamp_fwhm_nm=float(lamp_fwhm_nm),
        pl_peak_nm=float(pl_peak_nm),
        pl_fwhm_nm=float(pl_fwhm_nm),
        ase_fwhm_nm=float(ase_fwhm_nm),
        spot_diameter_mm=float(spot_diameter_mm),
        beam_profile=beam_profile,
        noise=float(noise),
        noise_std={},
        seed=None if seed is None else int(seed),
    )
    clean = truth.emission(powers, wls)
    std = noise * np.abs(clean).max(axis=(1, 2))
    truth = dataclasses.replace(
        truth, noise_std={f: float(v) for f, v in zip(feedback, std, strict=True)}
    )
    data = clean + np.random.default_rng(seed).normal(0.0, 1.0, clean.shape) * std[:, None, None]
    ds = xr.Dataset(
        {
            "emission": (
                ("feedback", "power", "wavelength"),
                data,
                {"units": "a.u.", "long_name": "emission intensity"},
            )
        },
        coords={
            "feedback": (
                "feedback",
                np.array(feedback),
                {"long_name": "optical feedback (none = reference)"},
            ),
            "power": ("power", powers, {"units": "mW", "long_name": "CW pump power"}),
            "wavelength": ("wavelength", wls, {"units": "nm", "long_name": "emission wavelength"}),
        },
        attrs={
            "qd_kind": "ase",
            "spot_diameter_mm": float(spot_diameter_mm),
            "beam_profile": beam_profile,
            "pump_wavelength_nm": float(pump_wavelength_nm),
            "sample": "simulated Cd1-xZnxSe/ZnSe quantum dots",
            "solvent": "toluene",
            "description": "simulated by qdwidgets.data.simulate.ase",
            "simulated": 1,
            "seed": -1 if seed is None else int(seed),
            **(attrs or {}),
        },
    )
    return validate(ds), truth
