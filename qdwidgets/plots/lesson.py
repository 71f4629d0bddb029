"""The gain lesson's figure (teaching notebook): P(n), A_ex at one delay, the band-edge trace."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from ._common import ZERO_STYLE, da_label, delay_axis, figure, label, single
from ._doc import fill_doc


def _occupancy_panel(ax: Axes, res: Any) -> None:
    n = np.asarray(res.occupancy["n"].values)
    p = np.asarray(res.occupancy.values, dtype=float)
    cols = ["0.6" if k < 2 else "C3" for k in n]
    ax.bar(n, p, color=cols, gid="occupancy")
    ax.set_xlabel("excitons per dot n")
    ax.set_ylabel("fraction of dots P(n)")
    ax.set_title(f"⟨N⟩ = {res.n_avg:.3g}: P(n ≥ 2) = {100 * res.multi:.0f} %", fontsize="medium")


def _spectrum_panel(ax: Axes, res: Any) -> None:
    wl = np.asarray(res.spectrum["wavelength"].values, dtype=float)
    y = np.asarray(res.spectrum.values, dtype=float)
    ax.plot(wl, np.asarray(res.a0.values, dtype=float), color="0.5", label="A0", gid="A0")
    ax.plot(wl, y, color="C0", label="A_ex = ΔA + A0", gid="spectrum")
    ax.fill_between(wl, y, 0.0, where=y < 0, interpolate=True, color="C3", alpha=0.35,
                    label="gain (A_ex < 0)", gid="gain")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    ax.axvline(res.wavelength, color="k", lw=0.6, ls=":", gid="band_edge")
    ax.set_xlabel(label("wavelength", "nm"))
    ax.set_ylabel(da_label(res.spectrum, "A_ex", "OD").split(" at ")[0] + " (OD)")
    ax.set_title(f"spectrum at {res.delay:.3g} ps", fontsize="medium")
    ax.legend(fontsize="x-small")


def _trace_panel(ax: Axes, res: Any) -> None:
    t = np.asarray(res.trace["delay"].values, dtype=float)
    ax.plot(t, np.asarray(res.trace.values, dtype=float), color="C0", gid="trace",
            label=f"A_ex at {res.wavelength:.4g} nm")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    if math.isfinite(res.onset):
        stop = t[-1] if res.lasts_to_end or not math.isfinite(res.end) else res.end
        ax.axvspan(res.onset, stop, color="C3", alpha=0.2, lw=0, gid="gain_window",
                   label="gain window")  # fmt: skip
    delay_axis(ax, 1.0)
    ax.set_ylabel(label("A_ex", res.trace.attrs.get("units", "OD")))
    ax.set_title(f"band edge, τ_XX = {res.tau_xx:g} ps", fontsize="medium")
    ax.legend(fontsize="x-small")


@fill_doc
def plot_gain_lesson(res: Any, ax: Any = None, **kw: Any) -> Any:
    """``GainLessonResult``: P(n) bars (n ≥ 2, the dots that can amplify, in red), A0 and A_ex
    (OD) vs wavelength (nm) at the lesson's delay with the gain filled, and the band-edge A_ex vs
    delay (ps) with the gain window shaded; into a given ``ax``, the spectrum only.

    Parameters
    ----------
    res : ~qdwidgets.core.lesson.GainLessonResult
        The teaching model at one mean occupancy ⟨N⟩.
    %(figure)s

    Examples
    --------
    >>> from qdwidgets.core.lesson import gain_lesson
    >>> fig = gain_lesson(3.0).plot()
    """
    if ax is not None:
        _, ax = single(ax)
        _spectrum_panel(ax, res)
        return ax
    fig, axes = figure(1, 3, **kw)
    _occupancy_panel(axes[0, 0], res)
    _spectrum_panel(axes[0, 1], res)
    _trace_panel(axes[0, 2], res)
    return fig
