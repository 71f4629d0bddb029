"""Occupancy figures (paper §3): the late-bleach saturation fit that gives σ and ⟨N⟩."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._common import ZERO_STYLE, done, label, secondary_x, single
from ._doc import fill_doc


@fill_doc
def plot_cross_section(res: Any, ax: Any = None, **kw: Any) -> Any:
    """:class:`~qdwidgets.core.occupancy.CrossSectionFit`: late-time bleach (OD) vs pump level,
    the saturation curve A·(1 − e^−σj) with σ in the legend, and ⟨N⟩ = σ·j on the top axis.

    Parameters
    ----------
    res : ~qdwidgets.core.occupancy.CrossSectionFit or ~qdwidgets.core.fluence.SaturationFit
        The saturation fit that gives the absorption cross section σ.
    %(figure)s

    Examples
    --------
    >>> import numpy as np
    >>> from qdwidgets.core.occupancy import fit_cross_section
    >>> pump = np.array([10.0, 30.0, 100.0, 300.0])  # nJ
    >>> fit = fit_cross_section(pump, 0.05 * (1 - np.exp(-0.01 * pump)), pump_units="nJ")
    >>> fig = fit.plot()
    """
    fig, ax = single(ax, **kw)
    j = np.asarray(res.pump, dtype=float)
    ax.plot(j, np.asarray(res.late_bleach, dtype=float), "o", color="0.25", label="data",
            gid="data")  # fmt: skip
    grid = np.linspace(0.0, 1.15 * float(j.max()), 200)
    err = res.cross_section_stderr
    pm = f" ± {err:.2g}" if math.isfinite(err) else ""
    units = f" {res.pump_units}⁻¹" if res.pump_units else ""
    ax.plot(grid, res.model(grid), "-", color="C0", gid="model",
            label=f"A·(1 − e^−σj): σ = {res.cross_section:.3g}{pm}{units}, "
            f"A = {res.amplitude:.3g} OD")  # fmt: skip
    ax.axhline(0.0, **ZERO_STYLE)
    ax.set_xlabel(label("pump", res.pump_units))
    ax.set_ylabel(label("late-time bleach", "OD"))
    secondary_x(ax, res.cross_section, "⟨N⟩ = σ·j (excitons per dot)")
    ax.legend(fontsize="x-small")
    return done(fig, ax)
