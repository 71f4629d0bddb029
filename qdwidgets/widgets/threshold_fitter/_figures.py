"""ThresholdFitter's controls and bqplot figures (built once; the widget only updates them)."""

from __future__ import annotations

from typing import Any

import bqplot as bq
import ipywidgets as W
import numpy as np

from .._plots import figure

BELOW_COLOR, ABOVE_COLOR, CI_COLOR = "#1f77b4", "#d62728", "#7f7f7f"
HANDLE_Y = 0.06  # handles sit near the bottom of the enhancement plot (fixed 0..1 scale)


def build(w: Any) -> None:
    """Create the controls (linked to ``w``'s traits), the four figures and the layout of ``w``."""
    p = w.power
    step = float(np.min(np.diff(p))) / 10 if p.size > 1 else 1.0
    w.feedback_select = W.Dropdown(options=w._options, description="feedback")
    w.spot_input = W.BoundedFloatText(min=1e-4, max=1e4, step=0.1, description="spot ⌀ (mm)")
    w.profile_select = W.Dropdown(
        options=[("top hat", "tophat"), ("Gaussian (1/e² ⌀)", "gaussian")],
        description="profile",
    )
    w.scale_toggle = W.ToggleButtons(
        options=["linear", "log"],
        description="axes",
        style={"description_width": "initial", "button_width": "70px"},
    )
    rng = {
        "min": float(p[0]),
        "max": float(p[-1]),
        "step": step,
        "readout_format": ".4g",
        "layout": W.Layout(width="480px"),
        "style": {"description_width": "80px"},
    }
    w.below_slider = W.FloatRangeSlider(description="below (mW)", **rng)
    w.above_slider = W.FloatRangeSlider(description="above (mW)", **rng)
    w.method_select = W.Dropdown(
        options=[
            ("spectrum maximum", "max"),
            ("at the peak wavelength", "at_peak"),
            ("integrated", "integrated"),
        ],
        description="output",
    )
    w.criteria_button = W.Button(description="compare criteria", icon="table")
    w.criteria_html = W.HTML()
    w.criteria_button.add_class("qd-criteria-button")
    w.criteria_html.add_class("qd-criteria")
    w.power_slider = W.SelectionSlider(
        options=[(f"{v:g} mW", float(v)) for v in p], description="spectra at"
    )
    for ctl, name in [
        (w.feedback_select, "feedback"),
        (w.spot_input, "spot_diameter_mm"),
        (w.profile_select, "beam_profile"),
        (w.scale_toggle, "scale"),
        (w.power_slider, "selected_power"),
        (w.method_select, "method"),
    ]:
        w.link_control(ctl, name)
    for ctl, name in [(w.below_slider, "below"), (w.above_slider, "above")]:
        w.link_control(ctl, name, to_trait=list, to_control=tuple)
    for cls, ctl in [
        ("qd-feedback", w.feedback_select),
        ("qd-spot", w.spot_input),
        ("qd-profile", w.profile_select),
        ("qd-scale", w.scale_toggle),
        ("qd-below", w.below_slider),
        ("qd-above", w.above_slider),
        ("qd-power", w.power_slider),
        ("qd-method", w.method_select),
    ]:
        ctl.add_class(cls)
    w.readout = W.HTML()
    w.readout.add_class("qd-threshold-readout")
    w.scale_note = W.HTML()
    w.scale_note.add_class("qd-scale-note")

    # output vs power (left: with and without feedback)
    w.out_fig, w.out_xs, w.out_ys = figure("pump power (mW)", "peak emission")
    w._lin_scales = (w.out_xs, w.out_ys)
    w._log_scales = (bq.LogScale(), bq.LogScale())
    sc = {"x": w.out_xs, "y": w.out_ys}
    w.out_none = bq.Lines(
        scales=sc,
        colors=["#2ca02c"],
        marker="circle",
        marker_size=16,
        labels=["none"],
        display_legend=True,
    )
    w.out_fb = bq.Lines(
        scales=sc,
        colors=[BELOW_COLOR],
        marker="circle",
        marker_size=16,
        labels=["feedback"],
        display_legend=True,
    )
    w.out_fig.marks = [w.out_none, w.out_fb]
    w.out_fig.legend_location = "top-left"  # the curves rise to the top right
    w.out_fig.add_class("qd-output-figure")

    # enhancement with windows, lines, intersection
    w.enh_fig, xs, ys = figure("pump power (mW)", "enhancement (with − without)")
    w.enh_xs, w.enh_ys = xs, ys
    unit = bq.LinearScale(min=0.0, max=1.0)
    w.shading = bq.Lines(
        x=np.zeros((3, 4)),
        y=np.tile([0.0, 1.0, 1.0, 0.0], (3, 1)),
        scales={"x": xs, "y": unit},
        fill="inside",
        colors=[BELOW_COLOR, ABOVE_COLOR, CI_COLOR],
        fill_colors=[BELOW_COLOR, ABOVE_COLOR, CI_COLOR],
        fill_opacities=[0.1, 0.1, 0.25],
        stroke_width=0.5,
        opacities=[1.0, 1.0, 1.0],
    )
    w.enh_points = bq.Scatter(
        scales={"x": xs, "y": ys}, colors=["#e377c2"], default_size=24, labels=["enhancement"]
    )
    w.line_below = bq.Lines(scales={"x": xs, "y": ys}, colors=[BELOW_COLOR], stroke_width=2)
    w.line_above = bq.Lines(scales={"x": xs, "y": ys}, colors=[ABOVE_COLOR], stroke_width=2)
    w.cross = bq.Scatter(
        x=[0.0],
        y=[0.0],
        scales={"x": xs, "y": ys},
        marker="diamond",
        colors=["var(--jp-content-font-color1, #111111)"],
        default_size=80,
    )
    w.handles = bq.Scatter(
        x=np.zeros(4),
        y=np.full(4, HANDLE_Y),
        scales={"x": xs, "y": unit},
        marker="triangle-up",
        default_size=160,
        colors=[BELOW_COLOR, BELOW_COLOR, ABOVE_COLOR, ABOVE_COLOR],
        enable_move=True,
        restrict_x=True,
        update_on_move=False,
    )
    w.handles.on_drag_start(w.guarded(w._on_drag_start))
    w.handles.on_drag(w.guarded(w._on_drag))
    w.handles.on_drag_end(w.guarded(w._on_drag_end))
    w.enh_fig.marks = [
        w.shading,
        w.enh_points,
        w.line_below,
        w.line_above,
        w.cross,
        w.handles,
    ]
    w.enh_fig.add_class("qd-enhancement-figure")

    # spectra at the selected power; linewidth vs power
    w.spec_fig, sxs, sys_ = figure("wavelength (nm)", "emission", height=220)
    w.spec_none = bq.Lines(
        scales={"x": sxs, "y": sys_},
        colors=["#2ca02c"],
        line_style="dashed",
        labels=["none"],
        display_legend=True,
    )
    w.spec_fb = bq.Lines(
        scales={"x": sxs, "y": sys_},
        colors=[BELOW_COLOR],
        labels=["feedback"],
        display_legend=True,
    )
    w.spec_fig.marks = [w.spec_none, w.spec_fb]
    w.spec_fig.add_class("qd-spectra-figure")
    w.width_fig, wxs, wys = figure("pump power (mW)", "FWHM (nm)", height=220)
    w.width_none = bq.Lines(
        scales={"x": wxs, "y": wys}, colors=["#2ca02c"], marker="circle", marker_size=12
    )
    w.width_fb = bq.Lines(
        scales={"x": wxs, "y": wys}, colors=[BELOW_COLOR], marker="circle", marker_size=12
    )
    w.width_fig.marks = [w.width_none, w.width_fb]
    w.width_fig.add_class("qd-linewidth-figure")

    half = W.Layout(width="50%")
    for fig in (w.out_fig, w.enh_fig, w.spec_fig, w.width_fig):
        fig.layout = half
    controls = W.VBox(
        [
            W.HBox([w.feedback_select, w.spot_input, w.profile_select]),
            W.HBox(
                [w.below_slider, w.above_slider],
                layout=W.Layout(flex_flow="row wrap"),  # one per line when the cell is narrow
            ),
            W.HBox([w.scale_toggle, w.power_slider, w.method_select]),
            w.scale_note,
        ]
    )
    w.children = [
        controls,
        w.error,
        w.readout,
        W.HBox([w.out_fig, w.enh_fig]),
        W.HBox([w.spec_fig, w.width_fig]),
        W.HBox([w.criteria_button]),
        w.criteria_html,
        w.code_panel(),
    ]
    w.add_class("qd-threshold-fitter")
