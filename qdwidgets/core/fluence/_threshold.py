"""``gain_threshold_occupancy``: the ⟨N⟩ at which A_ex at the band edge turns negative."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ... import _args
from ...errors import FitError
from ...results import Result
from ..kinetics._options import fit_options
from ._data import series
from ._result import CascadeFit


@dataclass(frozen=True, repr=False, eq=False)
class OccupancyThreshold(Result):
    """Where A_ex = ΔA + A0 at the band edge crosses zero against ⟨N⟩, at one delay.

    ``occupancy`` ⟨N⟩ of the crossing and its ``occupancy_stderr`` (the noise of A_ex and the
    error of the ⟨N⟩ values propagated through the interpolation between the bracketing
    levels; NaN without a crossing), ``delay`` (ps) and ``wavelength`` (nm); ``a_ex`` (OD)
    over ``pump`` with the ⟨N⟩ used as the ``occupancy`` coordinate; ``noise`` (OD);
    ``warnings``.
    """

    occupancy: float
    occupancy_stderr: float
    delay: float
    wavelength: float
    a_ex: xr.DataArray
    noise: float
    occupancy_source: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "occupancy",
        "occupancy_stderr",
        "delay",
        "wavelength",
        "occupancy_source",
        "warnings",
    )

    @property
    def has_gain(self) -> bool:
        """True when some level reaches A_ex < 0 at this delay."""
        return math.isfinite(self.occupancy)


def _occupancies(s: Any, occupancy: Any) -> tuple[np.ndarray, np.ndarray, str]:
    """⟨N⟩ per level (pump order of ``s``) and its standard errors, and where they came from."""
    if isinstance(occupancy, CascadeFit):
        n = np.interp(s.pump, occupancy.pump, occupancy.occupancy.values)
        rel = occupancy.cross_section_stderr / occupancy.cross_section
        return n, n * (rel if math.isfinite(rel) else math.inf), "fit_cascade"
    if occupancy is not None:
        with fit_options():
            n = _args.finite_array("occupancy", occupancy, length=s.pump.size)
        if np.any(n <= 0):
            raise FitError("occupancy must be positive, one ⟨N⟩ per pump level")
        return n, np.zeros_like(n), "given"
    if s.occupancy is None:
        raise FitError(
            "the dataset has no 'occupancy' coordinate (⟨N⟩ per pump level). Fix: pass "
            "occupancy=fit_cascade(ta) (or ⟨N⟩ values, one per level), or assign the coordinate"
        )
    return s.occupancy, np.zeros_like(s.occupancy), "dataset"


def gain_threshold_occupancy(
    ta: xr.Dataset,
    delay: float,
    *,
    wavelength: float | None = None,
    band_nm: float = 0.0,
    occupancy: Any = None,
) -> OccupancyThreshold:
    """The ⟨N⟩ at which A_ex = ΔA + A0 at the band edge crosses zero at ``delay``.

    A_ex at ``delay`` (linear interpolation between the two nearest delays) per pump level is
    interpolated linearly in ⟨N⟩ between the last level above zero and the first at or below
    it. Its error combines the noise of A_ex (from the data before time zero) and the relative
    error of ⟨N⟩.

    Parameters
    ----------
    ta : xarray.Dataset
        TA dataset with A0 and at least three pump levels.
    delay : float
        Pump-probe delay (ps) inside the measured window.
    wavelength : float, optional
        Probe wavelength (nm); default :func:`qdwidgets.core.gain.band_edge`.
    band_nm : float
        Average over ± band_nm/2.
    occupancy : CascadeFit or array-like, optional
        ⟨N⟩ per level: a :class:`CascadeFit` (with its error), values in pump order, or by
        default the dataset's ``occupancy`` coordinate.

    Returns
    -------
    OccupancyThreshold
        NaN ⟨N⟩ with a warning when no level (or every level) has A_ex < 0.
    """
    from .._gain_spectrum import _need_a0

    s = series(ta, wavelength, band_nm)
    with fit_options():
        delay = _args.number("delay", delay, lo=float(s.t[0]), hi=float(s.t[-1]), unit="ps")
    _need_a0(ta)
    wl = ta["wavelength"].values
    sel = np.abs(wl - s.wavelength) <= max(band_nm, 0.0) / 2.0 + 1e-9
    if not sel.any():
        sel = np.abs(wl - s.wavelength) == np.min(np.abs(wl - s.wavelength))
    a0 = float(np.asarray(ta["A0"].values, dtype=float)[sel].mean())
    n, n_err, source = _occupancies(s, occupancy)
    a = np.array([np.interp(delay, s.t, yi) for yi in s.y]) + a0
    noise = float(np.median(s.noise))
    a_ex = xr.DataArray(
        a,
        dims="pump",
        coords={
            "pump": ("pump", s.pump, {"units": s.pump_units, "long_name": "pump level"}),
            "occupancy": ("pump", n, {"units": "1", "long_name": "⟨N⟩"}),
        },
        name="A_ex",
        attrs={"units": "OD", "long_name": f"A_ex at {s.wavelength:g} nm, {delay:g} ps"},
    )
    warnings: list[str] = []
    below = np.flatnonzero(a <= 0)
    value, err = math.nan, math.nan
    if below.size == 0:
        warnings.append(
            f"A_ex stays positive at every level at {delay:g} ps (highest ⟨N⟩ = {n[-1]:.3g}): "
            "no gain at this delay; choose another delay (after the cooling, before the Auger "
            "decay) or measure higher pump levels"
        )
    elif below[0] == 0:
        warnings.append(
            f"A_ex is already ≤ 0 at the lowest level (⟨N⟩ = {n[0]:.3g}) at {delay:g} ps: the "
            "threshold lies below the measured range; measure lower pump levels"
        )
    else:
        i = int(below[0])
        n1, n2, a1, a2 = n[i - 1], n[i], a[i - 1], a[i]
        value = float(n1 + (n2 - n1) * a1 / (a1 - a2))
        d1 = (n2 - n1) * (-a2) / (a1 - a2) ** 2
        d2 = (n2 - n1) * a1 / (a1 - a2) ** 2
        rel = float(n_err[i] / n2) if n2 > 0 else 0.0
        err = float(math.sqrt((d1 * noise) ** 2 + (d2 * noise) ** 2 + (rel * value) ** 2))
        if np.any(a[i:] > 0):
            warnings.append(
                "A_ex returns above zero at a higher level: the crossing is not monotonic in "
                "⟨N⟩ (noise?); the first crossing is reported"
            )
    return OccupancyThreshold(
        occupancy=value,
        occupancy_stderr=err,
        delay=float(delay),
        wavelength=s.wavelength,
        a_ex=a_ex,
        noise=noise,
        occupancy_source=source,
        warnings=tuple(warnings),
    )
