"""ThresholdFitter's drawing: output vs power (linear or log axes), the enhancement with its
windows, fitted lines and intersection, the spectra, and the readout."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ..._html import escape
from ...core.threshold import ThresholdFit
from .._plots import LOG_TICKS


class DrawingMixin:
    """Drawing of ThresholdFitter (see that class); it updates marks built by ``_figures``."""

    data: xr.Dataset
    power: np.ndarray
    wavelength: np.ndarray
    feedback: str
    scale: str
    selected_power: float
    below: list[float]
    above: list[float]
    output: xr.DataArray
    enhancements: dict[str, xr.DataArray]
    widths: xr.DataArray
    criteria_result: Any
    _fit: ThresholdFit | None
    _dragging: bool
    _spot_assumed: bool
    _lin_scales: tuple[Any, Any]
    _log_scales: tuple[Any, Any]
    criteria_html: Any
    cross: Any
    enh_fig: Any
    enh_points: Any
    handles: Any
    line_above: Any
    line_below: Any
    out_fb: Any
    out_fig: Any
    out_none: Any
    readout: Any
    scale_note: Any
    shading: Any
    spec_fb: Any
    spec_fig: Any
    spec_none: Any
    width_fb: Any
    width_none: Any
    hold_sync: Any

    def _apply_scale(self) -> None:
        xs, ys = self._log_scales if self.scale == "log" else self._lin_scales
        for mark in (self.out_none, self.out_fb):
            mark.scales = {"x": xs, "y": ys}
        ax_x, ax_y = self.out_fig.axes
        ax_x.scale, ax_y.scale = xs, ys
        ax_x.tick_format = LOG_TICKS if self.scale == "log" else None
        ax_y.tick_format = LOG_TICKS if self.scale == "log" else ".3~g"
        self._draw_output()

    def _draw_curves(self) -> None:
        fb = self.feedback
        p = self.power
        self._draw_output()
        with self.hold_sync():
            self.out_fb.labels = [fb]
            self.enh_points.x, self.enh_points.y = p, self.enhancements[fb].values
            w_none = self.widths.sel(feedback="none").values
            w_fb = self.widths.sel(feedback=fb).values
            self.width_none.x, self.width_none.y = p, w_none
            self.width_fb.x, self.width_fb.y = p, w_fb
        self.out_fig.title = f"{self.output.attrs['long_name']}: none and {fb}"
        units = self.output.attrs.get("units", "")
        label = (
            f"{self.output.attrs['long_name']} ({units})"
            if units
            else self.output.attrs["long_name"]
        )
        self.out_fig.axes[1].label = label
        self.enh_fig.axes[1].label = f"enhancement ({units})" if units else "enhancement"
        em_units = self.data["emission"].attrs.get("units", "")
        self.spec_fig.axes[1].label = f"emission ({em_units})" if em_units else "emission"
        self.criteria_html.value = ""  # stale once the curves change
        self.criteria_result = None
        self.enh_fig.title = f"enhancement ({fb} − none)"

    def _draw_output(self) -> None:
        """Output vs power; on log axes only the points with power and output > 0."""
        p = self.power
        none = self.output.sel(feedback="none").values
        fb = self.output.sel(feedback=self.feedback).values
        dropped = 0
        with self.hold_sync():
            for mark, y in ((self.out_none, none), (self.out_fb, fb)):
                keep = (p > 0) & (y > 0) if self.scale == "log" else np.ones(p.size, dtype=bool)
                dropped += int((~keep).sum())
                mark.x, mark.y = p[keep], y[keep]
        self.scale_note.value = (
            f"<i>log axes: {dropped} point(s) with a power or output ≤ 0 are not drawn</i>"
            if dropped
            else ""
        )

    def _draw_spectra(self) -> None:
        p = float(self.power[np.argmin(np.abs(self.power - self.selected_power))])
        em = self.data["emission"].sel(power=p)
        with self.spec_fig.hold_sync():
            self.spec_none.x = self.spec_fb.x = self.wavelength
            self.spec_none.y = em.sel(feedback="none").values
            self.spec_fb.y = em.sel(feedback=self.feedback).values
            self.spec_fb.labels = [self.feedback]
        self.spec_fig.title = f"spectra at {p:g} mW"

    def _draw_windows(self) -> None:
        b, a = self.below, self.above
        x = np.array([[b[0], b[0], b[1], b[1]], [a[0], a[0], a[1], a[1]], [0.0, 0.0, 0.0, 0.0]])
        fit = self._fit
        if fit is not None and all(math.isfinite(v) for v in fit.ci_mW):
            x[2] = [fit.ci_mW[0], fit.ci_mW[0], fit.ci_mW[1], fit.ci_mW[1]]
        else:
            x[2] = [b[1], b[1], b[1], b[1]]
        with self.shading.hold_sync():
            self.shading.x = x
        if not self._dragging:
            self.handles.x = np.array([b[0], b[1], a[0], a[1]], dtype=float)

    def _draw_fit(self) -> None:
        fit = self._fit
        lines = [
            (self.line_below, fit.below_line if fit else None),
            (self.line_above, fit.above_line if fit else None),
        ]
        x0 = fit.threshold_mW if fit else float("nan")
        for mark, line in lines:
            if line is None:
                mark.visible = False
                continue
            lo, hi = line.window
            xx = np.array([min(lo, x0), max(hi, x0)])
            with mark.hold_sync():
                mark.x, mark.y, mark.visible = xx, line(xx), True
        if fit is None or fit.below_line is None:
            self.cross.visible = False
            self.readout.value = "<b>threshold:</b> — (see the message above)"
            return
        with self.cross.hold_sync():
            self.cross.x, self.cross.y = [x0], [float(fit.below_line(x0))]
            self.cross.visible = True
        self.readout.value = self._readout(fit)

    def _readout(self, fit: ThresholdFit) -> str:
        lo, hi = fit.ci_mW
        text = (
            f"<b>threshold ({escape(self.feedback)}):</b> "
            f"<span class='qd-threshold-mW'>{fit.threshold_mW:.4g}</span> mW "
            f"(95 % CI {lo:.4g}–{hi:.4g}) = "
            f"<span class='qd-threshold-Wcm2'>{fit.threshold_W_cm2:.4g}</span> W cm⁻² "
            f"({fit.ci_W_cm2[0]:.4g}–{fit.ci_W_cm2[1]:.4g}; {escape(fit.beam_profile)}, "
            f"{fit.spot_diameter_mm:g} mm spot) · slope ratio {fit.slope_ratio:.3g} · "
            f"CI: {fit.ci_method}"
        )
        if self._spot_assumed:
            text += " · <i>spot diameter not in the dataset: 1 mm assumed, set it above</i>"
        if fit.message:
            text += f"<br><i>{escape(fit.message)}</i>"
        return text
