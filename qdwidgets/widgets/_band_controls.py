"""The BandDeconvolver's controls (delay, band, shape, locks, add / remove, propose, fit) and table.

``build_controls`` makes the control widgets as attributes of the deconvolver and wires them to its
public methods; ``sync_controls`` shows the selected band in them; ``table_html`` renders each
panel's ``bands_table``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ipywidgets as W
import numpy as np

from .._html import escape
from ..core import bands as B

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._band_panel import Panel
    from .band_deconvolver import BandDeconvolver

LOCKS = (("center_nm", "lock centre"), ("fwhm_nm", "lock width"), ("amplitude", "lock height"))


def build_controls(w: BandDeconvolver) -> W.VBox:
    """Make ``w``'s control widgets, wire them to ``w`` and return the box that lays them out."""
    wl = w.wavelength
    delays = w.ta["delay"].values
    w.delay_input = W.BoundedFloatText(
        value=float(delays.min()),
        min=float(delays.min()),
        max=float(delays.max()),
        step=0.1,
        description="delay (ps)",
    )
    w.band_select = W.Dropdown(options=[], description="band")
    shapes = [s for s in B.SHAPES if s != "template" or w.template is not None]
    w.shape_select = W.Dropdown(options=shapes, description="shape")
    w.lock_boxes = {p: W.Checkbox(description=label, indent=False) for p, label in LOCKS}
    w.new_name = W.Text(placeholder="new band name", layout=W.Layout(width="130px"))
    w.new_center = W.BoundedFloatText(
        value=float(np.median(wl)), min=float(wl[0]), max=float(wl[-1]), description="at (nm)"
    )
    box = {"layout": W.Layout(width="200px"), "style": {"description_width": "95px"}}
    w.range_from = W.FloatText(description="fit from (nm)", **box)
    w.range_to = W.FloatText(description="to (nm)", **box)
    w.range_from.add_class("qd-range-from")
    w.range_to.add_class("qd-range-to")
    w.link_control(
        w.range_from,
        "wavelength_range",
        to_trait=lambda v: [v, w.wavelength_range[1]],
        to_control=lambda r: r[0],
    )
    w.link_control(
        w.range_to,
        "wavelength_range",
        to_trait=lambda v: [w.wavelength_range[0], v],
        to_control=lambda r: r[1],
    )
    w.add_button = W.Button(description="Add band", icon="plus")
    w.remove_button = W.Button(description="Remove band", icon="minus")
    w.propose_button = W.Button(description="Propose bands")
    w.fit_button = W.Button(description="Fit", button_style="primary")
    for b, cls in (
        (w.fit_button, "qd-fit"),
        (w.add_button, "qd-add-band"),
        (w.remove_button, "qd-remove-band"),
    ):
        b.add_class(cls)
    w.fit_button.on_click(w.guarded(lambda _b: w._fit_and_warn()))
    w.propose_button.on_click(w.guarded(lambda _b: w.propose()))
    w.add_button.on_click(
        w.guarded(
            lambda _b: w.add_band(
                w.new_name.value,
                float(w.new_center.value),
                shape=str(w.shape_select.value),
            )
        )
    )
    w.remove_button.on_click(w.guarded(lambda _b: w.remove_band(w.selected)))
    w.band_select.observe(w.reaction(w._on_band_select), names="value")
    w.shape_select.observe(w.reaction(w._on_shape), names="value")
    for param, box in w.lock_boxes.items():
        box.observe(w.reaction(lambda ch, p=param: w._on_lock(p, ch)), names="value")
    w.link_control(w.delay_input, "delay")
    return W.VBox(
        [
            W.HBox([w.delay_input, w.range_from, w.range_to, w.propose_button, w.fit_button]),
            W.HBox([w.band_select, w.shape_select, *w.lock_boxes.values()]),
            W.HBox([w.new_name, w.new_center, w.add_button, w.remove_button]),
        ]
    )


def sync_controls(w: BandDeconvolver) -> None:
    """Show the selected band's shape and locks, and the delay, without triggering the observers."""
    band = next(
        (b for b in (w.panels[0].bands if w.panels else []) if b.name == w.selected),
        None,
    )
    with w.quietly():
        w.band_select.value = band.name if band else None
        if band is not None:
            w.shape_select.value = band.shape
            for param, box in w.lock_boxes.items():
                box.value = param not in band.vary


def table_html(panels: Sequence[Panel], level_name: Callable[[float], str]) -> str:
    """Each panel's bands (centre, FWHM, area ± error, share) as an HTML table, side by side."""
    parts = []
    for p in panels:
        t = B.bands_table(p.bands)
        fixed = {b.name for b in p.bands if not b.vary}  # held entirely: no uncertainty
        rows = "".join(
            f"<tr><th>{escape(str(name))}</th><td>{r.center_nm:.1f}</td>"
            f"<td>{r.fwhm_nm:.1f}</td>"
            f"<td>{_pm(r.area_OD_eV, math.nan if name in fixed else r.area_err)}"
            f"{' (held)' if name in fixed else ''}</td>"
            f"<td>{r.share_pct:.1f}</td></tr>"
            for name, r in t.iterrows()
        )
        status = "fitted" if p.fit is not None else "not fitted"
        parts.append(
            f"<div><b>{escape(level_name(p.pump))}</b> ({status})"
            "<table class='qd-table'><tr><th>band</th><th>centre (nm)</th>"
            "<th>FWHM (nm)</th><th>area (OD·eV)</th><th>share (%)</th></tr>"
            f"{rows}</table></div>"
        )
    return (
        "<style>.qd-table{font-size:12px}.qd-table td,.qd-table th{padding:1px 6px;"
        "text-align:right;line-height:1.3}</style>"
        "<div style='display:flex;gap:2em;flex-wrap:wrap'>" + "".join(parts) + "</div>"
    )


def _pm(value: float, error: float) -> str:
    """'-2.06e-03 ± 2.1e-05', or the value alone when there is no uncertainty."""
    if error != error:  # NaN: not fitted
        return f"{value:.3e}"
    return f"{value:.3e} ± {error:.1e}"
