"""``Band``: one spectral band (GSB, SE, shell bleach, PIA), defined in energy and drawn in nm."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import xarray as xr

from ... import _args
from ..._choices import HANDLES, BandShape, Handle
from ...errors import FitError
from ...results import Result
from . import _shapes as S

PARAMS = ("center_nm", "fwhm_nm", "amplitude")


def _normalise_vary(vary: Any) -> tuple[str, ...]:
    if vary is True:
        return PARAMS
    if vary is False or vary is None:
        return ()
    items = (vary,) if isinstance(vary, str) else tuple(vary)
    bad = [v for v in items if v not in PARAMS]
    if bad:
        raise FitError(f"vary: unknown parameter {bad[0]!r}; choose from {PARAMS}")
    return tuple(p for p in PARAMS if p in items)


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class Band(Result):
    """A band of the TA spectrum, symmetric in photon energy (see ``_shapes`` for the mapping).

    - ``center_nm``: peak wavelength (nm), i.e. hc / E0.
    - ``fwhm_nm``: full width at half maximum as drawn in nm (exact energy mapping in the
      module doc; for ``template`` bands the nominal width sqrt(f0² + b²) of the A0 template
      of own width f0 broadened by a Gaussian of width b, all in energy).
    - ``amplitude``: peak value (OD); negative for bleach and stimulated emission, positive for
      photo-induced absorption. A fit keeps the sign it starts with.
    - ``shape``: "gaussian", "lorentzian", "voigt" (σ = γ) or "template" (needs ``template``).
    - ``vary``: the parameters a fit may change (the others are locked); True = all.
    - ``*_err``: one-standard-error uncertainties after a fit (NaN before).
    """

    name: str
    center_nm: float
    fwhm_nm: float
    amplitude: float
    shape: BandShape = "gaussian"
    vary: Any = PARAMS
    center_nm_err: float = math.nan
    fwhm_nm_err: float = math.nan
    amplitude_err: float = math.nan
    area_err: float = math.nan
    template: xr.DataArray | None = None

    _summary_fields = ("name", "shape", "center_nm", "fwhm_nm", "amplitude", "area", "vary")

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise FitError("a band needs a non-empty name, e.g. Band('GSB', 639, 25, -0.01)")
        if self.shape not in S.SHAPES:
            raise FitError(f"band {self.name!r}: unknown shape {self.shape!r}; use {S.SHAPES}")
        for key in ("center_nm", "fwhm_nm", "amplitude"):
            value = getattr(self, key)
            try:
                value = float(value)
            except (TypeError, ValueError):
                value = math.nan
            if not math.isfinite(value):
                raise FitError(f"band {self.name!r}: {key} must be a finite number")
            object.__setattr__(self, key, value)
        if self.center_nm <= 0 or self.fwhm_nm <= 0:
            raise FitError(
                f"band {self.name!r}: centre and width must be positive "
                f"(got {self.center_nm:g} nm, {self.fwhm_nm:g} nm)"
            )
        if S.fwhm_nm_to_ev(self.center_nm, self.fwhm_nm) >= 2 * S.HC / self.center_nm:
            raise FitError(f"band {self.name!r}: width {self.fwhm_nm:g} nm is far too wide")
        for key in ("center_nm_err", "fwhm_nm_err", "amplitude_err", "area_err"):
            object.__setattr__(self, key, float(getattr(self, key)))
        object.__setattr__(self, "vary", _normalise_vary(self.vary))
        if self.shape == "template" and self.template is None:
            raise FitError(
                f"band {self.name!r}: shape 'template' needs the A0 template; build it with "
                "template_band(ta['A0'], ...)"
            )

    # -- derived quantities -----------------------------------------------------------------
    @property
    def center_ev(self) -> float:
        """Peak photon energy (eV)."""
        return S.HC / self.center_nm

    @property
    def fwhm_ev(self) -> float:
        """Full width at half maximum in energy (eV)."""
        return S.fwhm_nm_to_ev(self.center_nm, self.fwhm_nm)

    @property
    def area(self) -> float:
        """∫ band dE over photon energy, in OD·eV (signed: negative for bleach and SE)."""
        return band_area(self.shape, self.amplitude, self.fwhm_ev, self.template)

    @property
    def locked(self) -> tuple[str, ...]:
        """The parameters a fit keeps fixed."""
        return tuple(p for p in PARAMS if p not in self.vary)

    @property
    def prefix(self) -> str:
        """The lmfit prefix of this band's model (its name made an identifier, plus '_')."""
        return prefix_of(self.name)

    def replace(self, **changes: Any) -> Band:
        """A copy with ``changes``; uncertainties are cleared when parameters change."""
        if any(k in changes for k in (*PARAMS, "shape", "template")):
            for key in ("center_nm_err", "fwhm_nm_err", "amplitude_err", "area_err"):
                changes.setdefault(key, math.nan)
        return dataclasses.replace(self, **changes)

    def profile(self) -> Any:
        """The energy profile ``f(x_eV, amplitude, center_eV, fwhm_eV)`` of this band."""
        if self.shape == "template":
            assert self.template is not None
            return S.template_profile(self.template)
        return S.PROFILES[self.shape]

    def curve(self, wavelength: Iterable[float] | np.ndarray) -> np.ndarray:
        """The band's values (OD) at the given wavelengths (nm)."""
        x = S.HC / np.asarray(wavelength, dtype=float)
        return np.asarray(self.profile()(x, self.amplitude, self.center_ev, self.fwhm_ev))

    def half_max_nm(self) -> tuple[float, float]:
        """The (blue, red) wavelengths (nm) at which the band is at half its peak."""
        e0, de = self.center_ev, self.fwhm_ev
        return S.HC / (e0 + de / 2), S.HC / (e0 - de / 2)


def band_area(shape: str, amplitude: float, fwhm_ev: float, template: xr.DataArray | None) -> float:
    """Signed area ∫ band dE (OD·eV)."""
    if shape == "template":
        assert template is not None
        return S.template_area(template, amplitude, fwhm_ev)
    return S.analytic_area(shape, amplitude, fwhm_ev)


def prefix_of(name: str) -> str:
    text = re.sub(r"\W", "_", name.strip())
    if not text or text[0].isdigit():
        text = "b_" + text
    return text + "_"


def template_band(
    a0: xr.DataArray,
    *,
    name: str = "GSB",
    amplitude: float = -0.01,
    center_nm: float | None = None,
    fwhm_nm: float | None = None,
    vary: Any = True,
) -> Band:
    """A GSB band shaped like A0's band-edge peak (red side mirrored), shifted and broadened.

    ``center_nm`` defaults to A0's band-edge peak; ``fwhm_nm`` to the template's own width (no
    extra broadening). Widths narrower than the template's own are raised to it in a fit.

    Parameters
    ----------
    a0 : xarray.DataArray
        The steady-state absorbance A0 (OD) over ``wavelength`` (nm).
    name : str, default "GSB"
        The band's name.
    amplitude : float, default -0.01
        Peak value (OD); negative for a bleach.
    center_nm : float, optional
        Peak wavelength (nm); default A0's band-edge peak.
    fwhm_nm : float, optional
        Width (nm); default the template's own.
    vary : bool or sequence of str, default True
        The parameters a fit may change (True: all).

    Returns
    -------
    Band
        A band of shape "template".
    """
    template = S.make_template(a0)
    e0 = float(template.attrs["peak_ev"])
    f0 = S.template_fwhm(template)
    center = S.HC / e0 if center_nm is None else float(center_nm)
    width = S.fwhm_ev_to_nm(S.HC / center, f0) if fwhm_nm is None else float(fwhm_nm)
    return Band(name, center, width, amplitude, shape="template", vary=vary, template=template)


# -- handle geometry (used by the BandDeconvolver view; pure arithmetic) ------------------------


def handles(band: Band) -> dict[str, tuple[float, float]]:
    """Handle positions (nm, OD): 'peak' at the maximum, 'blue'/'red' at half maximum."""
    blue, red = band.half_max_nm()
    half = band.amplitude / 2
    return {"peak": (band.center_nm, band.amplitude), "blue": (blue, half), "red": (red, half)}


def move_handle(band: Band, handle: Handle, x_nm: float, y: float | None = None) -> Band:
    """The band after dragging ``handle`` to ``(x_nm, y)``.

    'peak' moves the centre to ``x_nm`` and the height to ``y``; 'blue'/'red' set the half
    width in energy to ``|E(x_nm) − E0|`` (the other side follows: bands are symmetric in energy).
    """
    x = float(x_nm)
    if not math.isfinite(x) or x <= 0:
        raise FitError(f"cannot move a handle of band {band.name!r} to x = {x_nm!r} nm")
    if handle == "peak":
        height = band.amplitude if y is None else float(y)
        if not math.isfinite(height):
            raise FitError(f"cannot move band {band.name!r} to height {y!r}")
        return band.replace(center_nm=x, amplitude=height)
    if handle not in HANDLES:
        raise FitError(f"unknown handle {handle!r}; use one of {list(HANDLES)}")
    e0 = band.center_ev
    half = abs(S.HC / x - e0)
    minimum = 1e-4 * e0  # keep a drawable width when a side handle is dropped on the peak
    half = min(max(half, minimum), 0.9 * e0)
    return band.replace(fwhm_nm=S.fwhm_ev_to_nm(e0, 2 * half))


def evaluate(bands: Iterable[Band], wavelength: np.ndarray) -> xr.Dataset:
    """Each band's curve (OD) at ``wavelength`` (nm, finite and > 0), one variable per band."""
    wl = _args.finite_array("wavelength", wavelength)
    if np.any(wl <= 0):
        raise _args.ArgumentError("wavelength must be > 0 nm everywhere")
    coords = {"wavelength": ("wavelength", wl, {"units": "nm", "long_name": "probe wavelength"})}
    out = xr.Dataset(coords=coords)
    for band in bands:
        out[band.name] = (
            "wavelength",
            band.curve(wl),
            {"units": "OD", "long_name": f"{band.name} band ({band.shape})"},
        )
    return out
