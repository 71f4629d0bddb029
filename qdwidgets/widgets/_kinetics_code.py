"""KineticsFitter helpers: the default fit window from the data, the fit recipe and its code.

A *recipe* records what the last "Fit" did (where the trace came from, the window, and per pump
level the start values and the held parameters), so that :func:`recipe_code` writes
Python that repeats it exactly with the public ``qdwidgets.core.kinetics`` functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from ..core.kinetics.start import guess_t0_fwhm

#: the default window starts this many IRF widths (FWHM) after time zero: the rise is over
RISE_WIDTHS = 2.5


def onset(trace: xr.DataArray) -> tuple[float, float]:
    """Time zero and rise width (ps) of one trace over ``delay`` (finite points only)."""
    t = np.asarray(trace["delay"].values, dtype=float)
    y = np.asarray(trace.values, dtype=float)
    ok = np.isfinite(t) & np.isfinite(y)
    if ok.sum() < 3:
        return float(t[0]), 0.0
    return guess_t0_fwhm(t[ok], y[ok])


def default_window(traces: xr.DataArray) -> tuple[float, float]:
    """The fit window (ps) after the rise: from the first measured delay at or after
    t0 + 2.5 IRF widths (the latest over the pump levels) to the last delay."""
    t = np.asarray(traces["delay"].values, dtype=float)
    ends = []
    for i in range(traces.sizes.get("pump", 1)):
        one = traces.isel(pump=i) if "pump" in traces.dims else traces
        t0, fwhm = onset(one)
        ends.append(t0 + RISE_WIDTHS * fwhm)
    after = t[t >= max(ends)]
    if after.size <= 4:
        return float(t[0]), float(t[-1])
    start = float(after[0])
    before = t[t < start]
    # shown in a box: the shortest decimal at or below the first delay that keeps the same
    # delays in the window (5.227491 → 5.2 when the delay before it is 5.1)
    for digits in range(7):
        short = math.floor(start * 10**digits) / 10**digits
        if before.size == 0 or short > before[-1]:
            start = short
            break
    return start, float(t[-1])


@dataclass
class Recipe:
    """What one press of "Fit" did (see :func:`recipe_code`)."""

    wavelength: float
    band_nm: float
    pumps: list[float] | None
    window: tuple[float, float]
    n_components: int
    offset: bool
    initial: list[dict[str, float]] = field(default_factory=list)
    fixed: list[list[str]] = field(default_factory=list)


def _lit(value: Any) -> str:
    """A Python literal that reads back as exactly ``value`` (floats via repr)."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float('{value}')"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_lit(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_lit(v) for v in value) + "]"
    return repr(value)


def recipe_code(r: Recipe, data_name: str, n_pumps: int) -> str:
    """Python that repeats recipe ``r`` on the dataset named ``data_name``; leaves ``result``."""
    lines = [
        "from qdwidgets.core import kinetics as K",
        "from qdwidgets.data import validate",
        "",
        f"ds = validate({data_name}, 'ta')",
    ]
    if r.pumps is not None:
        lines.append(f"ds = ds.sel(pump={_lit(list(r.pumps))}, method='nearest')")
    lines += [
        f"trace = K.extract_trace(ds, {_lit(r.wavelength)}, band_nm={_lit(r.band_nm)})",
        "if 'pump' not in trace.dims:",
        "    trace = trace.expand_dims('pump')",
        f"window = trace.sel(delay=slice({_lit(r.window[0])}, {_lit(r.window[1])}))",
        "fits = []",
    ]
    for i in range(n_pumps):
        lines += [
            "fits.append(",
            "    K.fit_trace(",
            f"        window.isel(pump={i}),",
            f"        {r.n_components},",
            f"        offset={r.offset!r},",
            f"        initial={_lit(r.initial[i])},",
            f"        fixed={_lit(r.fixed[i])},",
            "    )",
            ")",
        ]
    if n_pumps == 1:
        lines.append("result = fits[0]")
    else:
        lines.append(
            "result = K.KineticsSeries(fits=tuple(fits), "
            f"wavelength=float(trace['wavelength']), band_nm={_lit(r.band_nm)})"
        )
    return "\n".join(lines) + "\n"
