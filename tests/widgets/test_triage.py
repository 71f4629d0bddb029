"""The Triage widget, headless: progress, table, sorting, filtering, opening a row."""

from __future__ import annotations

import numpy as np
import pytest

from qdwidgets import Triage, save
from qdwidgets.data import simulate

WAVELENGTHS = np.linspace(560.0, 720.0, 41)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("triage")
    for i, pump in enumerate((30.0, 300.0)):
        ds, _ = simulate.ta(pump=(pump,), wavelength=WAVELENGTHS, seed=40 + i)
        save(ds, root / f"ta_{int(pump)}.nc")
    save(simulate.ase(seed=42)[0], root / "ase.nc")
    (root / "broken.csv").write_text("a,b\n1,2,3\n")
    return root


@pytest.fixture
def widget(folder):
    return Triage(folder, scheduler="sync").wait(120)


def _names(w: Triage) -> list[str]:
    return [str(s).rsplit("/", 1)[-1] for s in w.visible()["source"]]


def _buttons(w: Triage):
    return [
        next(c for c in row.children if "qd-triage-open" in c._dom_classes)
        for row in w._rows.children[1:]
    ]


def test_progress_then_one_row_per_file(widget):
    assert widget.progress.value == widget.progress.max == 4
    assert "4 dataset(s), 1 failed" in widget.status.value
    assert len(widget._rows.children) == 1 + 4  # header + rows
    assert sorted(_names(widget)) == ["ase.nc", "broken.csv", "ta_30.nc", "ta_300.nc"]
    # the failed file cannot be opened; its error is in its row
    broken = widget._rows.children[1 + _names(widget).index("broken.csv")]
    assert broken.children[2].disabled and "qd-triage-open" in broken.children[2]._dom_classes
    assert any("DatasetError" in getattr(c, "value", "") for c in broken.children)


def test_thumbnails_are_png(widget):
    row = widget._rows.children[1 + _names(widget).index("ta_300.nc")]
    image = row.children[0].children[0]
    assert image.format == "png" and image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_sort_and_filter(widget):
    widget._sort.value = "kind"
    assert widget.sort_by == "kind"
    kinds = widget.visible()["kind"].tolist()
    assert kinds == sorted(kinds, key=lambda k: (k is None or k != k, str(k)))
    widget._order.value = False
    assert widget.visible()["kind"].tolist()[0] == "ta"
    widget._filter.value = "no gain"
    assert _names(widget) == ["ta_30.nc"]
    assert len(widget._rows.children) == 2
    widget._filter.value = ""
    assert len(widget._rows.children) == 5


def test_open_ta_row_shows_the_explorer(widget):
    from qdwidgets.widgets.ta_explorer import TAExplorer

    widget._filter.value = "ta_300"
    _buttons(widget)[0].click()
    assert widget.selected == int(widget.visible().index[0])
    (view,) = widget.detail.children
    assert isinstance(view, TAExplorer)
    assert widget.error_message == ""


def test_open_ase_row_shows_the_threshold_fitter(widget):
    from qdwidgets.widgets.threshold_fitter import ThresholdFitter

    widget._filter.value = "ase.nc"
    _buttons(widget)[0].click()
    (view,) = widget.detail.children
    assert isinstance(view, ThresholdFitter)


def test_state_round_trip(folder, widget):
    widget._sort.value = "noise"
    widget._filter.value = "ta"
    state = widget.state()
    restored = Triage.from_state(folder, state)
    assert restored.sort_by == "noise" and restored.query == "ta"
    assert _names(restored) == _names(widget)


def test_file_names_and_errors_are_escaped(tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    (tmp_path / f"{evil}.csv").write_text("a,b\n1,2,3\n")
    w = Triage(tmp_path, scheduler="sync").wait(60)
    html = " ".join(getattr(c, "value", "") for row in w._rows.children for c in row.children)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_thumbnail_leaves_the_matplotlib_backend_alone(monkeypatch):
    import matplotlib

    from qdwidgets.widgets.triage import thumbnail

    before = matplotlib.get_backend()

    def refuse(*args, **kwargs):
        raise AssertionError("library code must not call matplotlib.use")

    monkeypatch.setattr(matplotlib, "use", refuse)
    for kind, preview in (("ta", [[0.1, -0.2], [0.3, 0.0]]), ("ase", [[1.0, 2.0, 4.0]])):
        png = thumbnail(preview, kind)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.get_backend() == before


def test_a_580_nm_sample_opens_at_its_band_edge(tmp_path):
    from qdwidgets.core import gain
    from qdwidgets.widgets.ta_explorer import TAExplorer

    ds, _ = simulate.ta(
        pump=(150.0,),
        transitions_nm=(580.0, 556.0, 520.0, 480.0),
        pl_peak_nm=595.0,
        chirp_reference_nm=580.0,
        pia_peak_nm=640.0,
        seed=3,
    )
    save(ds, tmp_path / "blue.nc")
    w = Triage(tmp_path, scheduler="sync").wait(60)
    assert w.error_message == "" and "1 dataset(s), 0 failed" in w.status.value
    _buttons(w)[0].click()
    (view,) = w.detail.children
    assert isinstance(view, TAExplorer) and view.error_message == ""
    assert abs(view.wavelength - 580.0) <= 3.0 and view.delay >= gain.time_zero(ds)
    w.selected = -1  # closing the row closes the explorer
    assert w.detail.children == () and view.comm is None


def test_reader_options_reach_the_readers_and_misspellings_are_refused(tmp_path):
    ds, _ = simulate.ta(pump=(300.0,), wavelength=WAVELENGTHS, seed=5)
    ds = ds.assign(dA=ds["dA"] * 1000.0)
    ds["dA"].attrs["units"] = "mOD"
    save(ds, tmp_path / "in_mod.nc")
    w = Triage(tmp_path, scheduler="sync", signal_unit="mOD").wait(60)
    assert w.error_message == "" and "0 failed" in w.status.value
    with pytest.raises(TypeError, match="signal_unit"):
        Triage(tmp_path, run=False, open_options={"signal_units": "mOD"})
    with pytest.raises(TypeError, match="signal_unit"):
        Triage(tmp_path, run=False, signal_units="mOD")


def test_to_code_reproduces_the_table(widget):
    scope: dict = {}
    exec(widget.to_code(), scope)
    cols = ["source", "kind", "ok", "flags", "first_crossing_ps"]
    ours, theirs = widget.table[cols], scope["result"][cols]
    assert ours.astype(str).values.tolist() == theirs.astype(str).values.tolist()
