"""ThresholdFitter headless: drags arrive as bqplot sends them, every control, state, errors.

A handle drag in the browser sends, on the Scatter's comm: a custom ``drag_start`` message, a
custom ``drag`` message per mouse move (``{event, origin, point: {x, y}, index}``, x in data
units), then at mouse-up an ``update`` of ``x`` (binary array) and a custom ``drag_end`` message
(bqplot 0.13 ScatterBase.drag_ended). ``_handle_msg`` below receives exactly those messages.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core.threshold import fit_lines, fit_threshold, intensity
from qdwidgets.errors import DatasetError
from qdwidgets.widgets.threshold_fitter import HANDLE_Y, ThresholdFitter

POWERS = np.arange(10.0, 501.0, 10.0)


def ase_dataset(seed=0, spot=1.0):
    """Gaussian spectra at 654 nm; lamp knee at 150 mW, mirror knee at 250 mW (sharp)."""
    rng = np.random.default_rng(seed)
    wl = np.arange(600.0, 710.1, 1.0)
    none = 0.05 * POWERS
    lamp = none + 2.0 + 0.02 * np.maximum(POWERS - 150.0, 0) + rng.normal(0, 0.03, POWERS.size)
    mirror = none + 1.0 + 0.2 * np.maximum(POWERS - 250.0, 0) + rng.normal(0, 0.25, POWERS.size)
    heights = np.stack([none, lamp, mirror])
    thr = np.array([np.inf, 150.0, 250.0])[:, None]
    sig = 10.0 * (1 - 0.4 * np.clip((POWERS - thr) / 250.0, 0, 1))
    spectra = heights[..., None] * np.exp(-0.5 * ((wl - 654.0) / sig[..., None]) ** 2)
    attrs = {"qd_kind": "ase", "beam_profile": "tophat"}
    if spot is not None:
        attrs["spot_diameter_mm"] = spot
    return xr.Dataset(
        {"emission": (("feedback", "power", "wavelength"), spectra, {"units": "nW"})},
        coords={
            "feedback": ["none", "lamp", "mirror"],
            "power": ("power", POWERS, {"units": "mW"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs=attrs,
    )


def _custom(mark, content):
    mark._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def drag(fitter, index, to, *, steps=4, end=True):
    """Drag handle ``index`` (0/1 below lo/hi, 2/3 above lo/hi) to ``to`` mW, as the browser."""
    h = fitter.handles
    start = float(h.x[index])
    _custom(h, {"event": "drag_start", "point": {"x": start, "y": HANDLE_Y}, "index": index})
    for x in np.linspace(start, to, steps)[1:]:
        _custom(
            h,
            {
                "event": "drag",
                "origin": {"x": 0, "y": 0},
                "point": {"x": float(x), "y": HANDLE_Y},
                "index": index,
            },
        )
    if not end:
        return
    new = np.array(h.x, dtype=float)
    new[index] = to
    h._handle_msg(
        {
            "content": {
                "data": {
                    "method": "update",
                    "state": {"x": {"dtype": "float64", "shape": [4]}},
                    "buffer_paths": [["x", "value"]],
                }
            },
            "buffers": [memoryview(new.tobytes())],
        }
    )
    _custom(h, {"event": "drag_end", "point": {"x": float(to), "y": HANDLE_Y}, "index": index})


def core_fit(ds, fitter):
    return fit_threshold(
        ds,
        feedback=fitter.feedback,
        below=tuple(fitter.below),
        above=tuple(fitter.above),
        spot_diameter_mm=fitter.spot_diameter_mm,
        beam_profile=fitter.beam_profile,
        method=fitter.method,
    )


@pytest.fixture
def ds():
    return ase_dataset()


def test_construct_draws_and_matches_core(ds):
    before = ds.copy(deep=True)
    f = ThresholdFitter(ds)
    assert f.feedback == "lamp" and f.error_message == ""
    assert f.result == core_fit(ds, f)
    assert f.result.threshold_mW == pytest.approx(150.0, rel=0.03)
    np.testing.assert_allclose(f.handles.x, [*f.below, *f.above])
    np.testing.assert_allclose(
        f.enh_points.y,
        ds.emission.max("wavelength").sel(feedback="lamp")
        - ds.emission.max("wavelength").sel(feedback="none"),
    )
    assert f.cross.x[0] == pytest.approx(f.result.threshold_mW)
    assert f.line_below.y[-1] == pytest.approx(f.line_above.y[0], rel=1e-9)  # meet at the cross
    assert f"{f.result.threshold_mW:.4g}" in f.readout.value
    assert f"{f.result.threshold_W_cm2:.4g}" in f.readout.value and "W cm⁻²" in f.readout.value
    xr.testing.assert_identical(ds, before)


def test_dragging_a_handle_moves_the_window_and_the_threshold(ds):
    f = ThresholdFitter(ds, below=(10, 140), above=(160, 500))
    first = f.result.threshold_mW
    lines_before = np.array(f.line_below.x)
    drag(f, 1, 100.0, end=False)  # mid-drag: the lines redraw ...
    assert f.below == [10.0, 100.0]
    assert not np.array_equal(f.line_below.x, lines_before)
    assert f.handles.x[1] == 140.0  # ... but Python does not move the handle under the mouse
    _custom(f.handles, {"event": "drag_end", "point": {"x": 100.0, "y": HANDLE_Y}, "index": 1})
    expected = fit_lines(
        POWERS, f.enh_points.y, below=(10, 100), above=(160, 500), spot_diameter_mm=1.0
    )
    assert f.result == expected
    assert f.result.threshold_mW != first
    assert f.below_slider.value == (10.0, 100.0)
    np.testing.assert_allclose(f.handles.x, [10, 100, 160, 500])
    drag(f, 2, 300.0)
    assert f.above == [300.0, 500.0]
    assert f.result == core_fit(ds, f)
    assert f.result.threshold_mW == pytest.approx(150.0, rel=0.03)


def test_dragged_windows_never_overlap(ds):
    f = ThresholdFitter(ds, below=(10, 140), above=(160, 500))
    drag(f, 3, 120.0)  # above's hi dragged into the below window: stops one step after it
    assert f.above == [150.0, 160.0] and f.below == [10.0, 140.0]
    assert "overlap" not in f.error_message and "holds 2 point" in f.error_message
    drag(f, 0, 2000.0)  # below's lo dragged far right: sorted, one step short of the above
    assert f.below == [130.0, 140.0] and f.below[1] < f.above[0]
    np.testing.assert_allclose(f.handles.x, [130, 140, 150, 160])


def test_sliders_drive_the_windows(ds):
    f = ThresholdFitter(ds)
    f.below_slider.value = (20.0, 120.0)
    f.above_slider.value = (200.0, 450.0)
    assert f.below == [20.0, 120.0] and f.above == [200.0, 450.0]
    assert f.result == core_fit(ds, f)
    np.testing.assert_allclose(f.handles.x, [20, 120, 200, 450])


def test_spot_and_profile_controls_convert(ds):
    f = ThresholdFitter(ds)
    x0 = f.result.threshold_mW
    f.spot_input.value = 2.0
    assert f.result.threshold_W_cm2 == pytest.approx(intensity(x0, 2.0))
    f.profile_select.value = "gaussian"
    assert f.result.beam_profile == "gaussian"
    assert f.result.threshold_W_cm2 == pytest.approx(intensity(x0, 2.0, "gaussian"))
    assert f.result.threshold_mW == x0
    assert "gaussian" in f.readout.value


def test_feedback_selector_switches_curves_and_refits(ds):
    f = ThresholdFitter(ds)
    f.feedback_select.value = "mirror"
    assert f.feedback == "mirror"
    assert f.result.threshold_mW == pytest.approx(250.0, rel=0.03)
    assert f.result == core_fit(ds, f)
    out = ds.emission.max("wavelength")
    np.testing.assert_allclose(f.out_fb.y, out.sel(feedback="mirror"))
    np.testing.assert_allclose(f.spec_fb.y, ds.emission.sel(feedback="mirror", power=500.0))
    assert "mirror" in f.enh_fig.title


def test_log_axes_toggle(ds):
    f = ThresholdFitter(ds)
    f.scale_toggle.value = "log"
    assert type(f.out_none.scales["x"]).__name__ == "LogScale"
    assert type(f.out_fig.axes[1].scale).__name__ == "LogScale"
    f.scale_toggle.value = "linear"
    assert type(f.out_fb.scales["y"]).__name__ == "LinearScale"
    assert f.error_message == ""


def test_power_selector_shows_spectra_and_linewidths_are_drawn(ds):
    f = ThresholdFitter(ds)
    f.power_slider.value = 200.0
    assert f.selected_power == 200.0
    np.testing.assert_allclose(f.spec_none.y, ds.emission.sel(feedback="none", power=200.0))
    np.testing.assert_allclose(f.spec_fb.y, ds.emission.sel(feedback="lamp", power=200.0))
    assert "200 mW" in f.spec_fig.title
    # Gaussian spectra: FWHM = 2.3548 σ, σ = 10 nm without feedback
    np.testing.assert_allclose(f.width_none.y, 2 * math.sqrt(2 * math.log(2)) * 10.0, rtol=2e-3)
    assert f.width_fb.y[-1] < f.width_fb.y[0]


@pytest.mark.parametrize(
    ("below", "above", "message"),
    [
        ((10, 300), (250, 500), "overlap"),
        ((10, 25), (200, 500), "holds 2 point"),
        ((10, 60), (70, 140), "parallel"),
    ],
)
def test_bad_windows_show_in_the_widget(ds, below, above, message):
    f = ThresholdFitter(ds)
    f.below_slider.value, f.above_slider.value = below, above
    assert message in f.error_message
    assert f.result is None
    assert "—" in f.readout.value
    assert not f.cross.visible and not f.line_below.visible
    f.power_slider.value = 100.0  # other controls work and do not hide the fit's problem
    assert message in f.error_message
    f.below_slider.value, f.above_slider.value = (10.0, 120.0), (200.0, 500.0)
    assert f.error_message == ""
    assert f.result is not None and f.cross.visible


def test_state_round_trip(ds):
    f = ThresholdFitter(ds)
    f.feedback_select.value = "mirror"
    drag(f, 1, 180.0)
    f.spot_input.value = 0.8
    f.profile_select.value = "gaussian"
    f.scale_toggle.value = "log"
    f.power_slider.value = 300.0
    f.method_select.value = "integrated"
    state = json.loads(json.dumps(f.state()))
    g = ThresholdFitter.from_state(ds, state)
    for key in ThresholdFitter._state_keys:
        assert getattr(g, key) == getattr(f, key), key
    assert g.result == f.result
    assert state["result"]["threshold_mW"] == f.result.threshold_mW
    assert type(g.out_none.scales["x"]).__name__ == "LogScale"
    np.testing.assert_allclose(g.handles.x, f.handles.x)
    np.testing.assert_allclose(g.spec_fb.y, f.spec_fb.y)


def test_missing_spot_is_flagged_and_bad_data_refused():
    f = ThresholdFitter(ase_dataset(spot=None))
    assert "1 mm assumed" in f.readout.value
    with pytest.raises(DatasetError, match="laser"):
        ThresholdFitter(ase_dataset(), feedback="laser")
    with pytest.raises(DatasetError, match="'none'"):
        ThresholdFitter(ase_dataset().sel(feedback=["lamp", "mirror"]))


def test_accessor_explore_opens_the_fitter(ds):
    f = ds.qd.explore(feedback="mirror")
    assert isinstance(f, ThresholdFitter) and f.feedback == "mirror"


def test_on_the_embedded_example_the_default_windows_find_the_papers_thresholds():
    import qdwidgets

    ex = qdwidgets.examples.ase()
    for feedback, paper_mW, paper_W_cm2 in [("lamp", 150.0, 19.1), ("mirror", 250.0, 31.8)]:
        f = ThresholdFitter(ex, feedback=feedback)
        assert f.error_message == ""
        assert f.result.threshold_mW == pytest.approx(paper_mW, rel=0.05)
        assert f.result.threshold_W_cm2 == pytest.approx(paper_W_cm2, rel=0.05)
        assert f.result.ci_mW[0] < f.result.threshold_mW < f.result.ci_mW[1]


def test_output_method_selector_refits_on_the_chosen_output(ds):
    f = ThresholdFitter(ds, below=(10, 130), above=(170, 500))
    peak = f.result
    f.method_select.value = "integrated"
    assert f.method == "integrated"
    assert f.result == core_fit(ds, f)
    # the feedback spectra narrow above threshold, so the integral bends elsewhere
    assert f.result.threshold_mW != pytest.approx(peak.threshold_mW, rel=0.05)
    integ = ds.emission.integrate("wavelength")
    np.testing.assert_allclose(f.out_fb.y, integ.sel(feedback="lamp"))
    assert f.out_fig.axes[1].label == "spectrally integrated emission (nW nm)"  # with units
    f.method_select.value = "at_peak"  # the peak sits on the 654 nm grid point: heights
    np.testing.assert_allclose(f.out_none.y, ds.emission.sel(feedback="none", wavelength=654.0))
    assert f.result == core_fit(ds, f)
    assert f.result.threshold_mW == pytest.approx(150.0, rel=0.03)


def test_compare_criteria_button_shows_them_side_by_side(ds):
    f = ThresholdFitter(ds, feedback="mirror")
    assert f.criteria_result is None and f.criteria_html.value == ""
    f.criteria_button.click()
    crit = f.criteria_result
    assert [c.name for c in crit.criteria] == [
        "two-line intersection",
        "linewidth narrowing onset",
        "log-log slope change",
    ]
    assert crit.criteria[0].threshold_mW == pytest.approx(f.result.threshold_mW)
    for c in crit.criteria:
        assert c.name in f.criteria_html.value
    f.feedback_select.value = "lamp"  # the table is stale once the curves change
    assert f.criteria_html.value == ""
