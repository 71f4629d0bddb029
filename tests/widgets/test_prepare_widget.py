"""Prepare headless: defaults from the data, settled settings → the core's result, errors kept
inside the widget with the last good state, undo/redo, scans, code, and the result downstream."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import chirp, prepare
from qdwidgets.widgets import Prepare
from qdwidgets.widgets._base import SettingError

pytestmark = pytest.mark.widgets


@pytest.fixture(scope="module")
def ta() -> xr.Dataset:
    return qdwidgets.examples.ta()


def curve(points: list[list[float]], order: int, wl: np.ndarray) -> np.ndarray:
    """t0 (ps) at ``wl``: the least-squares polynomial through ``points``, x = (λ − c) / 100."""
    c = (wl[0] + wl[-1]) / 2
    p = np.asarray(points, dtype=float)
    coef = np.polyfit((p[:, 0] - c) / 100, p[:, 1], min(order, len(p) - 1))
    return np.polyval(coef, (wl - c) / 100)


def assert_same(a: xr.Dataset, b: xr.Dataset) -> None:
    xr.testing.assert_equal(a["dA"], b["dA"])
    assert prepare.pipeline(a).steps == prepare.pipeline(b).steps


def scans_of(ta: xr.Dataset, n: int = 4, noisy: int | None = None) -> list[xr.Dataset]:
    rng = np.random.default_rng(5)
    out = []
    for i in range(n):
        s = ta.copy(deep=True)
        sigma = 2e-4 * (8 if i == noisy else 1)
        s["dA"] = s["dA"] + rng.normal(0, sigma, s["dA"].shape).astype(np.float32)
        out.append(s)
    return out


def solvent_of(ta: xr.Dataset) -> xr.Dataset:
    """A coherent artefact (derivative of a Gaussian at 0.3 ps) on the data's grid."""
    t = ta["delay"].values[:, None]
    art = -(t - 0.3) * np.exp(-(((t - 0.3) / 0.3) ** 2)) * 2e-3 * np.ones(ta.sizes["wavelength"])
    sv = ta.isel(pump=[0]).copy(deep=True)
    sv["dA"] = (("pump", "delay", "wavelength"), art[None].astype(np.float32), sv["dA"].attrs)
    return sv.drop_vars(["A0", "PL"], errors="ignore")


def test_opens_on_the_example_with_defaults_from_the_data(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    assert w.error_message == ""
    assert w.warning_messages == ()
    assert len(w.chirp_points) == 5 and w.chirp_order == 3
    est = chirp.estimate(prepare.subtract_background(ta), order=3)
    for lam, t0 in w.chirp_points:  # the points lie on the data's own estimate
        assert t0 == pytest.approx(float(est.sel(wavelength=lam)), abs=1e-3)
    assert w.background is True and w.solvent is False
    expected = prepare.correct_chirp(
        prepare.subtract_background(ta), curve(w.chirp_points, 3, ta["wavelength"].values)
    )
    assert_same(w.result, expected)
    assert ta.attrs.get("qd_pipeline") is None  # the input is untouched
    assert "chirp degree 3 through 5 points" in w.canvas.status
    assert w.canvas.chirp_points == w.chirp_points  # the canvas shows the same settings


def test_unknown_keyword_is_a_type_error(ta: xr.Dataset) -> None:
    with pytest.raises(TypeError, match="chirp_order"):
        Prepare(ta, chirp_ordr=2)


def test_dragging_a_chirp_point_recomputes_as_correct_chirp_says(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    before = w.result["dA"].copy()
    pts = [list(p) for p in w.chirp_points]
    pts[2][1] += 0.8  # the browser writes the list once, at the end of the drag
    w.canvas.chirp_points = pts
    assert w.chirp_points == pts
    bg = prepare.subtract_background(ta)
    expected = prepare.correct_chirp(bg, curve(pts, 3, ta["wavelength"].values))
    assert_same(w.result, expected)
    assert not w.result["dA"].equals(before)
    np.testing.assert_allclose(w.chirp, curve(pts, 3, ta["wavelength"].values))


def test_adding_removing_points_and_the_order(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    pts = [list(p) for p in w.chirp_points]
    w.chirp_points = [*pts, [700.0, 0.5]]  # shift-click adds a point
    assert len(w.chirp_points) == 6 and w.chirp_points[-2] == [700.0, 0.5]  # sorted by λ
    w.chirp_points = pts[:2]  # two left: a straight line whatever the order
    wl = ta["wavelength"].values
    bg = prepare.subtract_background(ta)
    assert_same(w.result, prepare.correct_chirp(bg, curve(pts[:2], 1, wl)))
    assert "degree 1 through 2 points" in w.canvas.status
    w.chirp_points = pts
    w.chirp_order = 1
    assert_same(w.result, prepare.correct_chirp(bg, curve(pts, 1, wl)))
    for bad in (5, -1, 2.5):
        with pytest.raises(SettingError, match="chirp_order"):
            w.chirp_order = bad
    assert w.chirp_order == 1
    w.chirp_points = []  # no point: no chirp correction
    assert_same(w.result, bg)
    assert "no chirp correction" in w.canvas.status


def test_chirp_point_off_the_map_is_refused_and_the_state_kept(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    good, result = list(w.chirp_points), w.result
    pts = [list(p) for p in good]
    pts[0] = [300.0, 0.5]  # below the first wavelength (440 nm)
    w.canvas.chirp_points = pts  # as the browser would: refused, the canvas goes back
    assert "outside the map" in w.error_message and "Fix:" in w.error_message
    assert w.chirp_points == good and w.canvas.chirp_points == good
    assert w.result is result
    with pytest.raises(SettingError, match="two points at"):
        w.chirp_points = [[500.0, 0.1], [500.0, 0.2]]
    w.chirp_points = [*good[:4], [710.0, -0.2]]  # a good value clears the banner
    assert w.error_message == ""


def test_crop_with_the_brush(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    w.canvas.delay_range = [-1.0, 500.0]
    w.canvas.wavelength_range = [480.0, 700.0]
    r = w.result
    assert float(r["delay"].min()) >= -1.0 and float(r["delay"].max()) <= 500.0
    assert float(r["wavelength"].min()) >= 480 and float(r["wavelength"].max()) <= 700
    bg = prepare.subtract_background(ta)
    full = prepare.correct_chirp(bg, curve(w.chirp_points, 3, ta["wavelength"].values))
    assert_same(r, prepare.crop(full, delay=(-1.0, 500.0), wavelength=(480.0, 700.0)))
    with pytest.raises(SettingError, match="choose ranges inside the data"):
        w.wavelength_range = [800.0, 900.0]
    assert w.wavelength_range == [480.0, 700.0] and w.result is r
    with pytest.raises(SettingError, match="low < high"):
        w.delay_range = [5.0, 1.0]
    w.wavelength_range = []  # reset
    assert r.sizes["wavelength"] < w.result.sizes["wavelength"] == ta.sizes["wavelength"]


def test_mask_bands_with_the_spectrum_brush(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    w.canvas.mask_bands = [[590.0, 600.0]]
    w.canvas.mask_bands = [[590.0, 600.0], [450.0, 455.0]]
    assert w.mask_bands == [[450.0, 455.0], [590.0, 600.0]]
    wl = w.result["wavelength"].values
    nan_cols = np.isnan(w.result["dA"].isel(pump=0)).all("delay").values
    assert np.array_equal(nan_cols, ((wl >= 590) & (wl <= 600)) | ((wl >= 450) & (wl <= 455)))
    result = w.result
    w.canvas.mask_bands = [[400.0, 800.0]]  # covers everything: refused inside the widget
    assert "cover every wavelength" in w.error_message
    assert w.mask_bands == [[450.0, 455.0], [590.0, 600.0]] and w.result is result
    w.canvas.mask_bands = [[590.0, 600.0]]  # one band removed
    nan_cols = np.isnan(w.result["dA"].isel(pump=0)).all("delay").values
    assert nan_cols.sum() == 11 and w.error_message == ""


def test_background_and_solvent_toggles(ta: xr.Dataset) -> None:
    sv = solvent_of(ta)
    raw = ta.copy(deep=True)
    raw["dA"] = raw["dA"] + 0.7 * sv["dA"].values.astype(np.float32)
    w = Prepare(raw, solvent=sv)
    assert w.solvent is True and w.canvas.solvent_available and w.error_message == ""
    wl = ta["wavelength"].values
    pts = w.chirp_points
    corrected = prepare.subtract_background(prepare.subtract_solvent(raw, sv))
    assert_same(w.result, prepare.correct_chirp(corrected, curve(pts, 3, wl)))
    assert w.result["dA"].isel(pump=0).sel(delay=0.0, method="nearest").notnull().any()
    w.canvas.solvent = False
    assert_same(
        w.result, prepare.correct_chirp(prepare.subtract_background(raw), curve(pts, 3, wl))
    )
    w.background = False
    assert_same(w.result, prepare.correct_chirp(raw, curve(pts, 3, wl)))
    assert "background" not in w.canvas.status


def test_solvent_of_another_shape_is_shown_and_turned_off(ta: xr.Dataset) -> None:
    sv = solvent_of(ta).isel(wavelength=slice(0, 100))
    w = Prepare(ta, solvent=sv)
    assert "solvent" in w.error_message and "Fix:" in w.error_message
    assert w.solvent is False and w.canvas.solvent_available is False
    assert prepare.pipeline(w.result).steps[0]["step"] == "subtract_background"
    with pytest.raises(SettingError, match="wavelength axis"):
        w.solvent = True
    w2 = Prepare(ta)
    with pytest.raises(SettingError, match="no solvent scan"):
        w2.solvent = True


def test_undo_and_redo(ta: xr.Dataset) -> None:
    w = Prepare(ta)
    assert not w.canvas.can_undo and not w.canvas.can_redo
    first = w.result
    w.mask_bands = [[590.0, 600.0]]
    w.delay_range = [-2.0, 1000.0]
    masked_cropped = w.result
    w.canvas._handle_custom_msg({"event": "undo"}, [])  # the Undo button's message
    assert w.delay_range == [] and w.mask_bands == [[590.0, 600.0]]
    assert w.canvas.delay_range == [] and w.canvas.can_redo
    w.undo()
    assert w.mask_bands == [] and w.canvas.mask_bands == [] and not w.canvas.can_undo
    assert_same(w.result, first)
    w.undo()  # nothing more to undo: no change, no error
    assert w.error_message == ""
    w.canvas._handle_custom_msg({"event": "redo"}, [])
    w.redo()
    assert w.delay_range == [-2.0, 1000.0]
    assert_same(w.result, masked_cropped)
    w.undo()
    w.background = False  # a new change drops the redo branch
    assert not w.canvas.can_redo and w.delay_range == []


def test_scans_list_with_rejection(ta: xr.Dataset) -> None:
    scans = scans_of(ta, 4)
    w = Prepare(scans)
    assert w.error_message == ""
    assert w.canvas.scan_labels[:1] == ["scan 0"] and len(w.canvas.scan_labels) == 4
    assert w.canvas.thumbs["shape"][0] == 4
    steps = [s["step"] for s in w.pipeline.steps]
    assert steps[0] == "average_scans"
    w.canvas.rejected = [1]  # the reject box of scan 1
    avg = prepare.average_scans([scans[0], scans[2], scans[3]])
    expected = prepare.correct_chirp(
        prepare.subtract_background(avg), curve(w.chirp_points, 3, ta["wavelength"].values)
    )
    assert_same(w.result, expected)
    w.rejected = [0, 1, 2]  # one scan left: used as it is
    assert prepare.pipeline(w.result).steps[0]["step"] == "subtract_background"
    w.canvas.rejected = [0, 1, 2, 3]
    assert "every scan is rejected" in w.error_message
    assert w.rejected == [0, 1, 2]
    with pytest.raises(SettingError, match="does not exist"):
        w.rejected = [7]


def test_a_noisy_scan_is_labelled(ta: xr.Dataset) -> None:
    w = Prepare(scans_of(ta, 4, noisy=2))
    assert "auto-rejected" in w.canvas.scan_labels[2]
    assert "auto-rejected" not in w.canvas.scan_labels[0]


def _exec(code: str, **names: Any) -> xr.Dataset:
    ns: dict[str, Any] = dict(names)
    exec(code, ns)
    return ns["result"]


def test_to_code_exec_equals_result(ta: xr.Dataset) -> None:
    w = Prepare(ta, mask_bands=[[590, 600]], delay_range=[-3, 2000], chirp_order=2)
    xr.testing.assert_identical(_exec(w.to_code(), ds=ta), w.result)
    xr.testing.assert_identical(_exec(w.to_code("raw"), raw=ta), w.result)
    scans = scans_of(ta, 4)
    ws = Prepare(scans, rejected=[3])
    xr.testing.assert_identical(_exec(ws.to_code(), ds=scans), ws.result)
    sv = solvent_of(ta)
    wv = Prepare(ta, solvent=sv)
    xr.testing.assert_identical(_exec(wv.to_code(solvent_name="sv"), ds=ta, sv=sv), wv.result)
    assert xr.Dataset.equals(w.pipeline.apply(ta), w.result)
    with pytest.raises(ValueError, match="variable name"):
        w.to_code("not a name")


def test_state_round_trip(ta: xr.Dataset) -> None:
    w = Prepare(ta, mask_bands=[[590, 600]], background=False)
    w.chirp_order = 2
    again = Prepare.from_state(ta, w.state())
    assert again.settings == w.settings
    assert_same(again.result, w.result)


def test_result_feeds_the_explorer_and_the_fits(ta: xr.Dataset) -> None:
    from qdwidgets.core.kinetics import fit_global, fit_kinetics
    from qdwidgets.widgets.ta_explorer import TAExplorer

    w = Prepare(ta, mask_bands=[[590, 600]], wavelength_range=[480, 720])
    ex = TAExplorer(w.result)
    assert ex.error_message == ""
    fit = fit_kinetics(w.result)
    assert fit is not None
    g = fit_global(w.result.isel(wavelength=slice(None, None, 8)), 2, pump=1)
    assert g.converged


def test_bad_data_and_options_are_refused_at_construction(ta: xr.Dataset) -> None:
    from qdwidgets.errors import DatasetError

    with pytest.raises(DatasetError, match="empty"):
        Prepare([])
    with pytest.raises(DatasetError):
        Prepare(ta["dA"].values)  # not a dataset
    with pytest.raises(ValueError, match="chirp_order"):
        Prepare(ta, chirp_order=7)
    with pytest.raises(ValueError, match="every wavelength"):
        Prepare(ta, mask_bands=[[400, 800]])
    with pytest.raises(ValueError, match="outside the map"):
        Prepare(ta, chirp_points=[[500, 0.1], [900, 0.2]])
    with pytest.raises(ValueError, match="height"):
        Prepare(ta, height=0)
    one = Prepare([ta])  # a list of one scan: the scan itself, nothing averaged
    assert prepare.pipeline(one.result).steps[0]["step"] == "subtract_background"
    assert one.canvas.scan_labels == []


def test_data_already_chirp_corrected_open_without_points(ta: xr.Dataset) -> None:
    done = chirp.correct(ta, chirp.estimate(ta))
    w = Prepare(done)
    assert w.chirp_points == [] and w.error_message == ""
    assert any("chirp-corrected already" in n for n in w.warning_messages)
    assert "correct_chirp" not in [s["step"] for s in w.pipeline.steps]
    result = w.result
    w.canvas.chirp_points = [[500.0, 0.1]]  # the core refuses a second correction
    assert "already corrected" in w.error_message
    assert w.chirp_points == [] and w.result is result
