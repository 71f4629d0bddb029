"""BandDeconvolver helpers: the legend with colour swatches, and the last fit as Python code."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _args as A
from .._html import escape
from ..core import bands as B
from ..errors import FitError
from ._band_panel import COLORS, Panel
from ._base import identifier

_SWATCH = (
    "<span style='display:inline-block;width:14px;height:0;border-top:{w}px {style} {c};"
    "vertical-align:middle;margin:0 4px 0 10px'></span>{label}"
)


def legend_html(names: Sequence[str]) -> str:
    """One swatch per band (in its colour), then data, sum and residual as they are drawn."""
    items = [
        _SWATCH.format(w=3, style="solid", c=COLORS[i % len(COLORS)], label=escape(name))
        for i, name in enumerate(names)
    ]
    items += [
        _SWATCH.format(w=2, style="dotted", c="#555555", label="data"),
        _SWATCH.format(w=2, style="dashed", c="var(--jp-content-font-color1, #111)", label="sum"),
        _SWATCH.format(w=1, style="solid", c="#e377c2", label="residual"),
    ]
    return "<div class='qd-legend' style='font-size:12px'>" + "".join(items) + "</div>"


def _lit(value: Any) -> str:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"float('{value}')"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(_lit(v) for v in value)
        return f"({inner},)" if isinstance(value, tuple) and len(value) == 1 else f"({inner})"
    return repr(value)


def band_code(band: B.Band) -> str:
    """``B.Band(...)`` that rebuilds ``band`` (a template band from the dataset's A0)."""
    args = [
        repr(band.name),
        _lit(band.center_nm),
        _lit(band.fwhm_nm),
        _lit(band.amplitude),
        f"shape={band.shape!r}",
        f"vary={_lit(tuple(band.vary))}",
    ]
    if band.shape == "template":
        args.append("template=template")
    return "B.Band(" + ", ".join(args) + ")"


def comparison_code(
    data_name: str,
    delay: float,
    pumps: Sequence[float],
    starts: Sequence[Sequence[B.Band]],
    wavelength_range: tuple[float, float] | None,
    options: dict[str, Any],
) -> str:
    """Python that fits ``starts`` (one band list per pump level) at ``delay`` on the dataset
    named ``data_name`` and leaves the ``BandComparison`` in ``result``."""
    lines = [
        "from qdwidgets.core import bands as B",
        "from qdwidgets.data import validate",
        "",
        f"ds = validate({data_name}, 'ta')",
    ]
    if any(b.shape == "template" for bs in starts for b in bs):
        lines.append("template = B.make_template(ds['A0'])")
    opts = {
        **options,
        **({"wavelength_range": wavelength_range} if wavelength_range is not None else {}),
    }
    extra = "".join(f", {k}={_lit(v)}" for k, v in opts.items())
    lines.append("fits = []")
    for pump, bands in zip(pumps, starts, strict=True):
        lines.append("bands = [")
        lines += [f"    {band_code(b)}," for b in bands]
        lines.append("]")
        lines.append(
            f"fits.append(B.deconvolve_at(ds, {_lit(float(delay))}, pump={_lit(float(pump))}, "
            f"bands=bands{extra}))"
        )
    lines.append("result = B.BandComparison(fits=tuple(fits), delay=fits[0].delay)")
    return "\n".join(lines) + "\n"


class CodeMixin:
    """BandDeconvolver's fit range check and its last fit as code (see that class)."""

    _result: B.BandComparison | None
    _fitted_with: list[list[B.Band]]
    data_range: tuple[float, float]
    wavelength: np.ndarray
    wavelength_range: list[float]
    delay: float
    panels: list[Panel]
    fit_options: dict[str, Any]

    def to_code(self, data_name: str = "ta") -> str:
        """The last fit as Python.

        Parameters
        ----------
        data_name : str, default 'ta'
            The variable that names the dataset this deconvolver was opened on.

        Returns
        -------
        str
            Code that leaves the ``BandComparison`` in ``result``.

        Raises
        ------
        FitError
            There is no fit yet, or it was restored from a saved state (press Fit again).
        """
        identifier("data_name", data_name)
        if self._result is None:
            raise FitError("no fit yet: press Fit first, then ask for its code")
        if len(self._fitted_with) != len(self.panels):
            raise FitError(
                "this fit was restored from a saved state, which does not keep its start "
                "values: press Fit to fit again, then ask for its code"
            )
        return comparison_code(
            data_name,
            self.delay,
            [p.pump for p in self.panels],
            self._fitted_with,
            self._x_range_option(),
            self.fit_options,
        )

    def _check_range(self, value: Any) -> list[float]:
        lo, hi = A.interval("wavelength_range", value, unit="nm", allow_none_ends=False)
        a, b = self.data_range
        if lo < a - 1e-9 or hi > b + 1e-9:
            raise A.ArgumentError(
                f"wavelength_range ({lo:g}, {hi:g}) nm must lie within the data, {a:g}–{b:g} nm"
            )
        if int(np.sum((self.wavelength >= lo) & (self.wavelength <= hi))) < 5:
            raise A.ArgumentError(f"wavelength_range ({lo:g}, {hi:g}) nm holds too few wavelengths")
        return [float(lo), float(hi)]

    def _x_range_option(self) -> tuple[float, float] | None:
        """``wavelength_range`` for the core fit (None when it is the whole data range)."""
        lo, hi = self.wavelength_range
        if (lo, hi) == self.data_range:
            return None
        return (float(lo), float(hi))
