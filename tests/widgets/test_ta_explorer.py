"""TAExplorer headless: every control, the settled writes of TAView's JS, result, state, errors."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core import gain
from qdwidgets.errors import DatasetError, QDError
from qdwidgets.widgets.ta_explorer import ExplorerResult, TAExplorer

WL = np.linspace(600.0, 680.0, 81)
DELAY = np.concatenate([np.linspace(-2.0, -0.3, 10), np.arange(0.0, 10.0, 0.05), [15, 30, 60]])


def make_ta(cs=(0.5, 2.0), sigma: float = 0.002, seed: int = 0) -> xr.Dataset:
    """A_ex = A0·(1 − (1 + c)(1 − e^{−t})) after t = 0: crossing at ln((1 + c)/c) ps."""
    rng = np.random.default_rng(seed)
    a0 = 0.02 + 0.1 * np.exp(-0.5 * ((WL - 639.0) / 12.0) ** 2)
    rise = -np.expm1(-np.clip(DELAY, 0, None))[:, None]
    da = np.stack([-(1 + c) * rise * a0 for c in cs])
    da = da + sigma * rng.standard_normal(da.shape)
    return xr.Dataset(
        {
            "dA": (("pump", "delay", "wavelength"), da, {"units": "OD"}),
            "A0": ("wavelength", a0, {"units": "OD"}),
        },
        coords={
            "pump": ("pump", [100.0, 300.0][: len(cs)], {"units": "nJ"}),
            "occupancy": ("pump", [1.0, 3.0][: len(cs)]),
            "delay": ("delay", DELAY, {"units": "ps"}),
            "wavelength": ("wavelength", WL, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


class Sent:
    """Records what a widget sends to the front end (its comm's messages)."""

    def __init__(self, widget: Any) -> None:
        self.messages: list[dict[str, Any]] = []
        self.nbytes = 0
        comm = widget.comm
        original = comm.publish_msg

        def publish(
            msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **keys: Any
        ) -> None:
            self.messages.append(data or {})
            self.nbytes += len(json.dumps(data, default=str)) + sum(
                memoryview(b).nbytes for b in (buffers or [])
            )
            original(msg_type, data=data, metadata=metadata, buffers=buffers, **keys)

        comm.publish_msg = publish

    def names(self) -> set[str]:
        return {k for m in self.messages for k in m.get("state", {})}


def js_settles(view: Any, **state: Any) -> None:
    """What TAView's JS does when a scrub settles: model.set(...) then one save_changes()."""
    view.set_state(state)


@pytest.fixture
def ta() -> xr.Dataset:
    return make_ta()


@pytest.fixture
def ex(ta: xr.Dataset) -> TAExplorer:
    return TAExplorer(ta)


def test_construct_sends_arrays_once_and_picks_band_edge(ex, ta):
    v = ex.view
    assert ex.children[0] is ex.error and v in ex.children and "qd-ta-explorer" in ex._dom_classes
    assert v.dA["shape"] == [2, DELAY.size, WL.size] and v.dA["dtype"] == "float32"
    np.testing.assert_array_equal(
        np.frombuffer(v.dA["view"], dtype=np.float32).reshape(v.dA["shape"]),
        ta["dA"].values.astype(np.float32),
    )
    assert v.A0["shape"] == [WL.size] and v.delays == DELAY.tolist()
    assert v.pump_labels == ["100 nJ (⟨N⟩ ≈ 1.0)", "300 nJ (⟨N⟩ ≈ 3.0)"]
    assert v.wavelength == 639.0 and v.pump_index == 1 and v.quantity == "A_ex"
    zc = gain.zero_crossing(ta, 639.0)
    np.testing.assert_allclose(v.crossings, zc.values, rtol=1e-12)
    # default delay: the grid delay nearest the crossing of the shown level
    assert v.delay == DELAY[np.argmin(np.abs(DELAY - zc.values[1]))]
    assert ex.error_message == ""


def test_readout_format_and_numbers(ex, ta):
    zc = gain.zero_crossing(ta, 639.0)
    m = re.match(
        r"A_ex\(639 nm\) crosses zero at ([\d.]+) ± ([\d.]+) ps \(⟨N⟩ ≈ 3\.0\)", ex.view.readout
    )
    assert m, ex.view.readout
    assert float(m.group(1)) == pytest.approx(float(zc[1]), abs=0.0051)
    assert float(m.group(2)) == pytest.approx(float(zc["zero_crossing_stderr"][1]), abs=0.0051)
    assert abs(float(zc[1]) - np.log(1.5)) < 0.1  # the analytic truth, ln((1 + c)/c)


def test_settled_delay_change_updates_readout_and_result_only(ex, ta):
    sent = Sent(ex.view)
    js_settles(ex.view, delay=3.01)  # JS sends a grid value; TAView snaps anything else
    assert ex.view.delay == 3.0 and ex.delay == 3.0
    aex = float(
        ta["dA"].sel(pump=300.0, delay=3.0, wavelength=639.0) + ta["A0"].sel(wavelength=639.0)
    )
    assert f"at 3 ps: A_ex = {aex:+.4f} OD" in ex.view.readout
    assert ex.result.a_ex == pytest.approx(aex) and ex.result.delay == 3.0
    assert sent.names() <= {"readout", "delay"} and "readout" in sent.names()
    assert sent.nbytes < 64 * 1024


def test_settled_wavelength_change_recomputes_that_wavelengths_crossings(ex, ta):
    sent = Sent(ex.view)
    js_settles(ex.view, wavelength=650.0, delay=2.0)
    zc = gain.zero_crossing(ta, 650.0)
    np.testing.assert_allclose(ex.view.crossings, zc.values, rtol=1e-12)
    assert ex.wavelength_box.value == 650.0
    assert ex.view.readout.startswith("A_ex(650 nm) crosses zero at")
    assert {"crossings", "readout"} <= sent.names() and "dA" not in sent.names()
    assert sent.nbytes < 64 * 1024
    res = ex.result
    assert res.wavelength == 650.0 and res.crossings == tuple(zc.values)


def test_pump_menu_in_the_view(ex, ta):
    js_settles(ex.view, pump_index=0)
    assert ex.pump_index == 0 and "(⟨N⟩ ≈ 1.0)" in ex.view.readout
    res = ex.result
    assert res.pump == 100.0 and res.occupancy == 1.0 and res.pump_units == "nJ"
    assert res.crossing == pytest.approx(float(gain.zero_crossing(ta, 639.0)[0]))
    assert abs(res.crossing - np.log(3.0)) < 0.1


def test_quantity_toggle_log_delay_play_and_vmax(ex):
    js_settles(ex.view, quantity="dA")
    assert ex.quantity == "dA"
    js_settles(ex.view, quantity="A_ex", log_delay=True)
    assert ex.quantity == "A_ex" and ex.log_delay is True
    js_settles(ex.view, playing=True)
    js_settles(ex.view, playing=False, delay=5.0)  # play stop writes the settled delay
    assert ex.delay == 5.0 and "at 5 ps" in ex.view.readout
    ex.vmax_box.value = 0.05
    assert ex.view.vmax == 0.05 and ex.vmax == 0.05
    js_settles(ex.view, vmax=0.0)
    assert ex.vmax_box.value == 0.0
    assert ex.error_message == ""


def test_wavelength_and_band_boxes(ex, ta):
    ex.wavelength_box.value = 644.3
    assert ex.view.wavelength == 644.0 and ex.wavelength == 644.0
    ex.band_box.value = 4.0
    zc = gain.zero_crossing(ta, 644.0, band_nm=4.0)
    np.testing.assert_allclose(ex.view.crossings, zc.values, rtol=1e-12)
    assert ex.view.readout.startswith("A_ex(644 ± 2 nm)") and ex.result.band_nm == 4.0


def test_result_round_trip_and_gain_spectrum(ex, ta):
    js_settles(ex.view, delay=4.0)
    res = ex.result
    again = ExplorerResult.from_dict(json.loads(json.dumps(res.to_dict())))
    assert again == res
    ref = gain.gain_spectrum(ta, 4.0)
    assert res.gain is not None and res.gain.bands == ref.bands and res.gain.delay == 4.0
    assert "ExplorerResult" in res._repr_html_()


def test_state_round_trip(ex, ta):
    ex.pump_index = 0
    ex.wavelength = 650.0
    ex.band_nm = 2.0
    ex.delay = 6.0
    ex.quantity = "dA"
    ex.log_delay = True
    ex.vmax = 0.1
    state = json.loads(json.dumps(ex.state()))
    back = TAExplorer.from_state(ta, state)
    for key in TAExplorer._state_keys:
        assert getattr(back, key) == getattr(ex, key), key
    assert back.view.readout == ex.view.readout and back.result == ex.result
    with pytest.raises(QDError, match="saved by"):
        TAExplorer.from_state(ta, {**state, "widget": "KineticsFitter"})


def test_dataset_without_A0_shows_the_fix_in_the_banner(ta):
    ex = TAExplorer(ta.drop_vars("A0"))
    assert "attach_absorbance" in ex.error_message and ex.quantity == "dA"
    assert ex.view.A0["shape"] == [0]
    assert ex.view.readout.startswith("ΔA(639 nm) = ") and "A_ex needs A0" in ex.view.readout
    js_settles(ex.view, quantity="A_ex")
    assert ex.quantity == "dA" and "A0" in ex.error_message
    js_settles(ex.view, delay=2.0)  # a successful callback keeps the notice
    assert "attach_absorbance" in ex.error_message
    res = ex.result
    assert np.isnan(res.a_ex) and res.gain is None and np.isnan(res.crossing)


def test_callback_errors_go_to_the_banner(ex):
    with pytest.raises(DatasetError, match="out of range"):
        ex.pump_index = 5
    js_settles(ex.view, pump_index=7)  # a stale front end: clamped, no traceback
    assert ex.pump_index == 1


def test_bad_arguments_raise_early(ta):
    with pytest.raises(DatasetError, match="pump level"):
        TAExplorer(ta, pump=200.0)
    with pytest.raises(DatasetError, match="outside the measured range"):
        TAExplorer(ta, wavelength=900.0)
    assert TAExplorer(ta, pump=100.0).pump_index == 0
    assert TAExplorer(ta, pump=0, wavelength=650, delay=2.0).result.delay == 2.0


def test_accessor_opens_it(ta):
    ex = ta.qd.explore(wavelength=645.0)
    assert isinstance(ex, TAExplorer) and ex.wavelength == 645.0


def test_the_paper_example_in_the_explorer():
    """examples.ta(): the readout at the band edge gives the paper's 2.3 ps (⟨N⟩ ≈ 1.2) and
    0.8 ps (⟨N⟩ ≈ 3) within 0.1 ps."""
    from qdwidgets import examples

    ex = TAExplorer(examples.ta(), pump=100.0)
    assert ex.wavelength == 639.0 and ex.quantity == "A_ex"
    m = re.match(
        r"A_ex\(639 nm\) crosses zero at ([\d.]+) ± [\d.]+ ps \(⟨N⟩ ≈ 1\.2\)", ex.view.readout
    )
    assert m and abs(float(m.group(1)) - 2.3) < 0.1, ex.view.readout
    js_settles(ex.view, pump_index=1)
    assert abs(ex.result.crossing - 0.8) < 0.1 and "(⟨N⟩ ≈ 3.0)" in ex.view.readout
    js_settles(ex.view, delay=2.3)
    gain_here = ex.result.gain
    assert gain_here is not None and gain_here.has_gain.values.tolist() == [True, True]


def test_log_delay_axis_by_default_for_long_delay_ranges(ta):
    assert TAExplorer(ta).log_delay is False  # −2…60 ps
    long = ta.assign_coords(delay=ta["delay"].values * 100.0)
    long["delay"].attrs["units"] = "ps"
    assert TAExplorer(long).log_delay is True  # −200…6000 ps
