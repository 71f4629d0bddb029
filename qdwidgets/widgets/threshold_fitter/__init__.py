"""ThresholdFitter: the ASE threshold of Fig. 3c/3e with two draggable fit windows.

A thin view over ``qdwidgets.core.threshold``: output vs pump power with and without feedback,
the enhancement with the below/above-threshold windows (drag the triangles at the bottom of the
enhancement plot, or use the range sliders), the fitted lines, their intersection and its 95 %
interval; a readout in mW and W cm⁻²; spot diameter, beam profile, feedback and axis controls; the
spectra at a selected power; the linewidth vs power. ``fitter.result`` is the core ThresholdFit.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import traitlets
import xarray as xr

from ...core import _args as A
from ...core._choices import BEAM_PROFILES, OUTPUT_METHODS, BeamProfile, OutputMethod
from ...core.threshold import (
    ThresholdCriteria,
    ThresholdFit,
    criteria,
    default_feedback,
    enhancement,
    find_threshold,
    fit_lines,
    linewidth,
    peak_output,
)
from ...errors import DatasetError, FitError
from .._base import QDWidget, identifier
from ._drawing import DrawingMixin
from ._figures import HANDLE_Y, build

METHODS = OUTPUT_METHODS
PROFILES = BEAM_PROFILES

__all__ = ["HANDLE_Y", "ThresholdFitter"]


class ThresholdFitter(DrawingMixin, QDWidget):
    """Fit the ASE threshold of one feedback condition with two draggable windows.

    ``ThresholdFitter(ase, feedback=None, below=None, above=None)``: ``feedback`` defaults to the
    first condition that is not "none"; windows (lo, hi) in mW; without them the windows come
    from :func:`qdwidgets.core.threshold.find_threshold` (or the outer thirds of the power range
    when it finds no breakpoint). The windows never overlap: a handle stops one power step short
    of the other window. Log axes leave out points with a power or output ≤ 0 (a note says how
    many).
    """

    _kind: ClassVar[str] = "ase"
    _renamed_settings: ClassVar[dict[str, str]] = {"profile": "beam_profile"}  # saves before 0.2
    _state_keys: ClassVar[tuple[str, ...]] = (
        "feedback",
        "below",
        "above",
        "spot_diameter_mm",
        "beam_profile",
        "scale",
        "selected_power",
        "method",
    )

    feedback = traitlets.Unicode("")  # set from the data (core.threshold.default_feedback)
    below = traitlets.List(traitlets.Float(), minlen=2, maxlen=2, default_value=[0.0, 1.0])
    above = traitlets.List(traitlets.Float(), minlen=2, maxlen=2, default_value=[2.0, 3.0])
    spot_diameter_mm = traitlets.Float(1.0)
    beam_profile = traitlets.Unicode("tophat")
    scale = traitlets.Unicode("linear")
    selected_power = traitlets.Float(0.0)
    method = traitlets.Unicode("max")

    def __init__(
        self,
        ase: xr.Dataset,
        *,
        feedback: str | None = None,
        below: tuple[float, float] | None = None,
        above: tuple[float, float] | None = None,
        method: str = "max",
        **kwargs: Any,
    ) -> None:
        super().__init__(ase, **kwargs)
        ds = self.data
        labels = [str(v) for v in ds["feedback"].values]
        self._options = [s for s in labels if s != "none"]
        if "none" not in labels or not self._options:
            raise DatasetError(
                f"coordinate 'feedback' {labels}: the ThresholdFitter needs the reference 'none' "
                "and at least one feedback condition (e.g. 'lamp'). Fix: label them so"
            )
        if feedback is None:
            feedback = default_feedback(ds)
        if feedback not in self._options:
            raise DatasetError(
                f"feedback {feedback!r}: not in this dataset. Fix: use one of {self._options}"
            )
        self.power = np.asarray(ds["power"].values, dtype=float)
        self.wavelength = np.asarray(ds["wavelength"].values, dtype=float)
        p = self.power
        self.check_traits(
            {
                "feedback": lambda v: A.choice("feedback", v, self._options),
                "below": lambda v: self._check_window("below", v),
                "above": lambda v: self._check_window("above", v),
                "spot_diameter_mm": lambda v: A.positive("spot_diameter_mm", v, unit="mm"),
                "beam_profile": lambda v: A.choice("beam_profile", v, PROFILES),
                "scale": lambda v: A.choice("scale", v, ("linear", "log")),
                "selected_power": lambda v: A.number(
                    "selected_power", v, lo=float(p[0]), hi=float(p[-1]), unit="mW"
                ),
                "method": lambda v: A.choice("method", v, METHODS),
            }
        )
        self.method = method
        self._compute_curves()  # once: every control but "output" is an index into these
        self.widths = linewidth(ds)
        self.criteria_result: ThresholdCriteria | None = None
        self._fit: ThresholdFit | None = None
        self._fit_error = ""
        self._quiet = False  # set while several traits change together
        self._dragging = False
        self._anchor: tuple[int, float] | None = None
        spot = ds.attrs.get("spot_diameter_mm")
        self._spot_assumed = spot is None
        with self.hold_trait_notifications():
            self.feedback = feedback
            self.spot_diameter_mm = float(spot) if spot is not None else 1.0
            self.beam_profile = str(ds.attrs.get("beam_profile", "tophat"))
            self.selected_power = float(self.power[-1])
        build(self)
        self._quiet = True
        self._set_windows(below, above)
        self._quiet = False
        self.observe(self._guard(self._on_feedback), names="feedback")
        self.observe(self._guard(self._on_fit_inputs), names=["below", "above"])
        self.observe(self._guard(self._on_spot), names=["spot_diameter_mm", "beam_profile"])
        self.observe(self._guard(self._on_scale), names="scale")
        self.observe(self._guard(self._on_power), names="selected_power")
        self.observe(self._guard(self._on_method), names="method")
        self.criteria_button.on_click(self._guard(self._on_criteria))
        with self.reporting():
            self._draw_curves()
            self._draw_spectra()
            self._refit()

    # -- public -------------------------------------------------------------------------------
    @property
    def result(self) -> ThresholdFit | None:
        """The current fit (None while the windows give no threshold: see the error banner)."""
        return self._fit

    def apply_settings(self, settings: dict[str, Any]) -> None:
        self._quiet = True
        try:
            super().apply_settings(settings)
        finally:
            self._quiet = False
        with self.reporting():
            self._compute_curves()
            self._draw_curves()
            self._draw_spectra()
            self._apply_scale()
            self._refit()

    def to_code(self, data_name: str = "ase") -> str:
        """Python that repeats the current fit on the dataset named ``data_name``; it leaves
        the ThresholdFit in ``result``."""
        identifier("data_name", data_name)
        if self._fit is None:
            raise FitError(f"no threshold to give as code: {self._fit_error or 'no fit yet'}")
        return (
            "from qdwidgets.core import threshold as T\n"
            "from qdwidgets.data import validate\n\n"
            f"ds = validate({data_name}, 'ase')\n"
            f"curve = T.enhancement(ds, {self.feedback!r}, method={self.method!r})\n"
            "result = T.fit_lines(\n"
            "    ds['power'].values,\n"
            "    curve.values,\n"
            f"    below=({self.below[0]!r}, {self.below[1]!r}),\n"
            f"    above=({self.above[0]!r}, {self.above[1]!r}),\n"
            f"    spot_diameter_mm={float(self.spot_diameter_mm)!r},\n"
            f"    beam_profile={self.beam_profile!r},\n"
            ")\n"
        )

    def _check_window(self, name: str, value: Any) -> list[float]:
        lo, hi = A.interval(name, value, unit="mW", allow_none_ends=False)
        p = self.power
        if lo < p[0] - 1e-9 or hi > p[-1] + 1e-9:
            raise A.ArgumentError(
                f"{name} window ({lo:g}, {hi:g}) mW must lie within the powers, "
                f"{p[0]:g}–{p[-1]:g} mW"
            )
        return [float(lo), float(hi)]

    def _guard(self, func: Any) -> Any:
        """Like ``guarded``, but on success the banner shows the fit's state, not nothing."""

        def wrapper(*args: Any, **kwargs: Any) -> None:
            with self.reporting():
                func(*args, **kwargs)
            if not self.error_message and self._fit_error:
                self.show_error(self._fit_error)

        return wrapper

    # -- windows ------------------------------------------------------------------------------
    def _set_windows(self, below: Any, above: Any) -> None:
        p = self.power
        if below is None or above is None:
            fit = find_threshold(p, self.enhancements[self.feedback].values)
            if fit.converged and fit.below_line is not None and fit.above_line is not None:
                below, above = fit.below_line.window, fit.above_line.window
            else:
                n = p.size
                below = (p[0], p[max(n // 3 - 1, 2)])
                above = (p[min(2 * n // 3, n - 3)], p[-1])
        with self.hold_trait_notifications():
            self.below = [float(below[0]), float(below[1])]
            self.above = [float(above[0]), float(above[1])]

    def _on_drag_start(self, mark: Any, content: dict[str, Any]) -> None:
        self._dragging = True
        index = int(content["index"])
        name = "below" if index < 2 else "above"
        self._anchor = (index, float(getattr(self, name)[1 - index % 2]))

    def _on_drag(self, mark: Any, content: dict[str, Any]) -> None:
        self._move_edge(int(content["index"]), float(content["point"]["x"]))

    def _on_drag_end(self, mark: Any, content: dict[str, Any]) -> None:
        self._dragging = False
        self._move_edge(int(content["index"]), float(content["point"]["x"]))
        self._anchor = None
        self._draw_windows()

    def _move_edge(self, index: int, x: float) -> None:
        """Handle ``index`` (0, 1: below lo, hi; 2, 3: above lo, hi) moved to ``x`` mW."""
        p = self.power
        gap = float(np.min(np.diff(p))) if p.size > 1 else 0.0
        name = "below" if index < 2 else "above"
        if name == "below":  # stop one power step short of the other window
            x = float(np.clip(x, p[0], self.above[0] - gap))
        else:
            x = float(np.clip(x, self.below[1] + gap, p[-1]))
        if self._anchor is not None and self._anchor[0] == index:
            other = self._anchor[1]  # the window's other edge when the drag began
        else:
            other = float(getattr(self, name)[1 - index % 2])
        lo, hi = sorted([x, other])
        if hi <= lo:  # collapsed onto its other edge: keep one power step, away from the other
            lo, hi = (hi - gap, hi) if name == "below" else (lo, lo + gap)
        setattr(self, name, [lo, hi])

    # -- reactions ----------------------------------------------------------------------------
    def _on_feedback(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self._draw_curves()
        self._draw_spectra()
        self._set_windows(None, None)
        self._refit()

    @property
    def profile(self) -> str:
        """Deprecated alias of ``beam_profile`` (removed in the next version)."""
        A.warn_renamed("ThresholdFitter.profile", "ThresholdFitter.beam_profile")
        return str(self.beam_profile)

    @profile.setter
    def profile(self, value: str) -> None:
        A.warn_renamed("ThresholdFitter.profile", "ThresholdFitter.beam_profile")
        self.beam_profile = value

    @property
    def _method(self) -> OutputMethod:
        """The ``method`` setting (checked when set), typed for the core functions."""
        return A.choice("method", self.method, OUTPUT_METHODS)

    @property
    def _beam_profile(self) -> BeamProfile:
        """The ``beam_profile`` setting (checked when set), typed for the core functions."""
        return A.choice("beam_profile", self.beam_profile, BEAM_PROFILES)

    def _compute_curves(self) -> None:
        self.output = peak_output(self.data, method=self._method)
        self.enhancements = {
            fb: enhancement(self.data, fb, method=self._method) for fb in self._options
        }

    def _on_method(self, change: dict[str, Any]) -> None:
        if self._quiet:
            return
        self._compute_curves()
        self._draw_curves()
        self._refit()

    def _on_criteria(self, button: Any = None) -> None:
        """Thresholds of the current feedback by every criterion, side by side."""
        self.criteria_result = None
        self.criteria_html.value = ""
        crit = criteria(
            self.data,
            self.feedback,
            below=(self.below[0], self.below[1]),
            above=(self.above[0], self.above[1]),
            method=self._method,
            spot_diameter_mm=self.spot_diameter_mm,
            beam_profile=self._beam_profile,
        )
        self.criteria_result = crit
        self.criteria_html.value = crit._repr_html_()

    def _on_fit_inputs(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._refit()

    def _on_spot(self, change: dict[str, Any]) -> None:
        """Spot or beam profile changed: refit, and recompute the criteria table if it is shown."""
        if self._quiet:
            return
        try:
            self._refit()
        finally:
            if self.criteria_result is not None:
                self._on_criteria()

    def _on_scale(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._apply_scale()

    def _on_power(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._draw_spectra()

    def _refit(self) -> None:
        self._fit = None
        self._fit_error = ""
        try:
            self._fit = fit_lines(
                self.power,
                self.enhancements[self.feedback].values,
                below=(self.below[0], self.below[1]),
                above=(self.above[0], self.above[1]),
                spot_diameter_mm=self.spot_diameter_mm,
                beam_profile=self._beam_profile,
            )
        except Exception as exc:
            self._fit_error = str(exc)
            self.show_warnings(())
            raise
        finally:
            self._draw_windows()
            self._draw_fit()
        self.show_warnings(self._fit.warnings)
