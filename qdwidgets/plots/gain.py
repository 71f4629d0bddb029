"""Gain figures (paper Fig. 2b–c): A_ex = ΔA + A0 with its zero line and the gain region."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ._common import ZERO_STYLE, colors, done, figure, label, pump_labels, single
from ._doc import fill_doc


def _spectrum_panel(ax: Axes, res: Any, levels: list[int] | None = None) -> None:
    """A_ex vs wavelength per pump level, zero line, gain (A_ex < 0) filled, deepest point."""
    a = res.a_ex
    wl = np.asarray(a["wavelength"].values, dtype=float)
    names = pump_labels(a)
    rows = range(a.sizes["pump"]) if levels is None else levels
    cols = colors(a.sizes["pump"])
    width, peak, depth = (
        np.asarray(v, dtype=float) for v in (res.width, res.peak_wavelength, res.depth)
    )
    ax.axhline(0.0, **ZERO_STYLE, gid="zero")
    for i in rows:
        y = np.asarray(a.isel(pump=i).values, dtype=float)
        ax.plot(wl, y, color=cols[i], label=names[i], gid=f"a_ex[{i}]")
        if res.bands[i]:
            ax.fill_between(
                wl, y, 0.0, where=y < 0, interpolate=True, color=cols[i], alpha=0.3,
                gid=f"gain[{i}]", label=f"gain, {width[i]:.3g} nm wide",
            )  # fmt: skip
            ax.plot([peak[i]], [depth[i]], "v", color=cols[i], gid=f"peak[{i}]")
    ax.set_xlabel(label("wavelength", "nm"))
    ax.set_ylabel(label("A_ex = ΔA + A0", str(a.attrs.get("units", "OD"))))
    ax.set_title(f"A_ex = ΔA + A0 at {res.delay:.3g} ps")
    ax.legend(fontsize="small")


@fill_doc
def plot_gain_spectrum(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.gain.GainSpectrum`: A_ex (OD) vs wavelength (nm) per pump level,
    the zero line and the gain region (A_ex < 0) filled, its deepest point marked.

    Parameters
    ----------
    res : ~qdwidgets.core.gain.GainSpectrum
        A_ex = ΔA + A0 at one delay, with its gain regions.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import gain_spectrum
    >>> fig = gain_spectrum(qdwidgets.examples.ta(), 2.3).plot()
    """
    fig, ax = single(ax, **kw)
    _spectrum_panel(ax, res)
    return done(fig, ax)


@fill_doc
def plot_gain_window(res: Any, ax: Any = None, last_delay: float | None = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.gain.GainWindow`: per pump level a bar from the gain onset (with
    its standard error) to its end; where the gain lasts past the last delay, the bar runs to
    ``last_delay`` (ps; the window does not record it: else a decade past the latest time
    shown) with an arrow saying so.

    Parameters
    ----------
    res : ~qdwidgets.core.gain.GainWindow
        The gain onset and end (ps) per pump level at one wavelength.
    last_delay : float, optional
        Where (ps) a bar of gain lasting past the last delay ends; default a decade past the
        latest time shown.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import band_edge, gain_window
    >>> ta = qdwidgets.examples.ta()
    >>> fig = gain_window(ta, band_edge(ta)).plot()
    """
    fig, ax = single(ax, **kw)
    cols = colors(len(res.pump))
    onset, onset_err, end, duration = (
        np.asarray(v, dtype=float) for v in (res.onset, res.onset_stderr, res.end, res.duration)
    )
    lasts_to_end = np.asarray(res.lasts_to_end, dtype=bool)
    finite = [float(v) for v in (*onset, *end) if math.isfinite(v)]
    right = max(finite) * 10 if finite else 10.0
    if last_delay is not None:
        right = float(last_delay)
    for i, (t0, err, t1, lasts) in enumerate(zip(onset, onset_err, end, lasts_to_end, strict=True)):
        if not math.isfinite(t0):
            ax.text(0.0, i, "  no gain", va="center", gid=f"no_gain[{i}]")
            continue
        stop = t1 if math.isfinite(t1) else right
        ax.plot([t0, stop], [i, i], lw=6, color=cols[i], solid_capstyle="butt", gid=f"gain[{i}]")
        ax.errorbar([t0], [i], xerr=[[err if math.isfinite(err) else 0.0]] * 2, fmt="o",
                    color="k", ms=4, gid=f"onset[{i}]")  # fmt: skip
        if lasts or not math.isfinite(t1):
            ax.annotate("past the last delay", (stop, i), (stop, i + 0.2), ha="right",
                        fontsize="small", arrowprops={"arrowstyle": "->"},
                        gid=f"lasts[{i}]")  # fmt: skip
        else:
            ax.text(stop, i + 0.15, f" {duration[i]:.3g} ps", fontsize="small")
    ax.set_yticks(range(len(res.pump)), [f"pump {p:g}" for p in res.pump])
    ax.set_ylim(-0.7, len(res.pump) - 0.3)
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(0.0, max([right, *finite]) * 1.5)
    ax.set_xlabel(label("delay", "ps"))
    ax.set_title(f"gain window (A_ex < 0) at {res.wavelength:.4g} nm")
    return done(fig, ax)


@fill_doc
def plot_explorer(res: Any, ax: Any = None, **kw: Any) -> Any:
    """``ExplorerResult`` (the TAExplorer cursor): A_ex at the cursor delay for the cursor's pump
    level with the cursor marked, and the zero crossing (ps) of every pump level.

    Parameters
    ----------
    res : ~qdwidgets.widgets.ta_explorer.ExplorerResult
        The TAExplorer cursor's numbers.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.widgets.ta_explorer import explorer_result
    >>> from qdwidgets.core import gain
    >>> ta = qdwidgets.examples.ta()
    >>> edge = gain.band_edge(ta)  # from the data, not the paper's 639 nm
    >>> fig = explorer_result(ta, wavelength=edge, delay=gain.established_delay(ta)).plot()
    """
    if ax is not None:
        fig, ax = single(ax)
        _explorer_main(ax, res)
        return ax
    fig, axes = figure(1, 2, **kw)
    _explorer_main(axes[0, 0], res)
    ax2 = axes[0, 1]
    x = np.arange(len(res.crossings))
    err = [e if math.isfinite(e) else 0.0 for e in res.crossings_stderr]
    ax2.errorbar(x, res.crossings, yerr=err, fmt="o", gid="crossings")
    ax2.plot([res.pump_index], [res.crossing], "o", ms=12, mfc="none", mec="r", gid="current")
    if res.gain is not None and len(res.gain.pump) == len(x):
        units = res.pump_units
        ax2.set_xticks(x, [f"{p:g}{' ' + units if units else ''}" for p in res.gain.pump])
        ax2.set_xlabel("pump level")
    else:
        ax2.set_xticks(x, [f"{i}" for i in x])
        ax2.set_xlabel("pump level (index)")
    ax2.set_xlim(-0.5, len(x) - 0.5)
    ax2.set_ylabel(label(f"zero crossing at {res.wavelength:.4g} nm", "ps"))
    return fig


def _explorer_main(ax: Axes, res: Any) -> None:
    if res.gain is not None:
        _spectrum_panel(ax, res.gain, [res.pump_index])
    else:
        ax.set_xlabel(label("wavelength", "nm"))
        ax.set_ylabel(label("A_ex", "OD"))
        ax.set_title(f"{res.delay:.3g} ps (no A0: A_ex unknown)")
    ax.axvline(res.wavelength, color="r", lw=0.8, gid="cursor")
    y = res.a_ex if math.isfinite(res.a_ex) else res.dA
    ax.plot([res.wavelength], [y], "o", color="r", gid="cursor_point")
