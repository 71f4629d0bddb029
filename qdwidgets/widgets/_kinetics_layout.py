"""KineticsFitter parts: its figures and controls, and the drawing/table mixin."""

from __future__ import annotations

import math
from typing import Any

import bqplot as bq
import ipywidgets as W
import numpy as np

from ..core import kinetics as K
from ._kinetics_table import TableMixin
from ._plots import figure, zero_line

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
MAX_COMPONENTS = K.MAX_COMPONENTS  # the core's limit, written once
assert len(COLORS) >= MAX_COMPONENTS, "one colour per component"


def build_plots(self: Any) -> None:
    """The two data panels (linear, log delay) with their residual panels below."""
    t = self.delay
    self.fig_lin, self.xs_lin, self.ys = figure("delay (ps), linear", "ΔA (OD)", height=300)
    self.fig_log, self.xs_log, _ = figure(
        "delay (ps), log", "", height=300, scales=(bq.LogScale(), self.ys)
    )
    self.res_lin, rx_lin, self.rys = figure(
        "delay (ps)", "residual (OD)", height=170, num_ticks=(5, None)
    )
    self.res_log, rx_log, _ = figure("delay (ps)", "", height=170, scales=(bq.LogScale(), self.rys))
    unit = bq.LinearScale(min=0.0, max=1.0)
    self.marks = {}
    for side, fig, xs, rfig, rxs in (
        ("lin", self.fig_lin, self.xs_lin, self.res_lin, rx_lin),
        ("log", self.fig_log, self.xs_log, self.res_log, rx_log),
    ):
        sel = self._side(side)
        x = t[sel] if sel.any() else t[:2]
        sc, rsc = {"x": xs, "y": self.ys}, {"x": rxs, "y": self.rys}
        data = bq.Scatter(x=x, y=np.zeros_like(x), scales=sc, default_size=12, colors=["#444"])
        data_lines = bq.Lines(
            x=x, y=np.zeros((1, x.size)), scales=sc, marker="circle", marker_size=8,
            stroke_width=0, colors=list(COLORS), labels=["data"],
        )  # fmt: skip
        model = bq.Lines(
            x=x, y=np.zeros((1, x.size)), scales=sc, stroke_width=2, colors=list(COLORS)
        )
        resid = bq.Lines(
            x=x, y=np.zeros((1, x.size)), scales=rsc, stroke_width=1, colors=list(COLORS)
        )
        rng = (float(x[0]), float(x[-1]))
        window = bq.Lines(
            x=np.zeros((2, 2)), y=np.array([[0.0, 1.0], [0.0, 1.0]]),
            scales={"x": xs, "y": unit}, colors=["#999999"], line_style="dashed", stroke_width=1.5,
        )  # fmt: skip
        fig.marks = [zero_line(xs, self.ys, rng), window, data_lines, model]
        rfig.marks = [zero_line(rxs, self.rys, rng), resid]
        self.marks[side] = {
            "data": data_lines, "model": model, "resid": resid, "dots": data, "window": window
        }  # fmt: skip
        xs.min, xs.max = rng
        rxs.min, rxs.max = rng
    self.fig_lin.add_class("qd-kinetics-lin")
    self.fig_log.add_class("qd-kinetics-log")
    self.legend = W.HTML()
    left = W.VBox([self.fig_lin, self.res_lin], layout=W.Layout(width="40%"))
    right = W.VBox([self.fig_log, self.res_log], layout=W.Layout(width="60%"))
    self.plots = W.VBox([self.legend, W.HBox([left, right])])


def build_controls(self: Any, wl: np.ndarray) -> None:
    """Wavelength/band/pump pickers, one row per component, offset, IRF, t0, buttons, table."""
    step = float(np.min(np.diff(wl))) if wl.size > 1 else 1.0
    self.wl_slider = W.FloatSlider(
        min=float(wl.min()), max=float(wl.max()), step=step, description="λ (nm)",
        continuous_update=False, readout_format=".1f",
    )  # fmt: skip
    self.band_box = W.BoundedFloatText(min=0, max=float(np.ptp(wl)) or 1.0, description="band nm")
    self.edit_pick = W.Dropdown(description="edit")
    t = self.delay
    box = {"layout": W.Layout(width="190px"), "style": {"description_width": "85px"}}
    self.window_from = W.FloatText(description="fit from (ps)", **box)
    self.window_to = W.FloatText(description="to (ps)", **box)
    self.window_from.add_class("qd-window-from")
    self.window_to.add_class("qd-window-to")
    self.header = W.VBox(
        [
            W.HBox([self.wl_slider, self.band_box, self.edit_pick]),
            W.HBox([self.window_from, self.window_to]),
        ]
    )
    span = float(t[-1] - t[0])
    dt = np.diff(t)
    res = float(np.min(dt[dt > 0])) if np.any(dt > 0) else 0.1
    self._tau_range = (math.log10(max(res * 0.1, 1e-4)), math.log10(max(span * 20, 1.0)))
    self.rows = []
    for i in range(MAX_COMPONENTS):
        tau = W.FloatLogSlider(
            value=10 ** (i + 0.5), base=10, min=self._tau_range[0], max=self._tau_range[1],
            step=0.01, description=f"τ{i + 1} (ps)", readout_format=".4g",
            continuous_update=True, layout=W.Layout(width="420px"),
        )  # fmt: skip
        amp = W.FloatText(description=f"A{i + 1} (OD)", layout=W.Layout(width="220px"))
        lock = W.ToggleButton(description="lock τ", icon="lock", layout=W.Layout(width="90px"))
        share = W.HTML(layout=W.Layout(width="80px"))
        tau.add_class(f"qd-tau-{i + 1}")
        lock.add_class(f"qd-lock-{i + 1}")
        box = W.HBox([tau, amp, lock, share])
        self.rows.append({"tau": tau, "amp": amp, "lock": lock, "share": share, "box": box})
        tau.observe(self.reaction(lambda ch, i=i: self._on_row(i, "taus", ch["new"])), "value")
        amp.observe(
            self.reaction(lambda ch, i=i: self._on_row(i, "amplitudes", ch["new"])), "value"
        )
        lock.observe(self.reaction(lambda ch, i=i: self._on_lock(i, ch["new"])), "value")
    self.offset_check = W.Checkbox(description="offset", indent=False)
    self.offset_amp = W.FloatText(description="offset (OD)", layout=W.Layout(width="220px"))
    self.irf_slider = W.FloatSlider(
        min=0.0, max=max(5 * res, min(5.0, 0.05 * span)), step=res / 20, description="IRF (ps)",
        readout_format=".4g", layout=W.Layout(width="420px"),
    )  # fmt: skip
    self.irf_lock = W.ToggleButton(description="lock", icon="lock", layout=W.Layout(width="90px"))
    self.t0_slider = W.FloatSlider(
        min=float(t[0]), max=float(min(t[-1], t[0] + 0.1 * span + 5)), step=res / 20,
        description="t0 (ps)", readout_format=".4g", layout=W.Layout(width="420px"),
    )  # fmt: skip
    self.t0_lock = W.ToggleButton(description="lock", icon="lock", layout=W.Layout(width="90px"))
    wide = W.Layout(width="auto")  # the whole label shows ("remove component" was cut)
    self.add_button = W.Button(description="add component", icon="plus", layout=wide)
    self.remove_button = W.Button(description="remove component", icon="minus", layout=wide)
    self.guess_button = W.Button(description="auto start", icon="magic")
    self.fit_button = W.Button(description="Fit", icon="play", button_style="primary")
    self.fit_button.add_class("qd-fit-button")
    self.status = W.HTML()
    self.status.add_class("qd-kinetics-status")
    self.controls = W.VBox(
        [
            *[r["box"] for r in self.rows],
            W.HBox([self.offset_check, self.offset_amp]),
            W.HBox([self.irf_slider, self.irf_lock]),
            W.HBox([self.t0_slider, self.t0_lock]),
            W.HBox([self.add_button, self.remove_button, self.guess_button, self.fit_button]),
            self.status,
        ]
    )
    self.table_html = W.HTML()
    self.table_html.add_class("qd-kinetics-table")
    self.copy_text = W.Textarea(description="copy", layout=W.Layout(width="95%", height="90px"))
    self.csv_path = W.Text(value="kinetics_table.csv", description="CSV file")
    self.csv_button = W.Button(description="Export CSV", icon="download")
    self.table_box = W.VBox(
        [self.table_html, self.copy_text, W.HBox([self.csv_path, self.csv_button])]
    )
    # wiring
    self.link_control(self.wl_slider, "wavelength")
    self.link_control(self.band_box, "band_nm")
    self.link_control(
        self.window_from, "delay_range",
        to_trait=lambda v: [v, self.delay_range[1]], to_control=lambda w: float(w[0]),
    )  # fmt: skip
    self.link_control(
        self.window_to, "delay_range",
        to_trait=lambda v: [self.delay_range[0], v], to_control=lambda w: float(w[1]),
    )  # fmt: skip
    self.link_control(self.offset_check, "offset_on")
    self.link_control(self.irf_lock, "irf_locked")
    self.link_control(self.t0_lock, "t0_locked")
    self.offset_amp.observe(self.reaction(lambda ch: self._on_scalar("offset", ch["new"])), "value")
    self.irf_slider.observe(
        self.reaction(lambda ch: self._on_scalar("irf_fwhm", ch["new"], self.irf_slider)),
        "value",
    )
    self.t0_slider.observe(
        self.reaction(lambda ch: self._on_scalar("t0", ch["new"], self.t0_slider)), "value"
    )
    self.edit_pick.observe(self.reaction(self._on_edit_pick), "value")
    self.add_button.on_click(self.guarded(lambda _b: self.add_component()))
    self.remove_button.on_click(self.guarded(lambda _b: self.remove_component()))
    self.guess_button.on_click(self.guarded(lambda _b: self.auto_start()))
    self.fit_button.on_click(self.guarded(lambda _b: self.fit()))
    self.csv_button.on_click(self.guarded(lambda _b: self.to_csv(self.csv_path.value)))


class DrawingMixin(TableMixin):
    """Drawing, control syncing and the Table-1 output of KineticsFitter (see that class)."""

    # provided by KineticsFitter
    params: list[dict[str, Any]]
    locks: list[bool]
    delay: np.ndarray
    marks: dict[str, dict[str, Any]]
    rows: list[dict[str, Any]]
    _traces: Any
    _result: Any
    _tau_range: tuple[float, float]
    n_components: int
    offset_on: bool
    edit_index: int
    split_ps: float
    delay_range: list[float]
    data: Any
    add_button: Any
    remove_button: Any
    copy_text: Any
    irf_slider: Any
    t0_slider: Any
    offset_amp: Any
    offset_check: Any
    status: Any
    table_html: Any
    xs_lin: Any
    xs_log: Any
    ys: Any
    rys: Any
    res_lin: Any
    res_log: Any

    @property
    def pumps(self) -> list[float]:
        """The pump levels shown (values of the ``pump`` coordinate)."""
        return [float(v) for v in self.data["pump"].values]

    @property
    def n_pumps(self) -> int:
        return int(self.data.sizes["pump"])

    def _side(self, side: str) -> np.ndarray:
        t = self.delay
        if side == "lin":
            return t <= self.split_ps
        return (t > self.split_ps) & (t > 0)

    # -- drawing ----------------------------------------------------------------
    def model_curve(self, i: int, t: np.ndarray | None = None) -> np.ndarray:
        """The model of one pump level with its current parameters.

        Parameters
        ----------
        i : int
            The pump level (index).
        t : numpy.ndarray, optional
            Delays (ps); default the data's.

        Returns
        -------
        numpy.ndarray
            The model (OD) at ``t``.
        """
        p = self.params[i]
        return K.evaluate(
            self.delay if t is None else t,
            p["taus"],
            p["amplitudes"],
            offset=p["offset"] if self.offset_on else 0.0,
            irf_fwhm=p["irf_fwhm"],
            t0=p["t0"],
        )

    def _redraw(self, i: int) -> None:
        """Redraw the model (and residual) of one pump level: model evaluation only."""
        assert self._traces is not None
        y = np.asarray(self._traces.values, dtype=float)
        model = self.model_curve(i)
        for side in ("lin", "log"):
            sel = self._side(side)
            if not sel.any():
                continue
            m = self.marks[side]
            rsel = self._fitted(side)
            my = np.array(m["model"].y, dtype=float, ndmin=2)
            ry = np.array(m["resid"].y, dtype=float, ndmin=2)
            if my.shape != (self.n_pumps, int(sel.sum())) or (
                rsel.any() and ry.shape != (self.n_pumps, int(rsel.sum()))
            ):
                self._redraw_all()
                return
            my[i] = model[sel]
            with m["model"].hold_sync():
                m["model"].y = my
            if rsel.any():
                ry[i] = y[i][rsel] - model[rsel]
                with m["resid"].hold_sync():
                    m["resid"].y = ry

    def _redraw_all(self) -> None:
        if self._traces is None or not self.params:
            return
        y = np.asarray(self._traces.values, dtype=float)
        models = np.stack([self.model_curve(i) for i in range(self.n_pumps)])
        for side, xs in (("lin", self.xs_lin), ("log", self.xs_log)):
            sel = self._side(side)
            if not sel.any():
                continue
            x = self.delay[sel]
            m = self.marks[side]
            for key, vals in (("data", y[:, sel]), ("model", models[:, sel])):
                with m[key].hold_sync():
                    m[key].x, m[key].y = x, vals
            rsel = self._fitted(side)  # the residual where it was fitted: inside the window
            with m["resid"].hold_sync():
                if rsel.any():
                    m["resid"].x, m["resid"].y = self.delay[rsel], y[:, rsel] - models[:, rsel]
                m["resid"].visible = bool(rsel.any())
            xs.min, xs.max = float(x[0]), float(x[-1])
        lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
        pad = 0.05 * (hi - lo or 1.0)
        self.ys.min, self.ys.max = lo - pad, hi + pad
        inside = self._fitted("all")
        self._residual_axis((y - models)[:, inside] if inside.any() else np.zeros((1, 1)))
        self._draw_window()
        self._update_shares()

    def _residual_axis(self, resid: np.ndarray) -> None:
        """Symmetric residual range with three round ticks (−r, 0, r): short panels stay legible."""
        big = float(np.nanmax(np.abs(resid))) if np.isfinite(resid).any() else 0.0
        if not big > 0:
            big = 1e-6
        unit = 10 ** math.floor(math.log10(big))
        r = math.ceil(big / unit) * unit
        self.rys.min, self.rys.max = -1.15 * r, 1.15 * r
        for fig in (self.res_lin, self.res_log):
            fig.axes[1].tick_values = np.array([-r, 0.0, r])

    def _fitted(self, side: str) -> np.ndarray:
        """Delays of a panel ('lin', 'log' or 'all') inside the fit window."""
        lo, hi = (float(v) for v in self.delay_range)
        t = self.delay
        inside = (t >= lo) & (t <= hi)
        return inside if side == "all" else inside & self._side(side)

    def _draw_window(self) -> None:
        """The fit window's edges as dashed lines on both panels."""
        lo, hi = (float(v) for v in self.delay_range)
        for side in ("lin", "log"):
            mark = self.marks[side]["window"]  # the residual panels follow in _redraw_all
            with mark.hold_sync():
                mark.x = np.array([[lo, lo], [hi, hi]])
