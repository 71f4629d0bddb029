"""Bad settings in the analysis widgets: refused with a message naming the setting and the fix,
shown in the widget's banner, the widget keeping its last good state; no traitlets internals."""

from __future__ import annotations

import math

import pytest
import xarray as xr

import qdwidgets
from qdwidgets.widgets._base import SettingError
from qdwidgets.widgets.band_deconvolver import BandDeconvolver
from qdwidgets.widgets.kinetics_fitter import KineticsFitter
from qdwidgets.widgets.threshold_fitter import ThresholdFitter

INTERNALS = ("Broken link", "Invalid selection", "trait of a", "instance expected")


def clean(message: str) -> bool:
    return not any(word in message for word in INTERNALS)


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


@pytest.fixture(scope="module")
def ase() -> xr.Dataset:
    return qdwidgets.examples.ase()


def test_kinetics_fitter_settings(ta):
    with pytest.raises(TypeError, match=r"'wavelenght'; did you mean 'wavelength'"):
        KineticsFitter(ta, wavelenght=639)
    with pytest.raises(ValueError, match=r"wavelength must be in \[440, 720\] nm, got 900"):
        KineticsFitter(ta, wavelength=900)
    w = KineticsFitter(ta)
    good = (w.wavelength, list(w.delay_range), w.band_nm)
    w.wl_slider.value = math.nan  # what a broken front end could send
    assert "wavelength must be finite" in w.error_message and clean(w.error_message)
    assert w.wavelength == good[0] and w.wl_slider.value == good[0]
    w.window_from.value = 1e9
    assert "delay_range" in w.error_message and "low < high" in w.error_message
    assert w.delay_range == good[1] and w.window_from.value == good[1][0]
    w.window_to.value = good[1][0] + 1.0  # too few delays left for the fit
    assert "needs at least" in w.error_message and w.delay_range == good[1]
    w.band_box.value = -5.0
    assert w.band_nm == good[2] and clean(w.error_message)
    for name, bad in (("n_components", 9), ("offset_on", "yes"), ("split_ps", math.inf)):
        with pytest.raises(SettingError, match=name):
            setattr(w, name, bad)
        assert name in w.error_message
    w.window_from.value = 10.0  # a good value clears the banner
    assert w.error_message == "" and w.delay_range[0] == 10.0


def test_band_deconvolver_settings(ta):
    w = BandDeconvolver(ta, pump=250.0)
    delay = w.delay
    w.delay_input.value = math.nan
    assert "delay must be finite" in w.error_message and clean(w.error_message)
    assert w.delay == delay and w.delay_input.value == delay  # the box shows the good value
    with pytest.raises(SettingError, match=r"did you mean 'GSB'"):
        w.selected = "GBS"
    with pytest.raises(TypeError, match=r"'pumps'; did you mean 'pump'"):
        BandDeconvolver(ta, pumps=[100.0])


def test_threshold_fitter_settings(ase):
    f = ThresholdFitter(ase)
    fit = f.result
    with pytest.raises(SettingError, match=r"feedback must be one of \['lamp', 'mirror'\]"):
        f.feedback = "lmap"
    assert "did you mean 'lamp'" in f.error_message and f.feedback == "lamp"
    for name, bad, words in (
        ("spot_diameter_mm", -1.0, "spot_diameter_mm must be in (0, inf] mm"),
        ("beam_profile", "gauss", "did you mean 'gaussian'"),
        ("scale", "lg", "scale must be one of"),
        ("method", "maximum", "method must be one of"),
        ("below", [0.0, math.nan], "below must be finite"),
        ("above", [100.0, 9000.0], "within the powers"),
        ("selected_power", 1e5, "selected_power must be in"),
    ):
        with pytest.raises(SettingError):
            setattr(f, name, bad)
        assert words in f.error_message and clean(f.error_message)
    assert f.result is fit  # nothing refitted, the last good fit kept
    with pytest.raises(TypeError, match=r"'feedbak'; did you mean 'feedback'"):
        ThresholdFitter(ase, feedbak="lamp")


EVIL = "<img src=x onerror=alert(1)>"


def test_text_from_the_data_is_escaped(ta, ase):
    data = ta.drop_vars("occupancy")
    data["pump"].attrs["units"] = EVIL
    k = KineticsFitter(data)
    k.fit()
    for html in (k.legend.value, k.table_html.value):
        assert EVIL not in html and "&lt;img src=x" in html
    labels = [("<i>lamp</i>" if f == "lamp" else str(f)) for f in ase["feedback"].values]
    f = ThresholdFitter(ase.assign_coords(feedback=labels))
    f.criteria_button.click()
    for html in (f.readout.value, f.criteria_html.value):
        assert "<i>lamp</i>" not in html and "&lt;i&gt;lamp&lt;/i&gt;" in html
