"""When A_ex stays below zero at one wavelength: :class:`GainWindow` and :func:`gain_window`.

Part of :mod:`qdwidgets.core.gain`, which re-exports everything here (import from there).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ..results import Result
from . import _args
from ._gain_spectrum import _need_a0, _ta, with_units
from ._traces import band_trace, first_crossing, return_above, trace_noise


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainWindow(Result):
    """When A_ex < 0 at one wavelength, per pump level (all delays in ps).

    onset: first robust zero crossing (as :func:`zero_crossing`); onset_stderr its error.
    end: the first return above zero after the onset past which A_ex is clearly positive (the
    mean of the next samples above one standard error; NaN when A_ex is still ≤ 0 at the last
    delay, or without gain); duration = end − onset (NaN when either is NaN);
    lasts_to_end: True where the gain persists to the last measured delay.
    """

    wavelength: float
    pump: tuple[float, ...]
    onset: tuple[float, ...]
    onset_stderr: tuple[float, ...]
    end: tuple[float, ...]
    duration: tuple[float, ...]
    lasts_to_end: tuple[bool, ...]

    _units: ClassVar[dict[str, str]] = {
        "wavelength": "nm",
        "onset": "ps",
        "onset_stderr": "ps",
        "end": "ps",
        "duration": "ps",
    }

    def _fields_for_display(self) -> list[tuple[str, Any]]:
        return with_units(super()._fields_for_display(), self._units)


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
    >>> [round(t, 1) for t in window.onset]  # ps, one per pump level
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
    return GainWindow(
        wavelength=centre,
        pump=tuple(float(v) for v in ds["pump"].values),
        onset=tuple(onset),
        onset_stderr=tuple(err),
        end=tuple(end),
        duration=tuple(b - a for a, b in zip(onset, end, strict=True)),
        lasts_to_end=tuple(lasts),
    )
