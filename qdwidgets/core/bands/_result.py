"""``BandFit``: the result of a band fit, its table of areas and shares, and the lmfit model."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import lmfit
import pandas as pd
import xarray as xr

from ... import _args
from ..._html import escape
from ...results import Result
from ._band import Band


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class BandFit(Result):
    """A fitted band decomposition of one spectrum.

    ``bands`` carry the fitted values with one-standard-error uncertainties (scaled by the
    reduced χ², lmfit's default). ``components`` holds one curve per band (OD), ``best_fit``
    their sum and ``residual`` = data − best_fit, all over the fitted wavelengths (nm).
    ``areas`` are signed ∫ band dE in OD·eV; ``shares`` are ``|area|`` / ``Σ|area|`` in %.

    Fit status (:mod:`qdwidgets.core._status`): ``converged`` (the solver converged and the data
    determine every free parameter), ``message``, ``nfev`` (model evaluations) and ``warnings``
    (named reasons not to trust the numbers; empty when there are none).
    """

    bands: tuple[Band, ...]
    spectrum: xr.DataArray
    components: xr.Dataset
    best_fit: xr.DataArray
    residual: xr.DataArray
    wavelength_range: tuple[float, float]
    chisqr: float = math.nan
    redchi: float = math.nan
    rsquared: float = math.nan
    nfev: int = 0
    message: str = ""
    delay: float = math.nan
    pump: float = math.nan
    converged: bool = True
    warnings: tuple[str, ...] = ()

    _summary_fields = (
        "bands",
        "wavelength_range",
        "redchi",
        "rsquared",
        "delay",
        "pump",
        "converged",
        "message",
        "warnings",
    )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BandFit:
        """Rebuild from :meth:`to_dict` output (older saves with ``x_range`` too)."""
        out = dict(data)
        if "x_range" in out and "wavelength_range" not in out:
            out["wavelength_range"] = out.pop("x_range")
        return super().from_dict(out)

    @property
    def x_range(self) -> tuple[float, float]:
        """Deprecated alias of ``wavelength_range`` (nm)."""
        _args.warn_renamed("BandFit.x_range", "BandFit.wavelength_range")
        return self.wavelength_range

    def __getstate__(self) -> dict[str, Any]:
        # the lmfit result of this session holds the model's functions: not plain data
        return {k: v for k, v in self.__dict__.items() if k != "_lmfit"}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(b.name for b in self.bands)

    def band(self, name: str) -> Band:
        """The fitted band called ``name``."""
        for b in self.bands:
            if b.name == name:
                return b
        raise KeyError(f"no band {name!r}; bands are {self.names}")

    @property
    def areas(self) -> dict[str, float]:
        """Signed band areas ∫ band dE, in OD·eV."""
        return {b.name: b.area for b in self.bands}

    @property
    def area_errors(self) -> dict[str, float]:
        """One-standard-error uncertainties of ``areas`` (OD·eV)."""
        return {b.name: b.area_err for b in self.bands}

    @property
    def shares(self) -> dict[str, float]:
        """Each band's ``|area|`` as a percentage of the summed ``|areas|``."""
        return shares_of(self.bands)

    def table(self) -> pd.DataFrame:
        """One row per band: shape, centre, width, height, area and share with uncertainties."""
        return bands_table(self.bands)

    @property
    def lmfit(self) -> Any:
        """The lmfit ModelResult of this session's fit (None after ``from_dict`` or pickling);
        the same as :meth:`to_lmfit`."""
        return self.to_lmfit()

    def to_lmfit(self) -> Any:
        """The lmfit ModelResult of this session's fit (None after ``from_dict`` or pickling).

        Never runs a fit: it is the object the fit produced, kept out of the result's data."""
        return getattr(self, "_lmfit", None)

    @property
    def model(self) -> Any:
        """The composite lmfit model (x in eV), one prefix per band."""
        return build_model(self.bands)

    def _repr_html_(self) -> str:
        lo, hi = self.wavelength_range
        head = (
            f"<b>BandFit</b> {escape(self.message)} — reduced χ² {self.redchi:.3g}, "
            f"R² {self.rsquared:.5f}, {lo:.1f}–{hi:.1f} nm"
        )
        notes = "".join(f"<li>{escape(w)}</li>" for w in self.warnings)
        if notes:
            head += f"<ul>{notes}</ul>"
        return head + self.table().to_html(float_format=lambda v: f"{v:.4g}")


def shares_of(bands: Sequence[Band]) -> dict[str, float]:
    """Each band's ``|area|`` as a percentage of the summed ``|areas|`` (NaN when all are zero)."""
    areas = {b.name: b.area for b in bands}
    total = sum(abs(a) for a in areas.values())
    if total == 0:
        return dict.fromkeys(areas, math.nan)
    return {n: 100.0 * abs(a) / total for n, a in areas.items()}


def bands_table(bands: Sequence[Band]) -> pd.DataFrame:
    """One row per band: shape, centre (nm), FWHM (nm), height (OD), area (OD·eV), share (%),
    with the one-standard-error uncertainties (NaN for bands that were not fitted)."""
    shares = shares_of(bands)
    rows = [
        {
            "band": b.name,
            "shape": b.shape,
            "center_nm": b.center_nm,
            "center_nm_err": b.center_nm_err,
            "fwhm_nm": b.fwhm_nm,
            "fwhm_nm_err": b.fwhm_nm_err,
            "amplitude_OD": b.amplitude,
            "amplitude_err": b.amplitude_err,
            "area_OD_eV": b.area,
            "area_err": b.area_err,
            "share_pct": shares[b.name],
        }
        for b in bands
    ]
    columns = [
        "band",
        "shape",
        "center_nm",
        "center_nm_err",
        "fwhm_nm",
        "fwhm_nm_err",
        "amplitude_OD",
        "amplitude_err",
        "area_OD_eV",
        "area_err",
        "share_pct",
    ]
    frame: pd.DataFrame = pd.DataFrame(rows, columns=columns).set_index("band")
    return frame


# -- building the lmfit model -----------------------------------------------------------------


def build_model(bands: Sequence[Band]) -> Any:
    """The sum of one lmfit Model per band, composed by prefix (x in eV)."""
    model: Any = None
    for band in bands:
        m = lmfit.Model(band.profile(), prefix=band.prefix, independent_vars=["x"])
        model = m if model is None else model + m
    return model
