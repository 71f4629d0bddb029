"""One pump level of the BandDeconvolver: its spectrum, bands, and the bqplot marks with handles.

Scatter handles follow bqplot 0.13's drag protocol: custom messages ``{"event": "drag_start" |
"drag" | "drag_end", "point": {"x", "y"}, "index": i}`` in data units (see
``tests/widgets/test_band_deconvolver.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import bqplot as bq
import ipywidgets as W
import numpy as np
import xarray as xr

from .._choices import Handle
from .._html import escape
from ..core import bands as B
from ._plots import figure, zero_line

if TYPE_CHECKING:
    from .band_deconvolver import BandDeconvolver

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2")


class Panel:
    """One pump level: its spectrum, its bands and the marks that draw them."""

    def __init__(self, owner: BandDeconvolver, pump: float) -> None:
        self.owner, self.pump = owner, pump
        self.bands: list[B.Band] = []
        self.fit: B.BandFit | None = None
        self.spectrum: xr.DataArray | None = None
        wl = owner.wavelength
        self.fig, xs, ys = figure("wavelength (nm)", "ΔA (OD)", height=320)
        xs.min, xs.max = float(wl[0]), float(wl[-1])
        self.xs, self.ys = xs, ys
        self.fig.fig_margin = {**self.fig.fig_margin, "left": 80}
        self.fig.axes[1].label_offset = "65px"  # keep the label clear of "-0.0700"-wide ticks
        sc = {"x": xs, "y": ys}
        self.data_mark = bq.Lines(
            x=wl,
            y=np.zeros_like(wl),
            scales=sc,
            colors=["#555555"],
            marker="circle",
            marker_size=6,
            stroke_width=1,
            labels=["data"],
        )
        self.band_mark = bq.Lines(
            x=wl,
            y=np.zeros((1, wl.size)),
            scales=sc,
            stroke_width=2,
            fill="none",
            colors=list(COLORS),
        )
        self.sum_mark = bq.Lines(
            x=wl,
            y=np.zeros_like(wl),
            scales=sc,
            colors=["var(--jp-content-font-color1, #111111)"],
            line_style="dashed",
            stroke_width=2,
            labels=["sum"],
        )
        self.resid_mark = bq.Lines(
            x=wl,
            y=np.zeros_like(wl),
            scales=sc,
            colors=["#e377c2"],
            stroke_width=1,
            labels=["residual"],
        )
        self.peaks = bq.Scatter(
            x=[],
            y=[],
            scales=sc,
            enable_move=True,
            update_on_move=False,  # the custom drag messages carry the point; x, y sync at the end
            marker="circle",
            default_size=120,
            stroke="black",
        )
        self.sides = bq.Scatter(
            x=[],
            y=[],
            scales=sc,
            enable_move=True,
            update_on_move=False,  # the custom drag messages carry the point; x, y sync at the end
            restrict_x=True,
            marker="square",
            default_size=70,
            stroke="black",
        )
        self.fig.add_class("qd-band-panel")
        for mark, kind in ((self.peaks, "peak"), (self.sides, "side")):
            mark.on_drag_start(owner.guarded(lambda _m, c, k=kind: self.select(k, c)))
            mark.on_drag(owner.guarded(lambda _m, c, k=kind: self.drag(k, c, final=False)))
            mark.on_drag_end(owner.guarded(lambda _m, c, k=kind: self.drag(k, c, final=True)))
        zero = zero_line(xs, ys, (float(wl[0]), float(wl[-1])))
        self.range_mark = bq.Lines(
            x=np.zeros((2, 2)),
            y=np.array([[0.0, 1.0], [0.0, 1.0]]),
            scales={"x": xs, "y": bq.LinearScale(min=0.0, max=1.0)},
            colors=["#999999"],
            line_style="dashed",
            stroke_width=1.5,
        )
        self.fig.marks = [
            zero,
            self.range_mark,
            self.data_mark,
            self.band_mark,
            self.sum_mark,
            self.resid_mark,
            self.sides,
            self.peaks,
        ]
        self.title = W.HTML()
        self.box = W.VBox([self.title, self.fig], layout=W.Layout(width="50%"))

    # -- drags ----------------------------------------------------------------------------------
    def _which(self, kind: str, index: int) -> tuple[int, Handle]:
        if kind == "peak":
            return index, "peak"
        side: tuple[Handle, Handle] = ("blue", "red")
        return index // 2, side[index % 2]

    def select(self, kind: str, content: dict[str, Any]) -> None:
        i, _ = self._which(kind, int(content["index"]))
        self.owner.selected = self.bands[i].name

    def drag(self, kind: str, content: dict[str, Any], *, final: bool) -> None:
        """Apply a bqplot drag message ``{event, point: {x, y}, index}`` to the band."""
        i, handle = self._which(kind, int(content["index"]))
        point = content["point"]
        band = B.move_handle(self.bands[i], handle, float(point["x"]), float(point["y"]))
        self.bands[i] = band
        self.fit = None
        # while dragging, leave the dragged mark alone (the browser is moving it)
        self.draw(
            handles="all" if final else ("sides" if kind == "peak" else "none"), rescale=final
        )
        if final:  # the table and controls follow once the handle is dropped
            self.owner._bands_changed()
            B.check_bands(self.bands, *self.owner.data_range)

    # -- drawing --------------------------------------------------------------------------------
    def load(self, delay: float) -> None:
        self.spectrum = B.spectrum_at(self.owner.ta, delay, self.pump)
        d = self.spectrum.attrs["delay"]
        occ = self.owner.occupancy.get(self.pump)
        occ_text = f", ⟨N⟩ ≈ {occ:.2g}" if occ is not None else ""
        self.title.value = (
            f"<b>{escape(self.owner.level_name(self.pump))}{occ_text}</b> — ΔA at {d:g} ps"
        )

    def draw(self, handles: str = "all", *, rescale: bool = True) -> None:
        """Redraw bands, sum, residual and handles; ``rescale=False`` (during a drag) keeps the
        y range still under the pointer."""
        assert self.spectrum is not None
        wl = self.owner.wavelength
        y = np.asarray(self.spectrum.values, dtype=float)
        curves = np.array([b.curve(wl) for b in self.bands]).reshape(-1, wl.size)
        total = curves.sum(axis=0) if self.bands else np.zeros_like(wl)
        colors = [COLORS[self.owner.names.index(b.name) % len(COLORS)] for b in self.bands]
        with self.fig.hold_sync():
            self.sum_mark.y = total  # first: what a drag is judged by
            self.data_mark.y = y
            if self.bands:
                self.band_mark.y = curves
                self.band_mark.colors = colors
                self.band_mark.labels = [b.name for b in self.bands]
            self.band_mark.visible = bool(self.bands)
            self.resid_mark.y = y - total
            if rescale:
                pad = 0.08 * float(np.ptp(np.concatenate([y, total, [0.0]])) or 1.0)
                self.ys.min = float(min(y.min(), total.min(), 0.0)) - pad
                self.ys.max = float(max(y.max(), total.max(), 0.0)) + pad
            lo, hi = self.owner.wavelength_range
            self.range_mark.x = np.array([[lo, lo], [hi, hi]], dtype=float)
            hs = [B.handles(b) for b in self.bands]
            if handles in ("all", "peaks"):
                self.peaks.x = np.array([h["peak"][0] for h in hs], dtype=float)
                self.peaks.y = np.array([h["peak"][1] for h in hs], dtype=float)
                self.peaks.colors = colors or ["black"]
            if handles in ("all", "sides"):
                self.sides.x = np.array([h[s][0] for h in hs for s in ("blue", "red")], dtype=float)
                self.sides.y = np.array([h[s][1] for h in hs for s in ("blue", "red")], dtype=float)
                self.sides.colors = [c for c in colors for _ in range(2)] or ["black"]
