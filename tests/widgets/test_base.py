"""QDWidget: errors appear in the widget, state round trips, arrays travel as float32 bytes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import traitlets
import xarray as xr

from qdwidgets.errors import DatasetError, FitError, QDError
from qdwidgets.results import Result
from qdwidgets.widgets._base import QDWidget, to_binary


@dataclass(frozen=True, repr=False, eq=False)
class Picked(Result):
    delay: float


class Demo(QDWidget):
    delay = traitlets.Float(1.0)
    bands = traitlets.List(traitlets.Float())
    _state_keys = ("delay", "bands")

    @property
    def result(self) -> Picked:
        return Picked(self.delay)


def _ta() -> xr.Dataset:
    return xr.Dataset(
        {"dA": (("delay", "wavelength"), np.ones((3, 2)), {"units": "mOD"})},
        coords={
            "delay": ("delay", [0.0, 1.0, 2.0], {"units": "ps"}),
            "wavelength": ("wavelength", [600.0, 640.0], {"units": "nm"}),
        },
    )


def test_data_is_validated_copy_and_input_untouched():
    ta = _ta()
    before = ta.copy(deep=True)
    widget = Demo(ta)
    assert widget.data["dA"].attrs["units"] == "OD"
    assert widget.data.sizes["pump"] == 1
    xr.testing.assert_identical(ta, before)


def test_bad_data_raises_dataset_error_early():
    with pytest.raises(DatasetError, match="units"):
        Demo(_ta().assign(dA=_ta()["dA"].assign_attrs(units="furlongs")))


def test_errors_show_in_the_banner_and_clear():
    widget = Demo(_ta())
    with widget.reporting():
        raise FitError("the fit did not converge. Fix: widen the window")
    assert "did not converge" in widget.error_message
    assert "qd-banner-error" in widget.error.value
    with widget.reporting():
        pass
    assert widget.error_message == "" and widget.error.value == ""
    # the banner keeps its place: showing or clearing a message never shifts the layout
    assert widget.error.layout.height and widget.error.layout.display is None


def test_guarded_callback_never_raises_and_reports_unexpected_errors():
    widget = Demo(_ta())

    def boom(change):
        raise ZeroDivisionError("division by zero")

    widget.guarded(boom)({"new": 1})
    assert "unexpected error" in widget.error_message
    assert "ZeroDivisionError" in widget.error_message


def test_error_text_is_escaped():
    widget = Demo(_ta())
    widget.show_error("<script>x</script> & more")
    assert "<script>" not in widget.error.value
    assert widget.error_message == "<script>x</script> & more"


def test_state_round_trip():
    widget = Demo(_ta())
    widget.delay = 2.3
    widget.bands = [639.0, 654.0]
    state = widget.state()
    assert state["widget"] == "Demo" and state["result"]["delay"] == 2.3
    restored = Demo.from_state(_ta(), state)
    assert restored.delay == 2.3 and restored.bands == [639.0, 654.0]
    assert restored.result == widget.result


def test_state_from_another_widget_is_refused():
    state = Demo(_ta()).state()
    state["widget"] = "ThresholdFitter"
    with pytest.raises(QDError, match="ThresholdFitter"):
        Demo.from_state(_ta(), state)


def test_to_binary_is_float32_bytes():
    values = np.arange(6, dtype=np.float64).reshape(2, 3) / 3
    packed = to_binary(values)
    assert packed["dtype"] == "float32" and packed["shape"] == [2, 3]
    back = np.frombuffer(packed["view"], dtype=np.float32).reshape(packed["shape"])
    np.testing.assert_allclose(back, values, rtol=1e-7)
    assert len(bytes(packed["view"])) == 6 * 4


def test_root_css_class_from_the_class_name():
    from qdwidgets.widgets._base import css_class

    assert "qd-demo" in Demo(_ta())._dom_classes and "qd-widget" in Demo(_ta())._dom_classes
    assert css_class(type("TAExplorer", (), {})) == "qd-ta-explorer"
    assert css_class(type("BandDeconvolver", (), {})) == "qd-band-deconvolver"
    assert css_class(type("GainLesson", (), {})) == "qd-gain-lesson"


def test_a_view_without_a_dataset():
    class Many(QDWidget):
        @property
        def result(self) -> None:
            return None

    widget = Many(None)
    assert not hasattr(widget, "data") and "qd-many" in widget._dom_classes


# -- keywords, checked settings, warnings, code -------------------------------------------------
import ipywidgets as W  # noqa: E402

from qdwidgets import _args as A  # noqa: E402
from qdwidgets.widgets._base import SettingError  # noqa: E402


class Checked(QDWidget):
    delay = traitlets.Float(1.0)
    mode = traitlets.Unicode("linear")

    def __init__(self, ta: xr.Dataset, *, delay: float = 1.0, mode: str = "linear", **kw) -> None:
        super().__init__(ta, **kw)
        self.check_traits(
            {
                "delay": lambda v: A.number("delay", v, lo=0.0, hi=2.0, unit="ps"),
                "mode": lambda v: A.choice("mode", v, ("linear", "log")),
            }
        )
        self.delay, self.mode = delay, mode
        self.box = W.FloatText()
        self.pick = W.Dropdown(options=["linear", "log"])
        self.link_control(self.box, "delay")
        self.link_control(self.pick, "mode")

    @property
    def result(self) -> Picked:
        return Picked(self.delay)

    def to_code(self, data_name: str = "ta") -> str:
        return f"result = {data_name}  # <b>&</b>\n"


def test_unknown_keywords_are_refused_naming_the_closest():
    with pytest.raises(TypeError, match=r"unknown keyword argument 'dealy'; did you mean 'delay'"):
        Checked(_ta(), dealy=1.5)
    with pytest.raises(TypeError, match="'colour'"):
        Checked(_ta(), colour="red")
    assert Checked(_ta(), layout=W.Layout(width="50%")).layout.width == "50%"  # box keywords


def test_a_bad_setting_from_python_is_refused_and_shown():
    w = Checked(_ta(), delay=1.5)
    for bad, words in ((float("nan"), "finite"), (3.0, "[0, 2] ps"), ("x", "number")):
        with pytest.raises(SettingError, match="delay") as info:
            w.delay = bad
        assert isinstance(info.value, ValueError) and words in str(info.value)
        assert w.delay == 1.5 and words in w.error_message  # the last good state, in the banner
    with pytest.raises(SettingError, match=r"did you mean 'log'"):
        w.mode = "lgo"
    with pytest.raises(ValueError, match="delay must be in"):
        Checked(_ta(), delay=-1.0)  # a constructor argument goes through the same check


def test_a_bad_value_in_a_control_shows_in_the_banner_and_the_control_goes_back():
    w = Checked(_ta(), delay=1.5)
    w.box.value = float("nan")  # what a linked control sends
    assert w.delay == 1.5 and w.box.value == 1.5
    assert "delay must be finite" in w.error_message and "Broken link" not in w.error_message
    w.box.value = 0.5
    assert w.delay == 0.5 and w.error_message == ""
    w.mode = "log"
    assert w.pick.value == "log"
    w.pick.value = "linear"
    assert w.mode == "linear"


def test_warnings_are_amber_and_separate_from_errors():
    w = Checked(_ta())
    w.show_warnings(["parameter at <bound>"])
    assert w.warning_messages == ("parameter at <bound>",) and w.error_message == ""
    assert "qd-banner-warning" in w.error.value and "qd-banner-error" not in w.error.value
    assert "&lt;bound&gt;" in w.error.value
    w.show_error("bad")
    assert "qd-banner-error" in w.error.value and "qd-banner-warning" in w.error.value
    w.show_warnings(())
    w.clear_error()
    assert w.error.value == "" and w.error.layout.height  # the space stays reserved


def test_copy_code_shows_escaped_code():
    w = Checked(_ta())
    w.code_panel()
    w.code_button.click()
    assert w.error_message == "" and w.code_box.layout.display is None
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in w.code_box.value and "<b>" not in w.code_box.value
    with pytest.raises(NotImplementedError):
        Demo(_ta()).to_code()
