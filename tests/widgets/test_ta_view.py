"""TAView headless: the bundle, the contract's traits, binary encoding, validation, bytes sent."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pytest
import traitlets

from qdwidgets.errors import DatasetError
from qdwidgets.widgets import ta_view
from qdwidgets.widgets.ta_view import TAView

CONTRACT_TRAITS = {
    "dA": dict, "A0": dict, "delays": list, "wavelengths": list, "pump_labels": list,
    "pump_index": int, "quantity": str, "delay": float, "wavelength": float, "log_delay": bool,
    "linthresh": float, "vmax": float, "colormap": str, "crossings": list, "readout": str,
    "playing": bool, "play_step_ms": int, "height": int,
}  # fmt: skip


def small(p: int = 2, d: int = 6, w: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return (
        rng.normal(size=(p, d, w)),
        np.array([-1.0, 0, 0.5, 2, 10, 100])[:d],
        600 + 10.0 * np.arange(w),
    )


def decode(enc: dict[str, Any]) -> np.ndarray:
    """What the JS side does: the raw bytes as little-endian float32 in C order, of ``shape``."""
    assert enc["dtype"] == "float32"
    return np.frombuffer(bytes(enc["view"]), dtype="<f4").reshape(enc["shape"])


class Recorder:
    """Capture the messages a widget sends (state, buffer paths, binary buffers)."""

    def __init__(self, widget: TAView) -> None:
        self.messages: list[tuple[dict[str, Any], list[Any]]] = []
        widget._send = self._send  # type: ignore[method-assign]

    def _send(self, msg: dict[str, Any], buffers: list[Any] | None = None) -> None:
        self.messages.append((msg, list(buffers or [])))

    def nbytes(self) -> int:
        return sum(
            len(json.dumps(m).encode()) + sum(memoryview(b).nbytes for b in bufs)
            for m, bufs in self.messages
        )

    def keys(self) -> set[str]:
        return {k for m, _ in self.messages for k in m.get("state", {})}


def test_bundle_is_built_self_contained_esm() -> None:
    text = ta_view.BUNDLE.read_text(encoding="utf-8")
    assert re.search(r"export\s*\{", text), "the bundle is an ES module with a default export"
    # every dependency bundled: no import of a URL or a bare package at run time
    assert not re.search(r"""(from|import)\s*\(?\s*["'](https?:|//|[a-z@])""", text)
    assert "http://" not in text and "https://" not in text
    assert len(text) < 100_000


def test_constructs_with_contract_traits_synced() -> None:
    view = TAView()
    assert view._esm == ta_view.BUNDLE.read_text(encoding="utf-8")
    for name, kind in CONTRACT_TRAITS.items():
        assert view.trait_metadata(name, "sync") is True, name
        assert isinstance(getattr(view, name), kind), name
    assert view.quantity == "dA" and view.colormap == "RdBu_r" and view.vmax == 0.0
    assert decode(view.dA).shape == (0, 0, 0) and decode(view.A0).shape == (0,)


def test_missing_bundle_gives_build_instructions(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(ta_view, "BUNDLE", tmp_path / "nothing.js")
    with pytest.raises(FileNotFoundError, match=r"npm --prefix js ci && npm --prefix js run build"):
        TAView()


def test_set_data_binary_round_trip() -> None:
    dA, delays, wl = small()
    a0 = np.linspace(0.1, 0.2, wl.size)
    view = TAView(delay=1.7, wavelength=633.0)
    view.set_data(dA, delays, wl, A0=a0, pump_labels=["⟨N⟩≈1", "⟨N⟩≈3"])
    got = decode(view.dA)
    assert got.shape == (2, 6, 5)
    np.testing.assert_array_equal(got, dA.astype(np.float32))
    np.testing.assert_array_equal(decode(view.A0), a0.astype(np.float32))
    assert view.delays == delays.tolist() and view.wavelengths == wl.tolist()
    assert view.pump_labels == ["⟨N⟩≈1", "⟨N⟩≈3"] and view.crossings == [None, None]
    assert view.delay == 2.0 and view.wavelength == 630.0  # settled cursor snapped to the grid


def test_set_data_without_a0_falls_back_to_dA() -> None:
    dA, delays, wl = small(p=1)
    view = TAView(quantity="A_ex", pump_index=0)
    view.set_data(dA[0], delays, wl)  # a [D, W] map is one pump level
    assert decode(view.dA).shape == (1, 6, 5)
    assert decode(view.A0).shape == (0,)
    assert view.quantity == "dA"
    assert view.pump_labels == ["pump 0"]


def test_pump_index_reset_when_fewer_levels() -> None:
    dA, delays, wl = small(p=3)
    view = TAView()
    view.set_data(dA, delays, wl)
    view.pump_index = 2
    view.set_data(dA[:1], delays, wl)
    assert view.pump_index == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dA": np.zeros((2, 5, 5))}, r"expected \(pump, 6 delays, 5 wavelengths\)"),
        ({"dA": np.zeros(30)}, "ordered"),
        (
            {"delays": np.array([0.0, 1, 1, 2, 3, 4])},
            "delays must be finite and strictly increasing",
        ),
        ({"wavelengths": np.array([600.0, 610, np.nan, 630, 640])}, "wavelengths must be finite"),
        ({"A0": np.zeros(4)}, "A0 has 4 values; expected one per wavelength"),
        ({"pump_labels": ["a"]}, "1 pump labels for 2 pump levels"),
    ],
)
def test_set_data_rejects_bad_input(kwargs: dict[str, Any], message: str) -> None:
    dA, delays, wl = small()
    args: dict[str, Any] = {"dA": dA, "delays": delays, "wavelengths": wl} | kwargs
    view = TAView()
    with pytest.raises(DatasetError, match=message):
        view.set_data(args.pop("dA"), args.pop("delays"), args.pop("wavelengths"), **args)
    assert view.delays == []  # nothing half-applied


@pytest.mark.parametrize(
    ("name", "value"),
    [("vmax", -1.0), ("vmax", float("nan")), ("linthresh", 0.0), ("play_step_ms", 0),
     ("height", -5), ("pump_index", -1), ("quantity", "dT"), ("colormap", "jet")],
)  # fmt: skip
def test_trait_validation(name: str, value: Any) -> None:
    with pytest.raises(traitlets.TraitError):
        setattr(TAView(), name, value)


def test_delay_snaps_to_grid_and_is_unchanged_without_grid() -> None:
    view = TAView()
    view.delay = 3.3
    assert view.delay == 3.3  # no grid yet: kept as given
    dA, delays, wl = small()
    view.set_data(dA, delays, wl)
    for asked, snapped in [(-5.0, -1.0), (0.2, 0.0), (0.3, 0.5), (6.1, 10.0), (1e6, 100.0)]:
        view.delay = asked
        assert view.delay == snapped


def test_initial_state_sizes_for_3x400x1024() -> None:
    p, d, w = 3, 400, 1024
    view = TAView()
    view.set_data(np.ones((p, d, w)), np.arange(d, dtype=float), 400 + np.arange(w, dtype=float),
                  A0=np.ones(w))  # fmt: skip
    state = view.get_state()
    from ipywidgets.widgets.widget import _remove_buffers

    plain, paths, buffers = _remove_buffers(state)
    assert sorted(map(tuple, paths)) == [("A0", "view"), ("dA", "view"), ("noise", "view")]
    assert sum(memoryview(b).nbytes for b in buffers) == 4 * (p * d * w + w)  # float32, no noise
    assert len(json.dumps({k: v for k, v in plain.items() if k != "_esm"})) < 40_000


def test_float32_map_is_sent_from_its_own_memory_and_noise_is_checked() -> None:
    dA, delays, wl = small()
    arr = dA.astype(np.float32)
    view = TAView()
    view.set_data(arr, delays, wl, noise=np.full((2, wl.size), 0.01), gain_k=2.0)
    assert np.shares_memory(np.frombuffer(view.dA["view"], dtype=np.float32), arr)
    np.testing.assert_array_equal(decode(view.dA), arr)
    assert view.noise["shape"] == [2, wl.size] and view.gain_k == 2.0
    with pytest.raises(DatasetError, match="noise has shape"):
        view.set_data(arr, delays, wl, noise=np.ones(3))
    with pytest.raises(traitlets.TraitError, match="gain_k"):
        view.gain_k = -1.0


def test_settled_change_sends_little() -> None:
    """A settled cursor from the browser, then Python writing readout and crossings: < 2 KB."""
    p, d, w = 3, 400, 1024
    view = TAView()
    view.set_data(np.ones((p, d, w)), np.arange(d, dtype=float), 400 + np.arange(w, dtype=float),
                  A0=np.ones(w))  # fmt: skip
    rec = Recorder(view)
    view.set_state({"delay": 12.0, "wavelength": 639.0})  # what a browser `update` does
    view.readout = "A_ex(639 nm) crosses zero at 2.31 ± 0.05 ps (⟨N⟩ ≈ 1.0)"
    view.crossings = [2.31, 0.8, None]
    assert view.delay == 12.0 and view.wavelength == 639.0
    sent = rec.keys()
    assert "dA" not in sent and "A0" not in sent
    assert {"readout", "crossings"} <= rec.keys()
    assert all(not bufs for _, bufs in rec.messages)
    assert rec.nbytes() < 2_000


def test_off_grid_value_from_browser_is_snapped_and_sent_back() -> None:
    dA, delays, wl = small()
    view = TAView()
    view.set_data(dA, delays, wl)
    rec = Recorder(view)
    view.set_state({"delay": 9.0})
    assert view.delay == 10.0
    updates = [m["state"] for m, _ in rec.messages if m["method"] == "update"]
    assert {"delay": 10.0} in updates


def test_crossings_nan_travels_as_null() -> None:
    view = TAView()
    view.crossings = [2.31, float("nan"), None, float("inf")]
    assert view.crossings == [2.31, None, None, None]
    assert json.dumps(view.get_state("crossings"), allow_nan=False)  # strict JSON


def test_cursor_values_must_be_finite() -> None:
    dA, delays, wl = small()
    view = TAView()
    view.set_data(dA, delays, wl)
    view.delay, view.wavelength = 2.0, 620.0
    for name in ("delay", "wavelength"):
        for bad in (float("nan"), float("inf")):
            with pytest.raises(traitlets.TraitError, match=f"{name} must be finite"):
                setattr(view, name, bad)
    assert (view.delay, view.wavelength) == (2.0, 620.0)
