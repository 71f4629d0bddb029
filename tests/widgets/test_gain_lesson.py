"""The GainLesson widget, headless: sliders → panels, readout and result; state round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import traitlets

from qdwidgets.core.lesson import gain_lesson
from qdwidgets.errors import QDError
from qdwidgets.widgets.gain_lesson import GainLesson


def _closed_p(n_avg: float, n: int) -> float:
    return n_avg**n * math.exp(-n_avg) / math.factorial(n)


@pytest.fixture
def lesson() -> GainLesson:
    return GainLesson(1.0)


def test_construct_without_data_and_css_classes(lesson: GainLesson) -> None:
    assert {"qd-lesson", "qd-gain-lesson", "qd-widget"} <= set(lesson._dom_classes)
    assert "qd-lesson-readout" in lesson.readout._dom_classes
    assert not hasattr(lesson, "data") and lesson.error_message == ""  # no dataset: none kept
    assert lesson.n_slider.value == 1.0 and lesson.tau_slider.value == 600.0
    assert "no gain at 639 nm" in lesson.readout.value


def test_constructor_values_reach_the_sliders() -> None:
    w = GainLesson(2.5, tau_xx=300.0, delay=20.0)
    assert (w.n_slider.value, w.tau_slider.value) == (2.5, 300.0)
    assert w.delay_slider.value == pytest.approx(20.0)
    assert w.result.n_avg == 2.5 and w.result.tau_xx == 300.0


def test_n_slider_updates_every_panel_and_the_readout(lesson: GainLesson) -> None:
    lesson.n_slider.value = 1.5  # what the browser's slider sends
    r = lesson.result
    assert lesson.n_avg == 1.5 and r.n_avg == 1.5
    bars = np.concatenate([lesson.bars_low.y, lesson.bars_multi.y])
    np.testing.assert_allclose(bars[:8], [_closed_p(1.5, n) for n in range(8)], rtol=1e-12)
    # the last bar is "8+": every dot with 8 or more excitons; the bars sum to 1
    assert list(lesson.bars_multi.x)[-1] == "8+" and bars.sum() == pytest.approx(1.0)
    assert bars[-1] == pytest.approx(1 - sum(_closed_p(1.5, n) for n in range(8)), abs=1e-12)
    assert lesson.p_scale.max >= 1.1 * bars.max()  # the tallest bar is not cut by the top
    assert lesson.filling_point.x[0] == 1.5
    assert lesson.filling_point.y[0] == pytest.approx(2.0 - 3.5 * math.exp(-1.5), abs=1e-12)
    assert lesson.threshold_line.x[0] == pytest.approx(1.146, abs=1e-3)
    np.testing.assert_array_equal(lesson.spectrum_line.y, r.spectrum.values)
    np.testing.assert_array_equal(lesson.spectrum_gain.y, np.minimum(r.spectrum.values, 0))
    np.testing.assert_array_equal(lesson.trace_line.y, r.trace.values)
    assert lesson.spectrum_gain.y.min() < 0  # a gain region is drawn
    assert lesson.window_marks.visible
    np.testing.assert_allclose(lesson.window_marks.x[:, 0], [r.onset, r.end])
    text = lesson.readout.value
    assert "⟨N⟩ = 1.50: 44 % of dots hold two or more excitons" in text
    assert "1.22 &gt; 1 → gain at 639 nm for" in text
    assert lesson.readout_text == r.describe()


def test_back_below_threshold_hides_the_gain(lesson: GainLesson) -> None:
    lesson.n_slider.value = 3.0
    assert lesson.result.has_gain
    lesson.n_slider.value = 0.5
    assert not lesson.result.has_gain and not lesson.window_marks.visible
    assert lesson.spectrum_gain.y.min() == 0.0
    assert "no gain" in lesson.readout.value


def test_result_is_what_a_script_gets() -> None:
    w = GainLesson(1.8, tau_xx=450.0, delay=12.0)
    assert w.result == gain_lesson(1.8, tau_xx=450.0, delay=12.0)


def test_auger_slider_changes_the_gain_lifetime(lesson: GainLesson) -> None:
    lesson.n_slider.value = 2.0
    lesson.tau_slider.value = 200.0
    short = lesson.result.duration
    lesson.tau_slider.value = 1200.0
    long = lesson.result.duration
    assert long > 3 * short
    assert f"{long:.0f} ps" in lesson.readout.value or "ns" in lesson.readout.value


def test_delay_slider_moves_the_spectrum(lesson: GainLesson) -> None:
    lesson.n_slider.value = 2.0
    lesson.delay_slider.value = 2000.0  # after the Auger decay: no gain left
    assert not lesson.result.gain_at_delay
    assert lesson.delay_marker.x[0] == pytest.approx(2000.0)
    assert lesson.fig_spectrum.title.startswith("A_ex at 2000 ps")


def test_values_outside_the_slider_ranges_are_refused(lesson: GainLesson) -> None:
    before = lesson.result
    for name, value in (("n_avg", 9.0), ("n_avg", -0.5), ("tau_xx", 5.0), ("delay", 1e4)):
        with pytest.raises(traitlets.TraitError, match=name):
            setattr(lesson, name, value)
    assert lesson.result is before and lesson.n_slider.value == 1.0
    with pytest.raises(traitlets.TraitError, match="n_avg"):
        GainLesson(7.0)


def test_state_round_trip() -> None:
    w = GainLesson(2.2, tau_xx=350.0, delay=40.0)
    state = json.loads(json.dumps(w.state()))
    assert state["widget"] == "GainLesson"
    assert state["settings"] == {"n_avg": 2.2, "tau_xx": 350.0, "delay": pytest.approx(40.0)}
    back = GainLesson.from_state(None, state)
    assert back.result == w.result
    assert back.readout.value == w.readout.value


def test_from_state_refuses_data_and_foreign_states() -> None:
    state = GainLesson(1.0).state()
    with pytest.raises(QDError, match=r"from_state\(None, state\)"):
        GainLesson.from_state(object(), state)  # type: ignore[arg-type]
    with pytest.raises(QDError, match="ThresholdFitter"):
        GainLesson.from_state(None, {**state, "widget": "ThresholdFitter"})


def test_bad_values_show_in_the_banner_and_the_lesson_keeps_its_state(lesson: GainLesson) -> None:
    for name, value in (("n_avg", float("nan")), ("n_avg", 7.0), ("tau_xx", -5.0)):
        with pytest.raises(ValueError, match=name):
            setattr(lesson, name, value)
        assert name in lesson.error_message
    assert lesson.n_avg == 1.0 and lesson.result.n_avg == 1.0
    lesson.n_avg = 2.0  # a good value clears the banner
    assert lesson.error_message == "" and lesson.n_slider.value == 2.0


def test_to_code_reproduces_the_result() -> None:
    lesson = GainLesson(2.5, tau_xx=300.0, delay=20.0)
    scope: dict = {}
    exec(lesson.to_code(), scope)
    assert scope["result"].to_dict() == lesson.result.to_dict()
    lesson.code_button.click()
    assert "gain_lesson(2.5" in lesson.code_box.value


def test_every_n_keeps_the_bars_inside_the_axis() -> None:
    lesson = GainLesson(0.0)
    for n in (0.0, 0.3, 1.0, 4.9, 5.0):
        lesson.n_avg = n
        bars = np.concatenate([lesson.bars_low.y, lesson.bars_multi.y])
        assert bars.max() < lesson.p_scale.max <= 1.2
