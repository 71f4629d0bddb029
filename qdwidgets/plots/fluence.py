"""Fluence-series figures: the cascade fit over pump levels, saturation, the gain threshold."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._common import ZERO_STYLE, colors, delay_axis, done, figure, fmt_time, label, single
from ._doc import fill_doc


def _traces_panel(ax: Any, res: Any, linthresh: float) -> None:
    data, best = res.data, res.best_fit
    t = best["delay"].values
    cols = colors(best.sizes["pump"])
    for i in range(best.sizes["pump"]):
        n = float(res.occupancy.values[i])
        ax.plot(t, data.values[i], ".", ms=2.5, color=cols[i], alpha=0.6, gid=f"data[{i}]",
                label=f"{res.pump[i]:g} {res.pump_units}, ⟨N⟩ = {n:.3g}")  # fmt: skip
        ax.plot(t, best.values[i], "-", lw=1.2, color=cols[i], gid=f"best_fit[{i}]")
    ax.axhline(0.0, **ZERO_STYLE)
    delay_axis(ax, linthresh)
    ax.set_ylabel(label(f"ΔA at {res.wavelength:g} nm", "OD"))
    err = res.tau_xx_stderr
    pm = f" ± {fmt_time(err)}" if math.isfinite(err) else ""
    ax.set_title(f"{res.scaling} cascade: τ_XX = {fmt_time(res.tau_xx)}{pm}, "
                 f"τ_X = {fmt_time(res.tau_x)}", fontsize="medium")  # fmt: skip
    ax.legend(fontsize="x-small", ncol=2)


def _saturation_panel(ax: Any, res: Any) -> None:
    j = res.pump
    ax.plot(j, res.late_bleach(), "o", color="0.25", gid="late_bleach",
            label="data, mean over the late window")  # fmt: skip
    grid = np.linspace(0.0, 1.15 * float(j.max()), 120)
    model = res.late_bleach(grid)
    ax.plot(grid, model, "-", color="C0", gid="late_model", label="cascade model")
    sat = model[-1] / -math.expm1(-res.cross_section * grid[-1])
    ax.plot(grid, sat * -np.expm1(-res.cross_section * grid), ":", color="C3", gid="saturation",
            label=f"∝ 1 − e^−σj, σ = {res.cross_section:.3g} {res.pump_units}⁻¹")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    lo, hi = res.late_window()
    ax.set_xlabel(label("pump", res.pump_units))
    ax.set_ylabel(label("late bleach", "OD"))
    ax.set_title(f"mean over {lo:.3g}–{hi:.3g} ps", fontsize="small")
    ax.legend(fontsize="x-small")


@fill_doc
def plot_cascade_fit(res: Any, ax: Any = None, linthresh: float = 2.0, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.fluence.CascadeFit`: every level's ΔA (OD) with the model on a
    linear-then-log delay axis (ps), and the late bleach against pump with the model and the
    1 − e^{−σj} saturation. With ``ax``: the traces panel only.

    Parameters
    ----------
    res : ~qdwidgets.core.fluence.CascadeFit
        The multiexciton cascade fit over the pump levels.
    %(linthresh)s
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.fluence import fit_cascade
    >>> fig = fit_cascade(qdwidgets.examples.fluence()).plot()
    """
    if ax is not None:
        fig, ax = single(ax)
        _traces_panel(ax, res, linthresh)
        return done(fig, ax)
    fig, axes = figure(1, 2, **kw)
    _traces_panel(axes[0, 0], res, linthresh)
    _saturation_panel(axes[0, 1], res)
    return fig


@fill_doc
def plot_occupancy_threshold(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.fluence.OccupancyThreshold`: A_ex (OD) against ⟨N⟩ per level at
    the delay, zero marked, the crossing with its error bar.

    Parameters
    ----------
    res : ~qdwidgets.core.fluence.OccupancyThreshold
        The occupancy ⟨N⟩ at which A_ex changes sign.
    %(figure)s

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.fluence import gain_threshold_occupancy
    >>> fig = gain_threshold_occupancy(qdwidgets.examples.fluence(), 5.0).plot()
    """
    fig, ax = single(ax, **kw)
    n = res.a_ex["occupancy"].values
    ax.plot(n, res.a_ex.values, "o-", color="C0", gid="a_ex",
            label=f"A_ex at {res.wavelength:.4g} nm, {res.delay:.3g} ps")  # fmt: skip
    ax.axhline(0.0, gid="zero", **ZERO_STYLE)
    if math.isfinite(res.occupancy):
        err = res.occupancy_stderr if math.isfinite(res.occupancy_stderr) else 0.0
        ax.errorbar([res.occupancy], [0.0], xerr=[err], fmt="D", color="C3", gid="threshold",
                    label=f"gain from ⟨N⟩ = {res.occupancy:.3g} ± {err:.2g}")  # fmt: skip
    ax.set_xlabel("⟨N⟩ (excitons per dot)")
    ax.set_ylabel(label("A_ex = ΔA + A0", "OD"))
    ax.legend(fontsize="x-small")
    return done(fig, ax)


@fill_doc
def plot_cascade_truth(res: Any, ax: Any = None, delay: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.data.simulate.CascadeTruth`: the noiseless mean 1S filling per level
    (0…1) against delay (ps), linear-then-log; half filling (transparency) marked.

    Parameters
    ----------
    res : ~qdwidgets.data.simulate.CascadeTruth
        The truth of a simulated fluence series.
    delay : array-like, optional
        Delays (ps) to draw; default the simulator's grid (``default_fluence_delays()``).
    %(figure)s

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> ds, truth = simulate.cascade()
    >>> fig = truth.plot()
    """
    from ..data.simulate import default_fluence_delays

    t = default_fluence_delays() if delay is None else np.asarray(delay, dtype=float)
    fig, ax = single(ax, **kw)
    f = res.filling(t)
    cols = colors(len(res.pump))
    for i, (p, n) in enumerate(zip(res.pump, res.occupancy, strict=True)):
        ax.plot(t, f[i], color=cols[i], gid=f"filling[{i}]",
                label=f"{p:g} {res.pump_units}, ⟨N⟩ = {n:.3g}")  # fmt: skip
    ax.axhline(0.5, color="C3", ls="--", lw=0.8, gid="transparency",
               label="one 1S electron per dot (transparency)")  # fmt: skip
    delay_axis(ax)
    ax.set_ylabel("mean 1S filling (0…1)")
    ax.set_title(f"{res.scaling}: τ_XX = {fmt_time(res.tau_xx)}, τ_X = {fmt_time(res.tau_x)}",
                 fontsize="medium")  # fmt: skip
    ax.legend(fontsize="x-small")
    return done(fig, ax)
