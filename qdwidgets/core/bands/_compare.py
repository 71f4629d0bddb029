"""Band fits compared across pump levels: :class:`BandComparison` and :func:`compare`."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ... import _args
from ...errors import FitError
from ...results import Result
from ._band import Band
from ._data import _ta, deconvolve_at, default_delay
from ._result import BandFit


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class BandComparison(Result):
    """Band fits of the same delay at several pump levels (Fig. 2d vs 2e)."""

    fits: tuple[BandFit, ...]
    delay: float

    _summary_fields = ("delay", "fits")

    @property
    def pumps(self) -> tuple[float, ...]:
        return tuple(f.pump for f in self.fits)

    @property
    def converged(self) -> bool:
        """Every pump level's fit converged (see :class:`BandFit`)."""
        return all(f.converged for f in self.fits)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every fit's warnings, each prefixed with its pump level ("pump 250: …")."""
        return tuple(f"pump {f.pump:g}: {w}" for f in self.fits for w in f.warnings)

    def table(self) -> pd.DataFrame:
        """Areas (OD·eV, with errors) and shares (%) per pump level and band."""
        frames = []
        for f in self.fits:
            t = f.table()[["area_OD_eV", "area_err", "share_pct"]].reset_index()
            t.insert(0, "pump", f.pump)
            frames.append(t)
        table: pd.DataFrame = pd.concat(frames, ignore_index=True).set_index(["pump", "band"])
        return table

    def ratio(self, numerator: str = "SE", denominator: str = "GSB") -> tuple[float, ...]:
        """``|area(numerator)|`` / ``|area(denominator)|`` at each pump level (band names; FitError
        naming the fitted bands when one is missing)."""
        out = []
        for f in self.fits:
            a = f.areas
            missing = [n for n in (numerator, denominator) if n not in a]
            if missing:
                names = list(a)
                raise FitError(
                    f"no band {missing[0]!r} in the fit at pump {f.pump:g}; bands are "
                    f"{names}: pass their names, e.g. ratio({names[-1]!r}, {names[0]!r})"
                )
            out.append(abs(a[numerator]) / abs(a[denominator]) if a[denominator] else math.nan)
        return tuple(out)

    def _repr_html_(self) -> str:
        return f"<b>BandComparison</b> at {self.delay:g} ps" + self.table().to_html(
            float_format=lambda v: f"{v:.4g}"
        )


@_args.renamed(x_range="wavelength_range")
def compare(
    ta: xr.Dataset,
    delay: float | None = None,
    *,
    pumps: Sequence[float] | None = None,
    bands: Sequence[Band] | None = None,
    lock_to_spectra: bool = False,
    wavelength_range: tuple[float, float] | None = None,
    max_nfev: int | None = None,
) -> BandComparison:
    """Band fits at ``delay`` (ps; None = :func:`default_delay`) for each pump level in
    ``pumps`` (default: lowest and highest).

    ``bands`` (the same starting bands at every level) default to each level's
    :func:`initial_bands` with ``lock_to_spectra``; ``wavelength_range`` and ``max_nfev`` go to
    :func:`deconvolve`.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD).
    delay : float, optional
        Delay (ps); default :func:`default_delay`.
    pumps : sequence of float, optional
        Pump levels compared (nearest); default the lowest and the highest.
    bands : sequence of Band, optional
        Starting bands used at every level; default each level's :func:`initial_bands`.
    lock_to_spectra : bool, default False
        Pin the GSB and SE shapes to A0 and PL.
    wavelength_range : (float, float), optional
        Wavelength range fitted (nm, low < high; was ``x_range``); default the whole spectrum.
    max_nfev : int, optional
        Most model evaluations (≥ 1).

    Returns
    -------
    BandComparison
        One :class:`BandFit` per pump level, with their ``converged`` and ``warnings``.
    """
    ta = _ta(ta)
    if delay is None:
        delay = default_delay(ta)
    if pumps is not None:
        pumps = [float(v) for v in _args.finite_array("pumps", pumps)]
        if not pumps:
            raise _args.ArgumentError("pumps is empty; give at least one pump level")
    levels = np.asarray(ta["pump"].values, dtype=float)
    if pumps is None:
        pumps = [float(levels[0]), float(levels[-1])] if levels.size > 1 else [float(levels[0])]
    fits = tuple(
        deconvolve_at(
            ta,
            delay,
            pump=p,
            bands=bands,
            lock_to_spectra=lock_to_spectra,
            wavelength_range=wavelength_range,
            max_nfev=max_nfev,
        )
        for p in pumps
    )
    return BandComparison(fits=fits, delay=fits[0].delay)
