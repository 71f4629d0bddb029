"""FluenceExplorer's panels: traces on a log delay axis, saturation, P(n) bars, result table."""

from __future__ import annotations

import math
from typing import Any

import bqplot as bq
import ipywidgets as W
import numpy as np

from .._html import escape
from ..core.fluence import _model
from ._plots import figure

#: colours of the pump levels (weak → strong)
COLORS = ("#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974", "#64b5cd", "#dd8452", "#937860")
#: marks in the theme's text colour: dark on JupyterLab Light, light on JupyterLab Dark
TEXT = "var(--jp-content-font-color1, #111111)"
N_BARS = 8  # P(n) bars for n = 0..N_BARS − 1 (the rest is summed into the last)


def colors(n: int) -> list[str]:
    return [COLORS[i % len(COLORS)] for i in range(n)]


def late_window(t: np.ndarray, p: dict[str, float]) -> np.ndarray:
    """Delays after the multi-excitons are gone (as ``CascadeFit.late_window``)."""
    start = p["t0"] + 5.0 / (1.0 / p["tau_xx"] + 2.0 / p["tau_x"])
    sel = t >= start
    if not sel.any():
        sel = np.zeros(t.size, dtype=bool)
        sel[-max(1, t.size // 10) :] = True
    return sel


def model(t: np.ndarray, occ: np.ndarray, p: dict[str, float], scaling: str) -> np.ndarray:
    """The cascade's 1S filling (levels × delays) at ⟨N⟩ ``occ`` with parameters ``p``."""
    return _model.signal(t, occ, p["tau_xx"], p["tau_x"], p["tau_cool"], p["irf_fwhm"],
                         p["t0"], scaling)  # fmt: skip


def poisson_bars(occ: np.ndarray) -> np.ndarray:
    """P(n), n = 0..N_BARS − 1 (the last bar holds n ≥ N_BARS − 1), levels × n."""
    p = _model.poisson_start(occ, N_BARS - 1)
    return np.concatenate([1.0 - p.sum(axis=1, keepdims=True), p], axis=1)


class Panels:
    """The marks of the three plots, updated in place by :meth:`draw`."""

    def __init__(self, t: np.ndarray, y: np.ndarray, pump: np.ndarray, units: str) -> None:
        self.pos = t > 0  # the log delay axis shows delays after zero
        n = pump.size
        cols = colors(n)
        tp = t[self.pos]
        self.traces_fig, xs, ys = figure("delay (ps)", "ΔA (OD)", log_x=True, height=300)
        self.data = bq.Lines(x=tp, y=y[:, self.pos], scales={"x": xs, "y": ys}, colors=cols,
                             stroke_width=1, opacities=[0.45] * n)  # fmt: skip
        self.fit = bq.Lines(x=tp, y=np.zeros((n, tp.size)), scales={"x": xs, "y": ys},
                            colors=cols, stroke_width=2.5)  # fmt: skip
        self.traces_fig.marks = [self.data, self.fit]
        self.sat_fig, sx, sy = figure(f"pump ({units})", "late bleach (OD)", height=260)
        self.sat_data = bq.Scatter(x=pump, y=np.zeros(n), scales={"x": sx, "y": sy},
                                   colors=[TEXT], default_size=40)  # fmt: skip
        self.grid = np.linspace(0.0, 1.15 * float(pump.max()), 80)
        self.sat_model = bq.Lines(x=self.grid, y=np.zeros(self.grid.size),
                                  scales={"x": sx, "y": sy}, colors=["#4c72b0"])  # fmt: skip
        self.sat_fig.marks = [self.sat_data, self.sat_model]
        # a fixed 0…1.05 scale (room for the top tick label): bqplot 0.13 draws grouped Bars on
        # a LinearScale without min/max with zero height (seen in JupyterLab)
        labels = [str(k) for k in range(N_BARS - 1)] + [f"{N_BARS - 1}+"]
        bx, by = bq.OrdinalScale(domain=labels), bq.LinearScale(min=0.0, max=1.05)
        self.bars_fig, _, _ = figure("excitons per dot n", "P(n)", height=260, scales=(bx, by))
        self.bars = bq.Bars(x=labels, y=np.zeros((n, N_BARS)), type="grouped",
                            scales={"x": bx, "y": by}, colors=cols, padding=0.15)  # fmt: skip
        self.bars_fig.marks = [self.bars]
        self.table = W.HTML()
        self.table.add_class("qd-fluence-table")

    def draw(self, t: np.ndarray, y: np.ndarray, pump: np.ndarray, sigma: float,
             p: dict[str, float], scaling: str) -> dict[str, np.ndarray]:  # fmt: skip
        """Redraw the model, the saturation and P(n) for σ and ``p``; returns what was drawn."""
        occ = sigma * pump
        f = model(t, occ, p, scaling)
        mm = float(np.sum(f * f))
        amp = float(np.sum(f * y)) / mm if mm > 0 else 0.0
        best = amp * f
        late = late_window(t, p)
        sat = amp * model(t[late], sigma * self.grid, p, scaling).mean(axis=1)
        bars = poisson_bars(occ)
        with self.fit.hold_sync(), self.sat_model.hold_sync(), self.bars.hold_sync():
            self.fit.y = best[:, self.pos]
            self.sat_data.y = y[:, late].mean(axis=1)
            self.sat_model.y = sat
            self.bars.y = bars
        return {"best_fit": best, "amplitude": np.array(amp), "bars": bars}


def table_html(fit: Any) -> str:
    """The result table (value ± standard error), escaped."""
    if fit is None:
        return "<i>press Fit to fit every pump level together</i>"

    def row(name: str, value: float, err: float, unit: str) -> str:
        pm = f" ± {err:.2g}" if math.isfinite(err) else (" (fixed)" if math.isnan(err) else " ± ∞")
        return (f"<tr><th style='text-align:left'>{escape(name)}</th>"
                f"<td>{value:.4g}{escape(pm)} {escape(unit)}</td></tr>")  # fmt: skip

    rows = [
        row("σ", fit.cross_section, fit.cross_section_stderr, f"{fit.pump_units}⁻¹"),
        row(
            "⟨N⟩ of the highest level",
            fit.max_occupancy,
            float(fit.occupancy_stderr.values[-1]),
            "",
        ),
        row("τ_XX (biexciton Auger)", fit.tau_xx, fit.tau_xx_stderr, "ps"),
        row("τ_X (single exciton)", fit.tau_x, fit.tau_x_stderr, "ps"),
        row("τ_cool", fit.tau_cool, fit.tau_cool_stderr, "ps"),
        row("IRF FWHM", fit.irf_fwhm, fit.irf_fwhm_stderr, "ps"),
        row("t0", fit.t0, fit.t0_stderr, "ps"),
    ]
    status = "converged" if fit.converged else "NOT converged"
    return (f"<table class='qd-fluence-result'>{''.join(rows)}</table>"
            f"<div>{escape(fit.scaling)} scaling · χ²_red = {fit.redchi:.3g} OD² · "
            f"{escape(status)}</div>")  # fmt: skip
