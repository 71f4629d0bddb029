"""When A_ex stays below zero at one wavelength: :class:`GainWindow` and :func:`gain_window`.

Part of :mod:`qdwidgets.core.gain`, which re-exports everything here (import from there).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from .. import _args
from ..results import Result
from ._gain_spectrum import _need_a0, _ta, legacy_per_pump, per_pump, with_units
from ._traces import band_trace, first_crossing, return_above, trace_noise


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainWindow(Result):
    """When A_ex < 0 at one wavelength, per pump level (all delays in ps).

    Each per-pump value is a DataArray over ``pump`` (with units), like
    :func:`zero_crossing`'s. onset: first robust zero crossing (as :func:`zero_crossing`);
    onset_stderr its error. end: the first return above zero after the onset past which A_ex is
    clearly positive (the mean of the next samples above one standard error; NaN when A_ex is
    still ≤ 0 at the last delay, or without gain); duration = end − onset (NaN when either is
    NaN); lasts_to_end: True where the gain persists to the last measured delay. Saves written
    before 0.2 (tuples per pump level) still load.
    """

    wavelength: float
    pump: tuple[float, ...]
    onset: xr.DataArray
    onset_stderr: xr.DataArray
    end: xr.DataArray
    duration: xr.DataArray
    lasts_to_end: xr.DataArray

    _units: ClassVar[dict[str, str]] = {
        "wavelength": "nm",
        "onset": "ps",
        "onset_stderr": "ps",
        "end": "ps",
        "duration": "ps",
    }

    _per_pump: ClassVar[dict[str, tuple[str, str]]] = {
        "onset": ("ps", "gain onset (first zero crossing of A_ex)"),
        "onset_stderr": ("ps", "standard error of the gain onset"),
        "end": ("ps", "end of the gain (A_ex back above zero)"),
        "duration": ("ps", "gain duration"),
        "lasts_to_end": ("", "gain lasts to the last delay"),
    }

    def _fields_for_display(self) -> list[tuple[str, Any]]:
        return with_units(super()._fields_for_display(), self._units)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GainWindow:
        """Rebuild from :meth:`to_dict` output (older saves with tuples per pump level too)."""
        return super().from_dict(legacy_per_pump(data, cls._per_pump))


# its public home, named by saved states and pickles (set after the class is made, as for
# GainSpectrum)
GainWindow.__module__ = "qdwidgets.core.gain"


def gain_window(
    ta: xr.Dataset, wavelength: float, *, band_nm: float = 0.0, k: float = 1.0, confirm: int = 5
) -> GainWindow:
    """Onset, end and duration (ps) of A_ex < 0 at ``wavelength`` nm per pump level.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset with ``dA`` and ``A0`` (OD).
    wavelength : float
        Probe wavelength (nm).
    band_nm : float, default 0
        Width (nm) of the wavelength band averaged around ``wavelength``.
    k, confirm
        The noise rule of :func:`zero_crossing` (k in units of the noise σ; samples).

    Returns
    -------
    GainWindow
        Per pump level: ``onset``, ``onset_stderr``, ``end`` and ``duration`` in ps, and
        ``lasts_to_end``.

    Raises
    ------
    DatasetError
        When the dataset has no ``A0``, or ``wavelength`` lies outside the measured range.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import gain_window
    >>> window = gain_window(qdwidgets.examples.ta(), 639.0)
    >>> window.onset.round(1).values.tolist()  # ps, over pump
    [2.3, 0.8]
    """
    band_nm = _args.non_negative("band_nm", band_nm, unit="nm")
    k = _args.non_negative("k", k)
    confirm = _args.integer("confirm", confirm, lo=0, hi=10_000)
    ds = _ta(ta)
    _need_a0(ds)
    t = ds["delay"].values
    x = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength").values
    trace, centre = band_trace(x, ds["wavelength"].values, float(wavelength), band_nm)
    sigma = trace_noise(t, trace)
    onset, err, end, lasts = [], [], [], []
    for p in range(trace.shape[0]):
        root, e, j = first_crossing(t, trace[p], float(sigma[p]), k=k, confirm=confirm)
        onset.append(root)
        err.append(e)
        if j < 0:
            end.append(float("nan"))
            lasts.append(False)
            continue
        back = return_above(t, trace[p], j, float(sigma[p]), k, confirm)
        end.append(back)
        lasts.append(bool(np.isnan(back)))
    values = {
        "onset": onset,
        "onset_stderr": err,
        "end": end,
        "duration": [b - a for a, b in zip(onset, end, strict=True)],
        "lasts_to_end": lasts,
    }
    arrays = {
        name: per_pump(v, ds["pump"], name, *GainWindow._per_pump[name])
        for name, v in values.items()
    }
    return GainWindow(wavelength=centre, pump=tuple(float(v) for v in ds["pump"].values), **arrays)
