"""ThresholdFitter: the ASE threshold of Fig. 3c/3e with two draggable fit windows.

A thin view over ``qdwidgets.core.threshold``: output vs pump power with and without feedback,
the enhancement with the below/above-threshold windows (drag the triangles at the bottom of the
enhancement plot, or use the range sliders), the fitted lines, their intersection and its 95 %
interval; a readout in mW and W cm⁻²; spot diameter, beam profile, feedback and axis controls; the
spectra at a selected power; the linewidth vs power. ``fitter.result`` is the core ThresholdFit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, cast

import numpy as np
import traitlets
import xarray as xr

from ... import _args as A
from ..._choices import BEAM_PROFILES, OUTPUT_METHODS, BeamProfile, OutputMethod
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

METHODS: tuple[str, ...] = OUTPUT_METHODS
PROFILES: tuple[str, ...] = BEAM_PROFILES
SCALES = ("linear", "log")

__all__ = ["HANDLE_Y", "ThresholdFitter"]


class ThresholdFitter(DrawingMixin, QDWidget):
    """Fit the ASE threshold of one feedback condition with two draggable windows.

    The windows never overlap: a handle stops one power step short of the other window. Log
    axes leave out points with a power or output ≤ 0 (a note says how many). Every setting is
    a trait (``observe`` and ``traitlets.link`` work), fixed choices are ``Enum`` traits; a bad
    value raises a :class:`~qdwidgets.widgets._base.SettingError` (a ``TraitError`` naming the
    allowed values), shows in the banner and the fitter keeps its last good fit.

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset (output over ``power`` in mW and ``wavelength`` in nm, with a
        ``feedback`` coordinate holding 'none' and at least one feedback condition).
    feedback : str, optional
        The condition fitted. Default: :func:`qdwidgets.core.threshold.default_feedback`.
    below, above : (float, float), optional
        The below- and above-threshold fit windows (mW). Default: from
        :func:`qdwidgets.core.threshold.find_threshold`, else the outer thirds of the powers.
    method : {'max', 'at_peak', 'integrated'}, default 'max'
        How the output is read off each spectrum.
    **kwargs
        Layout keywords of :class:`ipywidgets.VBox`; any other keyword raises ``TypeError``.

    Attributes
    ----------
    feedback : str
        Trait: the feedback condition fitted (one of the data's).
    below, above : list of float
        Traits: the fit windows ``[low, high]`` (mW), within the powers.
    spot_diameter_mm : float
        Trait: the pump spot diameter (mm, > 0), for the threshold in W cm⁻².
    beam_profile : {'tophat', 'gaussian'}
        Trait: the beam profile of the pump spot (``profile`` before 0.2, which warns).
    scale : {'linear', 'log'}
        Trait: the axes of the output and enhancement plots.
    selected_power : float
        Trait: the power (mW) of the spectra shown.
    method : {'max', 'at_peak', 'integrated'}
        Trait: how the output is read off each spectrum.
    result : ThresholdFit or None
        The current fit, None while the windows give no threshold (the banner says why).

    Examples
    --------
    >>> from qdwidgets import examples
    >>> from qdwidgets.widgets.threshold_fitter import ThresholdFitter
    >>> fitter = ThresholdFitter(examples.ase())
    >>> fitter.feedback, fitter.below, fitter.above
    ('lamp', [0.0, 145.0], [150.0, 500.0])
    >>> fitter.beam_profile = "gaussian"  # refits
    >>> fitter.result.beam_profile
    'gaussian'
    """

    _kind: ClassVar[str] = "ase"
    _renamed_settings: ClassVar[Mapping[str, str]] = {"profile": "beam_profile"}  # before 0.2
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

    feedback = traitlets.Unicode("", help="feedback condition fitted (one of the data's)")
    below = traitlets.List(traitlets.Float(), minlen=2, maxlen=2, default_value=[0.0, 1.0])
    above = traitlets.List(traitlets.Float(), minlen=2, maxlen=2, default_value=[2.0, 3.0])
    spot_diameter_mm = traitlets.Float(1.0, help="pump spot diameter (mm)")
    beam_profile = traitlets.Enum(PROFILES, "tophat", help="beam profile of the pump spot")
    scale = traitlets.Enum(SCALES, "linear", help="axes of the output and enhancement plots")
    selected_power = traitlets.Float(0.0, help="power of the spectra shown (mW)")
    method = traitlets.Enum(METHODS, "max", help="how the output is read off each spectrum")

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
                "selected_power": lambda v: A.number(
                    "selected_power", v, lo=float(p[0]), hi=float(p[-1]), unit="mW"
                ),
            }
        )
        self.method = method
        self._compute_curves()  # once: every control but "output" is an index into these
        self.widths = linewidth(ds)
        self.criteria_result: ThresholdCriteria | None = None
        self._fit: ThresholdFit | None = None
        self._fit_error = ""
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
        with self.quietly():
            self._set_windows(below, above)
        self.observe(self.reaction(self._on_feedback), names="feedback")
        self.observe(self.reaction(lambda _c: self._refit()), names=["below", "above"])
        self.observe(self.reaction(self._on_spot), names=["spot_diameter_mm", "beam_profile"])
        self.observe(self.reaction(lambda _c: self._apply_scale()), names="scale")
        self.observe(self.reaction(lambda _c: self._draw_spectra()), names="selected_power")
        self.observe(self.reaction(self._on_method), names="method")
        self.criteria_button.on_click(self.guarded(self._on_criteria))
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
        """Set saved settings at once, then recompute, redraw and refit once.

        Parameters
        ----------
        settings : dict
            ``state()["settings"]``.
        """
        with self.quietly():
            super().apply_settings(settings)
        with self.reporting():
            self._compute_curves()
            self._draw_curves()
            self._draw_spectra()
            self._apply_scale()
            self._refit()

    def to_code(self, data_name: str = "ase") -> str:
        """The current fit as Python.

        Parameters
        ----------
        data_name : str, default 'ase'
            The variable that names the same dataset where the code runs.

        Returns
        -------
        str
            Code that leaves the :class:`~qdwidgets.core.threshold.ThresholdFit` in ``result``.

        Raises
        ------
        FitError
            The windows give no threshold now.
        """
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

    @property
    def _method(self) -> OutputMethod:
        """The ``method`` setting (an Enum trait of OUTPUT_METHODS), typed for the core."""
        return cast(OutputMethod, self.method)

    @property
    def _beam_profile(self) -> BeamProfile:
        """The ``beam_profile`` setting (an Enum trait of BEAM_PROFILES), typed for the core."""
        return cast(BeamProfile, self.beam_profile)

    @property
    def profile(self) -> str:
        """Deprecated alias of ``beam_profile`` (removed in the next version)."""
        A.warn_renamed("ThresholdFitter.profile", "ThresholdFitter.beam_profile")
        return str(self.beam_profile)

    @profile.setter
    def profile(self, value: str) -> None:
        A.warn_renamed("ThresholdFitter.profile", "ThresholdFitter.beam_profile")
        self.beam_profile = value

    def _check_window(self, name: str, value: Any) -> list[float]:
        lo, hi = A.interval(name, value, unit="mW", allow_none_ends=False)
        p = self.power
        if lo < p[0] - 1e-9 or hi > p[-1] + 1e-9:
            raise A.ArgumentError(
                f"{name} window ({lo:g}, {hi:g}) mW must lie within the powers, "
                f"{p[0]:g}–{p[-1]:g} mW"
            )
        return [float(lo), float(hi)]

    def clear_error(self) -> None:
        """Clear the banner; while the windows give no threshold, it keeps saying why."""
        if getattr(self, "_fit_error", ""):
            self.show_error(self._fit_error)
        else:
            super().clear_error()

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
        self._draw_curves()
        self._draw_spectra()
        self._set_windows(None, None)
        self._refit()

    def _compute_curves(self) -> None:
        self.output = peak_output(self.data, method=self._method)
        self.enhancements = {
            fb: enhancement(self.data, fb, method=self._method) for fb in self._options
        }

    def _on_method(self, change: dict[str, Any]) -> None:
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

    def _on_spot(self, change: dict[str, Any]) -> None:
        """Spot or profile changed: refit, and recompute the criteria table if it is shown."""
        try:
            self._refit()
        finally:
            if self.criteria_result is not None:
                self._on_criteria()

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
