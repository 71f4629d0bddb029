"""Threshold figures (paper Fig. 3c, 3e): points, both lines, windows, threshold and its CI.

Powers in mW (bottom axis) and W cm⁻² (top axis, when the spot size is known). A
:class:`ThresholdFit` holds the lines, not the points: pass them as ``data=`` (a DataArray over
``power`` such as ``threshold.signal_curve(ase, "lamp")``, or a ``(power, signal)`` pair).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr
from matplotlib.axes import Axes

from ..data.constants import w_cm2_per_mW
from ._common import done, figure, label, secondary_x, single
from ._doc import fill_doc
from .bands import _warnings_note

if TYPE_CHECKING:
    from .._choices import BeamProfile, OutputMethod


def _mw_to_w_cm2(spot_mm: float, profile: BeamProfile) -> float:
    """W cm⁻² per mW for this spot (NaN without a spot size)."""
    if not math.isfinite(spot_mm) or spot_mm <= 0:
        return math.nan
    return w_cm2_per_mW(spot_mm, profile)


def _points(res: Any, data: Any) -> tuple[np.ndarray, np.ndarray, str] | None:
    """(power mW, signal, y label) from ``data`` or from the result's own fields, if any."""
    if data is None and getattr(res, "power", None) is not None:
        data = (res.power, res.signal)
    if data is None:
        return None
    if isinstance(data, xr.DataArray):
        name = str(data.attrs.get("long_name", data.name or "signal"))
        return (
            np.asarray(data["power"].values, dtype=float),
            np.asarray(data.values, dtype=float),
            label(name, str(data.attrs.get("units", "a.u."))),
        )
    power, signal = data
    return np.asarray(power, dtype=float), np.asarray(signal, dtype=float), "signal (a.u.)"


def _draw(
    ax: Axes,
    fit: Any,
    data: Any = None,
    *,
    log: bool = False,
    threshold: float | None = None,
    ci: tuple[float, float] | None = None,
    text: str | None = None,
    w_cm2_per_mw: float = math.nan,
) -> None:
    """Draw a ThresholdFit; ``log``: the fit is in ln(power), ln(signal), shown on log axes."""
    f: Callable[[Any], Any] = np.exp if log else (lambda v: np.asarray(v, dtype=float))
    pts = _points(fit, data)
    ylabel = "signal (a.u.)"
    if pts is not None:
        ax.plot(pts[0], pts[1], "o", ms=3.5, color="0.25", label="data", gid="data")
        ylabel = pts[2]
    x0 = fit.threshold_mW
    lines = ((fit.below_line, "below", "C2"), (fit.above_line, "above", "C0"))
    for line, name, col in lines:
        if line is None:
            continue
        lo, hi = line.window
        ax.axvspan(f(lo), f(hi), color=col, alpha=0.12, lw=0, gid=f"{name}_window")
        a, b = lo, hi
        if math.isfinite(x0):
            a, b = (lo, max(hi, x0)) if name == "below" else (min(lo, x0), hi)
        xs = np.linspace(a, b, 50)
        ax.plot(f(xs), f(line(xs)), "-", color=col, lw=1.6, gid=f"{name}_line",
                label=f"{name}: slope {line.slope:.3g} ± {line.slope_stderr:.2g}")  # fmt: skip
    shown = f(x0) if threshold is None else threshold
    interval = (f(fit.ci_mW[0]), f(fit.ci_mW[1])) if ci is None else ci
    if fit.converged and math.isfinite(shown):
        summary = text if text is not None else fit.summary()
        ax.axvline(shown, color="C3", lw=1.2, gid="threshold", label=summary)
        if fit.below_line is not None:
            ax.plot([shown], [f(fit.below_line(x0))], "o", color="C3", ms=7, gid="intersection")
        lo, hi = interval
        if math.isfinite(lo) and math.isfinite(hi):
            ax.axvspan(lo, hi, color="C3", alpha=0.2, lw=0, gid="ci",
                       label=f"95 % CI ({fit.ci_method})")  # fmt: skip
        else:
            ax.text(0.02, 0.95, "95 % CI unbounded", transform=ax.transAxes, va="top")
    else:
        ax.text(0.02, 0.95, f"no threshold: {fit.message}"[:90], transform=ax.transAxes,
                va="top", fontsize="small", wrap=True, gid="no_threshold")  # fmt: skip
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(label("pump power", "mW"))
    ax.set_ylabel(ylabel)
    factor = _mw_to_w_cm2(fit.spot_diameter_mm, fit.beam_profile)
    if not math.isfinite(factor):
        factor = w_cm2_per_mw
    secondary_x(ax, factor, label(f"pump intensity ({fit.beam_profile})", "W cm⁻²"))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="x-small")
    _warnings_note(ax, fit)


@fill_doc
def plot_threshold_fit(
    res: Any,
    ax: Any = None,
    data: Any = None,
    feedback: str | None = None,
    method: OutputMethod = "max",
    **kw: Any,
) -> Any:
    """:class:`~qdwidgets.core.threshold.ThresholdFit`: the points (``data=``), both lines over
    their (shaded) windows up to the intersection, the threshold (mW; W cm⁻² on the top axis)
    and its 95 % interval shaded.

    ``data`` may be the fitted curve (a DataArray over ``power`` or a ``(power, signal)`` pair)
    or the ASE dataset itself: then the figure is the paper's Fig. 3c/3e, the peak output
    without and with ``feedback`` (default: the first that is not "none"; ``method`` as in
    ``threshold.peak_output``) on the left axis and the enhancement with the fit on the right
    axis (a fit made on the enhancement).

    Parameters
    ----------
    res : ~qdwidgets.core.threshold.ThresholdFit
        The two-line threshold fit.
    data : xarray.DataArray or (array-like, array-like) or xarray.Dataset, optional
        The points: a curve over ``power`` (mW), a ``(power_mW, signal)`` pair, or the ASE
        dataset (the figure of peak output and enhancement above); default the fit's own.
    feedback : str, optional
        With an ASE dataset: the feedback condition compared with "none"; default the first
        other one.
    method : {"max", "integral"}, default "max"
        With an ASE dataset: how the peak output is taken (see ``threshold.peak_output``).
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.threshold import fit_dataset
    >>> ase = qdwidgets.examples.ase()
    >>> fig = fit_dataset(ase, feedback="lamp").plot(data=ase)
    """
    if isinstance(data, xr.Dataset) and ax is None:
        kw.setdefault("figsize", (7.5, 5.0))
    fig, ax = single(ax, **kw)
    if isinstance(data, xr.Dataset):
        _fig3(ax, res, data, feedback, method)
    else:
        _draw(ax, res, data)
    return done(fig, ax)


def _fig3(ax: Axes, res: Any, ase: xr.Dataset, feedback: str | None, method: OutputMethod) -> None:
    """Fig. 3c/3e: outputs on ``ax`` (left), enhancement and the fit on a twin axis (right)."""
    from ..core import threshold

    if feedback is None:
        feedback = threshold.default_feedback(ase)

    out = threshold.peak_output(ase, method=method)
    for name, col, text in (
        ("none", "0.45", "without feedback"),
        (feedback, "C9", f"with {feedback}"),
    ):
        curve = out.sel(feedback=name)
        ax.plot(curve["power"].values, curve.values, "s-", ms=3, lw=0.8, color=col, label=text,
                gid=f"output[{name}]")  # fmt: skip
    ax.set_ylabel(label(str(out.attrs.get("long_name", "output")), out.attrs.get("units", "a.u.")))
    ax.legend(fontsize="x-small", loc="upper left")
    twin = ax.twinx()
    twin.set_gid("enhancement_axes")
    enh = threshold.enhancement(ase, feedback, method=method)
    _draw(twin, res, enh)
    for artist in twin.lines:
        if artist.get_gid() == "data":
            artist.set_color("C6")
            artist.set_label("enhancement")
    twin.set_xlabel("")
    ax.set_xlabel(label("pump power", "mW"))
    twin.legend(fontsize="x-small", loc="lower right")


@fill_doc
def plot_line_fit(res: Any, ax: Any = None, data: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.threshold.LineFit`: the line over its (shaded) window, with the
    points when given as ``data=(power, signal)``.

    Parameters
    ----------
    res : ~qdwidgets.core.threshold.LineFit
        One of the two lines of a threshold fit.
    data : (array-like, array-like), optional
        The ``(power_mW, signal)`` points to draw with the line.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.threshold import fit_dataset
    >>> fig = fit_dataset(qdwidgets.examples.ase(), feedback="lamp").below_line.plot()
    """
    fig, ax = single(ax, **kw)
    pts = _points(res, data)
    if pts is not None:
        ax.plot(pts[0], pts[1], "o", ms=3.5, color="0.25", label="data", gid="data")
    lo, hi = res.window
    ax.axvspan(lo, hi, color="C0", alpha=0.12, lw=0, gid="window")
    xs = np.linspace(lo, hi, 50)
    ax.plot(xs, res(xs), color="C0", gid="line",
            label=f"slope {res.slope:.3g} ± {res.slope_stderr:.2g} per mW, "
            f"intercept {res.intercept:.3g}")  # fmt: skip
    ax.set_xlabel(label("pump power", "mW"))
    ax.set_ylabel(pts[2] if pts is not None else "signal (a.u.)")
    ax.legend(fontsize="x-small")
    return done(fig, ax)


def _is_log(crit: Any) -> bool:
    return "log-log" in crit.name or crit.message.startswith("fitted on ln(")


_CRITERION_Y = {
    "linewidth": "emission linewidth FWHM (nm)",
    "log-log": "peak output (a.u.)",
    "two-line": "enhancement (a.u.)",
}


def _criterion_panel(ax: Axes, crit: Any, data: Any = None) -> None:
    log = _is_log(crit)
    text = None
    if log and crit.converged:
        lo, hi = crit.ci_mW
        text = f"{crit.threshold_mW:.4g} mW (95 % CI {lo:.4g}–{hi:.4g})"
    shown = crit.threshold_mW if crit.converged else math.nan
    factor = crit.threshold_W_cm2 / crit.threshold_mW if crit.converged else math.nan
    _draw(ax, crit.fit, data, log=log, threshold=shown, ci=crit.ci_mW, text=text,
          w_cm2_per_mw=factor)  # fmt: skip
    ax.set_title(crit.name, fontsize="medium")
    if data is None:
        ylab = [v for k, v in _CRITERION_Y.items() if k in crit.name]
        ax.set_ylabel(ylab[0] if ylab else "signal (a.u.)")


@fill_doc
def plot_criterion(res: Any, ax: Any = None, data: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.threshold.Criterion`: its fit drawn as a ThresholdFit (on
    log-log axes for the log-log slope criterion), titled by the criterion.

    Parameters
    ----------
    res : ~qdwidgets.core.threshold.Criterion
        The threshold found by one criterion.
    data : xarray.DataArray or (array-like, array-like), optional
        The curve the criterion was found on, over ``power`` (mW).
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.threshold import criteria
    >>> fig = criteria(qdwidgets.examples.ase(), "lamp").criteria[0].plot()
    """
    fig, ax = single(ax, **kw)
    _criterion_panel(ax, res, data)
    return done(fig, ax)


def _summary_panel(ax: Axes, res: Any) -> None:
    names = [c.name for c in res.criteria]
    for i, c in enumerate(res.criteria):
        if not c.converged or not math.isfinite(c.threshold_mW):
            ax.text(0.02, i, "not found", va="center", transform=ax.get_yaxis_transform(),
                    gid=f"not_found[{i}]")  # fmt: skip
            continue
        lo, hi = c.ci_mW
        err = [[c.threshold_mW - lo if math.isfinite(lo) else 0.0],
               [hi - c.threshold_mW if math.isfinite(hi) else 0.0]]  # fmt: skip
        ax.errorbar([c.threshold_mW], [i], xerr=err, fmt="o", capsize=4, color=f"C{i}",
                    gid=f"criterion[{i}]")  # fmt: skip
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.invert_yaxis()
    ax.set_xlabel(label("threshold", "mW"))
    ax.set_title(f"threshold criteria, feedback {res.feedback!r} (95 % CI)", fontsize="medium")
    factor = _mw_to_w_cm2(res.spot_diameter_mm, res.beam_profile)
    secondary_x(ax, factor, label("threshold", "W cm⁻²"))


def _criterion_data(crit: Any, ase: xr.Dataset, feedback: str) -> xr.DataArray | None:
    """The curve a criterion was found on, recomputed from the ASE dataset (NaN dropped)."""
    from ..core import threshold

    if "linewidth" in crit.name:
        curve = threshold.linewidth(ase).sel(feedback=feedback, drop=True)
    elif "log-log" in crit.name:
        curve = threshold.peak_output(ase).sel(feedback=feedback, drop=True)
        curve = curve.where((curve > 0) & (curve["power"] > 0))
    elif "two-line" in crit.name:
        curve = threshold.enhancement(ase, feedback)
    else:
        return None
    return curve.dropna("power")


@fill_doc
def plot_criteria(res: Any, ax: Any = None, data: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.threshold.ThresholdCriteria`: the thresholds by each criterion
    side by side with their 95 % intervals (mW; W cm⁻² on top); a new figure adds each
    criterion's fit in its own panel, with its curve (enhancement, linewidth, output) when
    the ASE dataset is given as ``data=``.

    Parameters
    ----------
    res : ~qdwidgets.core.threshold.ThresholdCriteria
        The thresholds of every criterion for one feedback condition.
    data : xarray.Dataset, optional
        The ASE dataset: each criterion's panel then shows the curve it was found on.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.threshold import criteria
    >>> ase = qdwidgets.examples.ase()
    >>> fig = criteria(ase, "lamp").plot(data=ase)
    """
    if ax is not None:
        fig, ax = single(ax)
        _summary_panel(ax, res)
        return done(fig, ax)
    fig, axes = figure(1, 1 + len(res.criteria), **kw)
    _summary_panel(axes[0, 0], res)
    for i, c in enumerate(res.criteria):
        curve = _criterion_data(c, data, res.feedback) if isinstance(data, xr.Dataset) else None
        _criterion_panel(axes[0, i + 1], c, curve)
    return fig
