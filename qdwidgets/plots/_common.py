"""Shared helpers of the plotters: figures detached from pyplot, labels with units, axes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..data.contract import pump_level_text

ZERO_STYLE: dict[str, Any] = {"color": "0.4", "lw": 0.8, "ls": "--", "zorder": 1}


FIGURE_OPTIONS = ("figsize", "dpi")


def _check_options(options: dict[str, Any]) -> None:
    bad = sorted(set(options) - set(FIGURE_OPTIONS))
    if bad:
        raise TypeError(
            f"unexpected keyword(s) {bad} for this plot: a new figure takes {FIGURE_OPTIONS}; "
            "see the plotter's docstring in qdwidgets.plots for its own keywords"
        )


def figure(
    nrows: int = 1,
    ncols: int = 1,
    *,
    width: float | None = None,
    height: float | None = None,
    sharex: Any = False,
    sharey: Any = False,
    gridspec_kw: dict[str, Any] | None = None,
    **options: Any,
) -> tuple[Figure, np.ndarray]:
    """A new Figure (constrained layout) and its axes as a 2-D array (rows, cols).

    ``options``: ``figsize`` (inches) and ``dpi`` only. Made through pyplot so that it has the
    active backend's canvas (the notebook's inline PNG display works), then released from
    pyplot: nothing accumulates in pyplot's figure list and a returned figure is shown once.
    """
    import matplotlib.pyplot as plt

    _check_options(options)
    size = options.pop("figsize", None) or (width or 4.6 * ncols + 0.6, height or 3.4 * nrows + 0.4)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=size,
        layout="constrained",
        squeeze=False,
        sharex=sharex,
        sharey=sharey,
        gridspec_kw=gridspec_kw,
        **options,
    )
    plt.close(fig)
    return fig, axes


def single(ax: Any, **kw: Any) -> tuple[Figure | None, Axes]:
    """``(None, ax)`` when the caller gave an Axes, else a new one-panel figure and its axes."""
    if ax is not None:
        if kw:
            raise TypeError(
                f"{sorted(kw)}: figure options apply to a new figure only (ax=None), not to "
                "a given Axes"
            )
        return None, check_axes(ax)
    fig, axes = figure(1, 1, **kw)
    return fig, axes[0, 0]


def check_axes(ax: Any) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax


def done(fig: Figure | None, ax: Axes) -> Any:
    """What a plotter returns: the new figure, or the caller's axes."""
    return ax if fig is None else fig


def units_of(obj: Any, default: str = "") -> str:
    attrs = getattr(obj, "attrs", None) or {}
    return str(attrs.get("units", default) or default)


def label(name: str, units: str) -> str:
    """``"name (units)"``, or just the name for dimensionless quantities."""
    return f"{name} ({units})" if units and units != "1" else name


def da_label(da: xr.DataArray | xr.Variable | Any, fallback: str, default_units: str = "") -> str:
    """Axis label from a DataArray's ``long_name`` (or ``fallback``) and its ``units``."""
    attrs = getattr(da, "attrs", None) or {}
    return label(str(attrs.get("long_name", fallback)), units_of(da, default_units))


def pump_text(value: float, units: str = "", occupancy: float = math.nan) -> str:
    level = pump_level_text(value, units)
    text = level if level == "pump" else f"pump {level}"
    if math.isfinite(occupancy):
        text += f", ⟨N⟩ = {occupancy:.3g}"
    return text


def pump_labels(da: xr.DataArray) -> list[str]:
    """One legend label per pump level of ``da`` (with ⟨N⟩ when an occupancy coord exists)."""
    pumps = np.atleast_1d(np.asarray(da["pump"].values, dtype=float))
    units = units_of(da["pump"])
    occ = (
        np.atleast_1d(np.asarray(da["occupancy"].values, dtype=float))
        if "occupancy" in da.coords
        else np.full(pumps.size, math.nan)
    )
    return [pump_text(p, units, o) for p, o in zip(pumps, occ, strict=True)]


def delay_axis(ax: Axes, linthresh: float = 2.0) -> None:
    """Linear-then-log delay axis (linear within ±``linthresh`` ps), as in the paper's Fig. 2f."""
    ax.set_xscale("symlog", linthresh=linthresh, linscale=1.0)
    ax.set_xlabel("delay (ps)")


def fmt_time(tau_ps: float) -> str:
    """A lifetime for a legend: ps below 1 ns, ns above."""
    if not math.isfinite(tau_ps):
        return "nan"
    if abs(tau_ps) >= 1000:
        return f"{tau_ps / 1000:.3g} ns"
    return f"{tau_ps:.3g} ps"


def secondary_x(ax: Axes, factor: float, name: str) -> Any:
    """A top x axis showing ``factor`` × the bottom one (e.g. W cm⁻² over mW); None when
    ``factor`` is not a positive finite number (e.g. no spot size)."""
    if not math.isfinite(factor) or factor <= 0:
        return None

    def fwd(x: Any) -> Any:
        return np.asarray(x, dtype=float) * factor

    def inv(x: Any) -> Any:
        return np.asarray(x, dtype=float) / factor

    sec = ax.secondary_xaxis("top", functions=(fwd, inv))
    sec.set_xlabel(name)
    return sec


def colors(n: int) -> list[Any]:
    """``n`` distinguishable colours from the default cycle."""
    import matplotlib as mpl

    cycle = mpl.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    return [cycle[i % len(cycle)] for i in range(n)]
