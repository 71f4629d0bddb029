"""KineticsFitter helpers: the fit recipe and its code (the default window from the data is
``core.kinetics.dataset.after_rise_window``).

A *recipe* records what the last "Fit" did (where the trace came from, the window, and per pump
level the start values and the held parameters), so that :func:`recipe_code` writes
Python that repeats it exactly with the public ``qdwidgets.core.kinetics`` functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


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
