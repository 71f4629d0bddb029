"""GainLesson: an ⟨N⟩ slider and four panels that show when quantum dots have optical gain.

A thin view over :func:`qdwidgets.core.lesson.gain_lesson` (which computes everything shown):
P(n) bars (dots with two or more excitons highlighted), the mean 1S filling vs ⟨N⟩ with the
transparency line, the A_ex = ΔA + A0 spectrum at a delay with its gain region, and A_ex at the
band edge vs delay with the gain window; a plain-language readout below the sliders.

The widget has no input dataset (the lesson simulates its own), so the state API takes ``None``
where other views take data: ``GainLesson.from_state(None, lesson.state())``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import ClassVar

import bqplot as bq
import ipywidgets as W
import numpy as np
import traitlets

from .. import _args
from ..core.lesson import GainLessonResult, filling_curve, gain_lesson
from ..errors import QDError
from ._base import QDWidget, identifier
from ._plots import figure, zero_line

__all__ = ["GainLesson", "occupancy_bins"]

N_RANGE = (0.0, 5.0)  # ⟨N⟩ slider
N_BINS = 9  # P(n) bars: n = 0 … 7 and "8+"
BIN_LABELS = [str(n) for n in range(N_BINS - 1)] + [f"{N_BINS - 1}+"]
TAU_XX_RANGE = (50.0, 1500.0)  # ps
DELAY_RANGE = (5.0 / 10**1.4, 3000.0)  # ps (≈ 0.2 ps, so that 5 ps lies on the log-slider grid)
_BLUE, _ORANGE, _GREY, _RED = "#1f77b4", "#ff7f0e", "#9a9a9a", "#d62728"


def occupancy_bins(p: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """P(n) for n = 0 … n_bins − 2, then P(n ≥ n_bins − 1) in the last bin (sums to 1)."""
    head = np.asarray(p, dtype=float)[: n_bins - 1]
    return np.append(head, max(0.0, 1.0 - float(head.sum())))


class GainLesson(QDWidget):
    """Move ⟨N⟩ (excitons per dot) and τ_XX (Auger lifetime) and watch gain appear and last.

    The lesson simulates its own data: ``GainLesson.from_state(None, lesson.state())``. Its
    settings are bounded traits (``observe`` and ``traitlets.link`` work); a value outside a
    slider's range raises a :class:`~qdwidgets.widgets._base.SettingError` (a ``TraitError``
    naming the range) and the lesson keeps its last good state.

    Parameters
    ----------
    n_avg : float, default 1
        Mean excitons per dot ⟨N⟩, 0–5.
    tau_xx : float, default 600
        Biexciton Auger lifetime τ_XX (ps), 50–1500.
    delay : float, default 5
        Delay of the spectrum panel (ps), 0.2–3000.

    Attributes
    ----------
    n_avg : float
        Trait: excitons per dot ⟨N⟩.
    tau_xx : float
        Trait: biexciton lifetime τ_XX (ps).
    delay : float
        Trait: delay of the spectrum panel (ps).
    result : GainLessonResult
        What the panels show (:func:`qdwidgets.core.lesson.gain_lesson`).
    readout : ipywidgets.HTML
        The plain-language sentence shown (``readout_text`` as text).

    Examples
    --------
    >>> import ipywidgets as W, traitlets
    >>> from qdwidgets.widgets.gain_lesson import GainLesson
    >>> lesson = GainLesson(0.5)
    >>> slider = W.FloatSlider(min=0.0, max=5.0)
    >>> link = traitlets.link((slider, "value"), (lesson, "n_avg"))
    >>> slider.value = 2.0
    >>> lesson.result.n_avg
    2.0
    """

    # bounded like the sliders: a value outside raises a TraitError naming the range
    n_avg = traitlets.Float(1.0, min=N_RANGE[0], max=N_RANGE[1], help="excitons per dot ⟨N⟩")
    tau_xx = traitlets.Float(
        600.0, min=TAU_XX_RANGE[0], max=TAU_XX_RANGE[1], help="biexciton lifetime τ_XX (ps)"
    )
    delay = traitlets.Float(
        5.0, min=DELAY_RANGE[0], max=DELAY_RANGE[1], help="delay of the spectrum panel (ps)"
    )
    _state_keys: ClassVar[tuple[str, ...]] = ("n_avg", "tau_xx", "delay")
    _init_keys: ClassVar[Mapping[str, str]] = {k: k for k in _state_keys}
    _takes_data: ClassVar[bool] = False  # GainLesson.from_state(None, state)

    def __init__(self, n_avg: float = 1.0, *, tau_xx: float = 600.0, delay: float = 5.0) -> None:
        super().__init__(None)  # the lesson has no dataset: it simulates its own
        self.add_class("qd-lesson")
        self._result: GainLessonResult | None = None
        self.check_traits(
            {
                "n_avg": lambda v: _args.number("n_avg", v, lo=N_RANGE[0], hi=N_RANGE[1]),
                "tau_xx": lambda v: _args.number(
                    "tau_xx", v, lo=TAU_XX_RANGE[0], hi=TAU_XX_RANGE[1], unit="ps"
                ),
                "delay": lambda v: _args.number(
                    "delay", v, lo=DELAY_RANGE[0], hi=DELAY_RANGE[1], unit="ps"
                ),
            }
        )
        self._build()
        self.n_avg, self.tau_xx, self.delay = float(n_avg), float(tau_xx), float(delay)
        self._link_controls()
        self.observe(self.guarded(lambda _: self._update()), ["n_avg", "tau_xx", "delay"])
        with self.reporting():
            self._update()

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        style = {"description_width": "150px"}
        wide = W.Layout(width="480px")
        self.n_slider = W.FloatSlider(
            value=1.0, min=N_RANGE[0], max=N_RANGE[1], step=0.05, readout_format=".2f",
            description="⟨N⟩ excitons/dot", style=style, layout=wide,
        )  # fmt: skip
        self.tau_slider = W.FloatSlider(
            value=600.0, min=TAU_XX_RANGE[0], max=TAU_XX_RANGE[1], step=10.0,
            readout_format=".0f", description="τ_XX Auger (ps)", style=style, layout=wide,
        )  # fmt: skip
        self.delay_slider = W.FloatLogSlider(
            value=5.0, base=10, min=np.log10(DELAY_RANGE[0]), max=np.log10(DELAY_RANGE[1]),
            step=0.05, readout_format=".3g", description="spectrum delay (ps)", style=style,
            layout=wide,
        )  # fmt: skip
        self.n_slider.add_class("qd-lesson-n")
        self.tau_slider.add_class("qd-lesson-tau")
        self.delay_slider.add_class("qd-lesson-delay")
        self.readout = W.HTML("")
        self.readout.add_class("qd-lesson-readout")

        # P(n) bars: n < 2 in blue, n ≥ 2 (the dots that can have gain) in orange; the last
        # bin holds every dot with N_BINS - 1 or more excitons ("8+"), so the bars sum to 1
        xs, ys = bq.OrdinalScale(domain=BIN_LABELS), bq.LinearScale(min=0.0, max=1.0)
        self.p_scale = ys
        self.bars_low = bq.Bars(
            x=BIN_LABELS[:2], y=np.zeros(2), scales={"x": xs, "y": ys}, colors=[_BLUE],
            padding=0.25,
        )  # fmt: skip
        self.bars_multi = bq.Bars(
            x=BIN_LABELS[2:], y=np.zeros(N_BINS - 2), scales={"x": xs, "y": ys},
            colors=[_ORANGE], padding=0.25,
        )  # fmt: skip
        self.fig_occupancy, _, _ = figure(
            "excitons per dot n", "fraction of dots P(n)",
            title="P(n): orange = 2 or more excitons", marks=[self.bars_low, self.bars_multi],
            scales=(xs, ys),
        )  # fmt: skip

        # mean 1S filling vs ⟨N⟩
        curve = filling_curve(N_RANGE[1])
        xs, ys = bq.LinearScale(min=N_RANGE[0], max=N_RANGE[1]), bq.LinearScale(min=0.0, max=2.1)
        n_axis = curve["n_avg"].values
        self.filling_line = bq.Lines(
            x=n_axis, y=curve.values, scales={"x": xs, "y": ys}, colors=[_BLUE],
            labels=["mean 1S filling"],
        )  # fmt: skip
        self.transparency = bq.Lines(
            x=np.array(N_RANGE), y=np.ones(2), scales={"x": xs, "y": ys}, colors=[_GREY],
            line_style="dashed", labels=["transparency (filling = 1)"],
        )  # fmt: skip
        self.threshold_line = bq.Lines(
            x=np.zeros(2), y=np.array([0.0, 2.1]), scales={"x": xs, "y": ys}, colors=[_GREY],
            line_style="dotted",
        )  # fmt: skip
        self.filling_point = bq.Scatter(
            x=np.zeros(1), y=np.zeros(1), scales={"x": xs, "y": ys}, colors=[_RED],
            default_size=80,
        )  # fmt: skip
        self.fig_filling, _, _ = figure(
            "⟨N⟩ excitons per dot", "mean 1S filling (of 2)", title="Filling of the 1S level",
            marks=[self.transparency, self.threshold_line, self.filling_line, self.filling_point],
            scales=(xs, ys),
        )  # fmt: skip

        # A_ex spectrum at a delay, with A0 and the gain region
        xs, ys = bq.LinearScale(), bq.LinearScale()
        self.a0_line = bq.Lines(
            x=np.zeros(2), y=np.zeros(2), scales={"x": xs, "y": ys}, colors=[_GREY],
            line_style="dashed",
        )  # fmt: skip
        self.spectrum_line = bq.Lines(
            x=np.zeros(2), y=np.zeros(2), scales={"x": xs, "y": ys}, colors=[_BLUE],
        )  # fmt: skip
        self.spectrum_gain = bq.Lines(
            x=np.zeros(2), y=np.zeros(2), scales={"x": xs, "y": ys}, colors=[_RED],
            fill="inside", fill_colors=[_RED], fill_opacities=[0.35], stroke_width=0,
        )  # fmt: skip
        self.spectrum_zero = zero_line(xs, ys, (540.0, 720.0))
        self.fig_spectrum, _, _ = figure(
            "wavelength (nm)", "A_ex, A0 (OD)", title="A_ex spectrum",
            marks=[self.spectrum_zero, self.a0_line, self.spectrum_gain, self.spectrum_line],
            scales=(xs, ys),
        )  # fmt: skip

        # A_ex at the band edge vs delay, with the gain window
        xs, ys = bq.LogScale(), bq.LinearScale()
        self.trace_line = bq.Lines(
            x=np.ones(2),
            y=np.zeros(2),
            scales={"x": xs, "y": ys},
            colors=[_BLUE],
        )
        self.trace_gain = bq.Lines(
            x=np.ones(2), y=np.zeros(2), scales={"x": xs, "y": ys}, colors=[_RED],
            fill="inside", fill_colors=[_RED], fill_opacities=[0.35], stroke_width=0,
        )  # fmt: skip
        self.window_marks = bq.Lines(
            x=np.ones((2, 2)), y=np.zeros((2, 2)), scales={"x": xs, "y": ys}, colors=[_RED],
            line_style="dashed", visible=False,
        )  # fmt: skip
        self.delay_marker = bq.Lines(
            x=np.ones(2), y=np.zeros(2), scales={"x": xs, "y": ys}, colors=[_GREY],
            line_style="dotted",
        )  # fmt: skip
        self.trace_zero = zero_line(xs, ys, (0.05, 6000.0))
        self.fig_trace, self.trace_x, self.trace_y = figure(
            "delay (ps)", "A_ex (OD)", title="Band edge vs time",
            marks=[self.trace_zero, self.delay_marker, self.trace_gain, self.window_marks,
                   self.trace_line],
            scales=(xs, ys),
        )  # fmt: skip
        for fig, y_format in (
            (self.fig_occupancy, ".2~g"),
            (self.fig_filling, ".1f"),
            (self.fig_spectrum, ".2~g"),
            (self.fig_trace, ".2~g"),
        ):
            fig.layout.width = "420px"
            fig.axes[1].tick_format = y_format
            fig.axes[1].label_offset = "45px"
        self.fig_trace.axes[0].tick_values = np.array([0.1, 1.0, 10.0, 100.0, 1000.0])
        self.fig_trace.axes[0].tick_format = "~g"
        self.children = [
            self.error,
            W.VBox([self.n_slider, self.tau_slider, self.delay_slider]),
            self.readout,
            W.HBox([self.fig_occupancy, self.fig_filling]),
            W.HBox([self.fig_spectrum, self.fig_trace]),
            self.code_panel(),
        ]

    def _link_controls(self) -> None:
        # the traits are the source: the sliders start at the constructor's values
        self.link_control(self.n_slider, "n_avg")
        self.link_control(self.tau_slider, "tau_xx")
        self.link_control(self.delay_slider, "delay")

    # -- drawing ------------------------------------------------------------------------------
    def _update(self) -> None:
        r = gain_lesson(self.n_avg, tau_xx=self.tau_xx, delay=self.delay)
        self._result = r
        p = occupancy_bins(r.occupancy.values)
        wl = r.spectrum["wavelength"].values
        t = r.trace["delay"].values
        edge_a0 = float(r.a0.sel(wavelength=r.wavelength))
        with self.hold_sync():
            self.bars_low.y = p[:2]
            self.bars_multi.y = p[2:]
            self.p_scale.max = float(np.ceil(11.5 * p.max()) / 10.0)  # headroom above the bars
            self.threshold_line.x = np.full(2, r.threshold)
            self.filling_point.x = np.array([r.n_avg])
            self.filling_point.y = np.array([r.filling])
            self.a0_line.x, self.a0_line.y = wl, r.a0.values
            self.spectrum_line.x, self.spectrum_line.y = wl, r.spectrum.values
            self.spectrum_gain.x = wl
            self.spectrum_gain.y = np.minimum(r.spectrum.values, 0.0)
            self.fig_spectrum.title = f"A_ex at {r.delay:.4g} ps (grey: A0, red: gain)"
            self.trace_line.x, self.trace_line.y = t, r.trace.values
            self.trace_gain.x, self.trace_gain.y = t, np.minimum(r.trace.values, 0.0)
            lo = min(float(r.trace.min()), -0.1 * edge_a0)
            self.trace_y.min, self.trace_y.max = lo * 1.1, 1.1 * edge_a0
            self.delay_marker.x = np.full(2, r.delay)
            self.delay_marker.y = np.array([lo * 1.1, 1.1 * edge_a0])
            ends = [x for x in (r.onset, r.end) if np.isfinite(x)]
            if ends:
                self.window_marks.x = np.array([[x, x] for x in ends])
                self.window_marks.y = np.array([[lo * 1.1, 1.1 * edge_a0]] * len(ends))
            self.window_marks.visible = bool(ends)
            self.fig_trace.title = f"A_ex at {r.wavelength:.0f} nm vs delay (red: gain)"
            self.readout.value = (
                f"<div style='font-size:1.05em;padding:4px 0'>{html.escape(r.describe())}</div>"
            )

    # -- API ----------------------------------------------------------------------------------
    def to_code(self, data_name: str = "ta") -> str:
        """Python that recomputes :attr:`result`.

        Parameters
        ----------
        data_name : str, default 'ta'
            Not used (the lesson has no dataset), but checked to be a variable name.

        Returns
        -------
        str
            ``result = gain_lesson(n_avg, tau_xx=..., delay=...)``.
        """
        identifier("data_name", data_name)
        return (
            "from qdwidgets.core.lesson import gain_lesson\n\n"
            f"result = gain_lesson({self.n_avg!r}, tau_xx={self.tau_xx!r}, "
            f"delay={self.delay!r})\n"
        )

    @property
    def result(self) -> GainLessonResult:
        """The current :class:`~qdwidgets.core.lesson.GainLessonResult`."""
        if self._result is None:
            raise QDError("the lesson has no result yet: set n_avg to a value in 0–5")
        return self._result

    @property
    def readout_text(self) -> str:
        """The readout sentence, as plain text."""
        return self.result.describe()
