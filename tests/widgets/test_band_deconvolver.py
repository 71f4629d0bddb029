"""BandDeconvolver headless: drags as bqplot's Scatter sends them, every control, state, errors.

bqplot 0.13 (``js/src/ScatterBase.ts``) sends, over the mark's comm, custom messages
``{"event": "drag_start", "point": {x, y}, "index": i}``, ``{"event": "drag", "origin": {x, y},
"point": {x, y}, "index": i}`` and ``{"event": "drag_end", "point": {x, y}, "index": i}``, with
``point`` in data units; with ``update_on_move`` it also syncs the mark's ``x``/``y`` arrays
(binary buffers) while dragging. These tests deliver exactly those messages through
``Widget._handle_msg``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core import bands as B
from qdwidgets.core.bands._shapes import gaussian
from qdwidgets.widgets._base import SettingError
from qdwidgets.widgets.band_deconvolver import BandDeconvolver


def ta_dataset(snr=2000, seed=0):
    """Synthetic TA with known bands (as in tests/core/test_bands.py): A0 with a 1S peak at
    639 nm; dA = GSB (639 nm, 20 nm) + SE (653 nm, 18 nm; 0.3× / 1× the GSB height at pump 1 / 3)
    + shell bleach (525 nm) + PIA (700 nm), at delays 0.5, 2.3 and 10 ps."""
    wl = np.linspace(480.0, 720.0, 481)
    e = B.HC / wl
    a0 = gaussian(e, 0.2, B.HC / 639, 0.08) + 0.5 * np.clip(e - 2.0, 0, None) ** 1.5
    delays = np.array([0.5, 2.3, 10.0])
    rng = np.random.default_rng(seed)
    dA = np.empty((2, delays.size, wl.size))
    for i, s in enumerate((0.3, 1.0)):
        bands = (
            B.Band("GSB", 639, 20, -0.012),
            B.Band("SE", 653, 18, -0.012 * s),
            B.Band("shell", 525, 20, -0.004),
            B.Band("PIA", 700, 20, 0.003),
        )
        y = sum(b.curve(wl) for b in bands)
        for j in range(delays.size):
            dA[i, j] = y * (1 + 0.1 * j) + rng.normal(0, 0.012 / snr, wl.size)
    return xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), dA, {"units": "OD"}),
            "A0": ("wavelength", a0, {"units": "OD"}),
            "PL": ("wavelength", gaussian(e, 1.0, B.HC / 654, 0.07)),
        },
        coords={
            "pump": ("pump", [1.0, 3.0], {"units": "nJ"}),
            "delay": ("delay", delays, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


def custom(mark, content):
    mark._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def sync_xy(mark, x, y):
    """The x/y update bqplot's update_array sends (binary float64 buffers)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    state = {
        "x": {"dtype": "float64", "shape": list(x.shape), "value": None},
        "y": {"dtype": "float64", "shape": list(y.shape), "value": None},
    }
    msg = {
        "content": {
            "data": {
                "method": "update",
                "state": state,
                "buffer_paths": [["x", "value"], ["y", "value"]],
            }
        },
        "buffers": [memoryview(x.tobytes()), memoryview(y.tobytes())],
    }
    mark._handle_msg(msg)


def drag(mark, index, path):
    """A full mouse drag of point ``index`` along ``path`` [(x, y), ...] (data units)."""
    x0, y0 = float(mark.x[index]), float(mark.y[index])
    custom(mark, {"event": "drag_start", "point": {"x": x0, "y": y0}, "index": index})
    for x, y in path:
        custom(
            mark,
            {
                "event": "drag",
                "origin": {"x": 0, "y": 0},
                "point": {"x": x, "y": y},
                "index": index,
            },
        )
        xs, ys = np.array(mark.x, dtype=float), np.array(mark.y, dtype=float)
        xs[index], ys[index] = x, y
        sync_xy(mark, xs, ys)
    x, y = path[-1]
    custom(mark, {"event": "drag_end", "point": {"x": x, "y": y}, "index": index})


@pytest.fixture(scope="module")
def ta():
    return ta_dataset()


@pytest.fixture
def w(ta):
    return BandDeconvolver(ta, delay=2.3)


def test_construct_two_pump_levels_fitted(w, ta):
    assert w.error_message == ""
    assert w.pumps == (1.0, 3.0)
    assert w.names == ["GSB", "SE", "band 1", "PIA"]
    res = w.result
    assert isinstance(res, B.BandComparison) and res.pumps == (1.0, 3.0) and res.delay == 2.3
    low, high = res.ratio("SE", "GSB")
    assert low == pytest.approx(0.3 * 18 / 20, rel=0.05)  # truth of ta_dataset
    assert high == pytest.approx(18 / 20, rel=0.05)
    for panel in w.panels:
        spec = B.spectrum_at(ta, 2.3, panel.pump)
        np.testing.assert_allclose(panel.data_mark.y, spec.values)
        assert np.asarray(panel.band_mark.y).shape == (4, ta.sizes["wavelength"])
        total = np.asarray(panel.band_mark.y).sum(axis=0)
        np.testing.assert_allclose(panel.sum_mark.y, total, atol=1e-12)
        np.testing.assert_allclose(panel.resid_mark.y, spec.values - total, atol=1e-12)
        np.testing.assert_allclose(panel.peaks.x, [b.center_nm for b in panel.bands])
        np.testing.assert_allclose(panel.peaks.y, [b.amplitude for b in panel.bands])
        assert panel.peaks.enable_move and panel.sides.enable_move and panel.sides.restrict_x
    table = w.table.value
    assert table.count("(fitted)") == 2 and "share (%)" in table and "area (OD·eV)" in table
    for fit in res.fits:
        gsb = fit.band("GSB")
        assert f"<td>{fit.shares['GSB']:.1f}</td>" in table
        assert f"{gsb.area:.3e} ± {gsb.area_err:.1e}" in table
    assert "⟨N⟩" not in w.panels[0].title.value and "2.3 ps" in w.panels[0].title.value


def test_drag_peak_moves_centre_and_height_and_redraws(w):
    panel = w.panels[1]
    i = w.names.index("SE")
    sides_before = np.array(panel.sides.x, dtype=float)
    drag(panel.peaks, i, [(660.0, -0.006), (665.0, -0.005)])
    band = panel.bands[i]
    assert (band.center_nm, band.amplitude) == (665.0, -0.005)
    assert w.selected == "SE" and w.band_select.value == "SE"
    assert w.panels[0].bands[i].center_nm != 665.0  # the other panel is untouched
    comps = B.evaluate(panel.bands, w.wavelength)
    total = sum(comps[n].values for n in w.names)
    np.testing.assert_allclose(panel.sum_mark.y, total, atol=1e-12)
    np.testing.assert_allclose(panel.resid_mark.y, panel.data_mark.y - total, atol=1e-12)
    blue, red = band.half_max_nm()
    assert panel.sides.x[2 * i] == pytest.approx(blue) and panel.sides.x[
        2 * i + 1
    ] == pytest.approx(red)
    assert not np.allclose(panel.sides.x, sides_before)
    assert panel.fit is None and "not fitted" in w.table.value
    assert w.error_message == ""


def test_sum_and_residual_redraw_during_the_drag(w):
    panel = w.panels[0]
    i = w.names.index("GSB")
    custom(panel.peaks, {"event": "drag_start", "point": {"x": 639.0, "y": -0.01}, "index": i})
    before = np.array(panel.sum_mark.y, dtype=float)
    custom(
        panel.peaks,
        {
            "event": "drag",
            "origin": {"x": 0, "y": 0},
            "point": {"x": 645.0, "y": -0.02},
            "index": i,
        },
    )
    assert panel.bands[i].center_nm == 645.0  # no drag_end yet
    assert not np.allclose(panel.sum_mark.y, before)
    wl = w.wavelength
    assert wl[np.argmin(np.asarray(panel.band_mark.y)[i])] == pytest.approx(645.0, abs=1.0)


def test_drag_side_handle_changes_width(w):
    panel = w.panels[1]
    i = w.names.index("GSB")
    band = panel.bands[i]
    red = float(panel.sides.x[2 * i + 1])
    drag(panel.sides, 2 * i + 1, [(red + 3.0, float(panel.sides.y[2 * i + 1])), (red + 6.0, 0.0)])
    new = panel.bands[i]
    assert new.center_nm == band.center_nm and new.amplitude == band.amplitude
    assert new.half_max_nm()[1] == pytest.approx(red + 6.0)
    assert new.fwhm_nm > band.fwhm_nm
    # drag_end re-snaps both side handles (the blue one mirrored in energy) to half height
    assert panel.sides.x[2 * i] == pytest.approx(new.half_max_nm()[0])
    assert panel.sides.y[2 * i + 1] == pytest.approx(new.amplitude / 2)


def test_fit_button_refits_after_a_drag(w):
    panel = w.panels[1]
    i = w.names.index("SE")
    drag(panel.peaks, i, [(670.0, -0.004)])
    w.fit_button.click()
    assert w.error_message == ""
    assert panel.bands[i].center_nm == pytest.approx(653.0, abs=0.5)
    assert w.result.fits[1].band("SE").center_nm == panel.bands[i].center_nm
    np.testing.assert_allclose(panel.peaks.x[i], panel.bands[i].center_nm)


def test_drag_outside_the_data_and_fit_show_clear_errors(w):
    panel = w.panels[0]
    i = w.names.index("PIA")
    drag(panel.peaks, i, [(740.0, 0.001)])
    assert "outside the fitted range" in w.error_message and "'PIA'" in w.error_message
    w.fit_button.click()
    assert "'PIA' is centred at 740.0 nm, outside the fitted range" in w.error_message


def test_non_converging_fit_shows_in_the_widget(w):
    w.fit_options = {"max_nfev": 2}
    w.fit_button.click()
    assert w.error_message == ""  # a fit that stopped early is a warning, not an error
    assert any("pump 1 nJ" in m for m in w.warning_messages) and not w.result.fits[0].converged
    assert "qd-banner-warning" in w.error.value and "qd-banner-error" not in w.error.value
    w.fit_options = {}
    w.fit_button.click()
    assert w.error_message == "" and w.warning_messages == ()


def test_add_and_remove_bands_with_the_controls(w):
    w.new_name.value = "1P"
    w.new_center.value = 575.0
    w.add_button.click()
    assert w.error_message == ""
    assert w.names[-1] == "1P" and w.selected == "1P"
    assert all(p.bands[-1].center_nm == 575.0 for p in w.panels)
    assert np.asarray(w.panels[0].band_mark.y).shape[0] == 5 and len(w.panels[0].peaks.x) == 5
    w.add_button.click()  # same name again
    assert "already a band called '1P'" in w.error_message
    w.new_name.value = " "
    w.add_button.click()
    assert "name" in w.error_message
    w.band_select.value = "band 1"
    w.remove_button.click()
    assert "band 1" not in w.names and len(w.panels[1].sides.x) == 8
    assert "band 1" not in w.table.value


def test_shape_and_lock_controls(w):
    w.band_select.value = "SE"
    w.shape_select.value = "lorentzian"
    assert all(p.bands[1].shape == "lorentzian" for p in w.panels)
    w.band_select.value = "GSB"
    assert w.shape_select.value == "gaussian"
    w.shape_select.value = "template"
    assert w.panels[0].bands[0].shape == "template" and w.error_message == ""
    w.shape_select.value = "gaussian"
    w.lock_boxes["center_nm"].value = True
    assert all("center_nm" not in p.bands[0].vary for p in w.panels)
    centre = w.panels[1].bands[0].center_nm
    drag(w.panels[1].peaks, 0, [(641.5, -0.012)])
    w.fit_button.click()
    assert w.error_message == ""
    assert w.panels[1].bands[0].center_nm == 641.5 != centre  # locked at the dragged value
    w.band_select.value = "SE"
    assert w.lock_boxes["center_nm"].value is False
    w.band_select.value = "GSB"
    assert w.lock_boxes["center_nm"].value is True


def test_delay_and_propose(w, ta):
    w.delay_input.value = 10.0
    assert w.delay == 10.0 and "10 ps" in w.panels[0].title.value
    np.testing.assert_allclose(w.panels[0].data_mark.y, B.spectrum_at(ta, 10.0, 1.0).values)
    w.propose_button.click()
    assert w.names == ["GSB", "SE", "band 1", "PIA"] and w.error_message == ""
    with pytest.raises(SettingError, match=r"delay must be in \[0.5, 10\] ps"):
        w.delay = 1e6
    assert "delay must be in" in w.error_message and w.delay == 10.0  # the last good value


def test_pump_choices(ta):
    one = BandDeconvolver(ta, pump=1.1)
    assert one.pumps == (1.0,) and len(one.panel_box.children) == 1
    assert one.result is not None and one.result.pumps == (1.0,)
    given = (B.Band("GSB", 639, 20, -0.01), B.Band("SE", 655, 20, -0.005))
    nofit = BandDeconvolver(ta, pump=[3.0], bands=given, fit=False)
    assert nofit.result is None and nofit.bands == (given,)


def test_state_round_trip(w, ta):
    drag(w.panels[1].peaks, 1, [(660.0, -0.007)])
    w.band_select.value = "SE"
    w.lock_boxes["fwhm_nm"].value = True
    state = json.loads(json.dumps(w.state()))
    again = BandDeconvolver.from_state(ta, state)
    assert again.bands == w.bands
    assert again.pumps == w.pumps and again.delay == w.delay and again.selected == "SE"
    assert again.result == w.result
    assert again.lock_boxes["fwhm_nm"].value is True
    np.testing.assert_allclose(again.panels[1].sum_mark.y, w.panels[1].sum_mark.y)


def test_user_data_untouched(ta):
    before = ta.copy(deep=True)
    w = BandDeconvolver(ta)
    drag(w.panels[0].peaks, 0, [(640.0, -0.02)])
    w.fit_button.click()
    xr.testing.assert_identical(ta, before)


def test_a_doubtful_fit_is_flagged_in_the_banner():
    """A GSB started too wide and the SE too far red: the GSB takes the SE's place (a local
    minimum). The result is kept and drawn, and the banner says what happened."""
    wl = np.linspace(560.0, 720.0, 161)
    y = B.Band("GSB", 639, 20, -0.012).curve(wl) + B.Band("SE", 653, 18, -0.010).curve(wl)
    ta = xr.Dataset(
        {"dA": (("delay", "wavelength"), np.stack([y, y]), {"units": "OD"})},
        coords={
            "delay": ("delay", [2.3, 5.0], {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
    )
    start = (B.Band("GSB", 639, 31, -0.012), B.Band("SE", 670, 18, -0.010))
    w = BandDeconvolver(ta, bands=start, fit=False)
    w.fit_button.click()
    assert w.error_message == "" and w.warning_messages[0].startswith("single pump level: ")
    assert any("SE" in m and "zero height" in m for m in w.warning_messages)
    assert w.result is not None and abs(w.result.fits[0].band("SE").amplitude) < 1e-8
    assert w.panels[0].fit is not None  # the doubtful fit is shown, not hidden
    # moved back near the data's feature, the fit finds the truth and the banner clears
    drag(w.panels[0].peaks, 1, [(655.0, -0.008)])
    w.band_select.value = "GSB"
    w.fit_button.click()
    assert w.error_message == "" and w.warning_messages == ()
    assert w.result.fits[0].band("SE").center_nm == pytest.approx(653.0, abs=1e-3)


def test_lock_to_spectra_proposal(ta):
    w = BandDeconvolver(ta, lock_to_spectra=True)
    assert w.error_message == ""
    assert w.selected == "GSB" and w.lock_boxes["center_nm"].value is True
    assert w.lock_boxes["fwhm_nm"].value is True and w.lock_boxes["amplitude"].value is False
    for p in w.panels:
        assert p.bands[0].vary == ("amplitude",) and p.bands[1].vary == ("amplitude",)
    w.lock_boxes["fwhm_nm"].value = False
    assert w.panels[0].bands[0].vary == ("fwhm_nm", "amplitude")


def test_a_bad_delay_is_refused_at_once(ta):
    with pytest.raises(ValueError, match=r"delay must be in \[0.5, 10\] ps, got 1e\+06"):
        BandDeconvolver(ta, delay=1e6)  # refused at once, naming the measured range
    w = BandDeconvolver(ta, delay=2.3)
    w.delay_input.value = 3.0
    assert w.error_message == "" and w.names[:2] == ["GSB", "SE"]
    w.fit_button.click()
    assert w.error_message == "" and w.result is not None


def test_a0_without_a_band_edge_peak(ta):
    flat = ta.assign(A0=(ta["wavelength"] * 1e-4).assign_attrs(units="OD"))
    w = BandDeconvolver(flat)
    assert w.error_message == ""
    assert "template" not in w.shape_select.options
    # no band-edge peak in A0: the main bleach gets a neutral name, not "GSB"
    assert w.result.fits[0].band("band 1").center_nm == pytest.approx(639, abs=1.0)
