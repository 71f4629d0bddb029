"""The Result base: to_dict/from_dict round trips, equality, and readable reprs."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError, dataclass

import numpy as np
import pytest
import xarray as xr

from qdwidgets.results import Result, allow, decode, encode


@allow  # defined outside qdwidgets: decode rebuilds it only because the program opts in
@dataclass(frozen=True, repr=False, eq=False)
class Inner(Result):
    tau: float
    label: str


@allow
@dataclass(frozen=True, repr=False, eq=False)
class Outer(Result):
    taus: tuple[float, ...]
    trace: xr.DataArray
    table: xr.Dataset
    inner: Inner
    parts: tuple[Inner, ...]
    missing: float
    extra: dict


def _outer() -> Outer:
    delay = xr.DataArray([0.0, 1.5, 3.0], dims="delay", attrs={"units": "ps", "long_name": "delay"})
    trace = xr.DataArray(
        [0.1, -0.2, float("nan")],
        dims="delay",
        coords={"delay": delay},
        name="A_ex",
        attrs={"units": "OD", "long_name": "A_ex"},
    )
    return Outer(
        taus=(14.0, 615.0, 3374.0),
        trace=trace,
        table=trace.to_dataset(),
        inner=Inner(2.5, "X"),
        parts=(Inner(1.0, "a"), Inner(2.0, "b")),
        missing=float("nan"),
        extra={"profile": "tophat", "n": 3},
    )


def test_round_trip_through_json_is_equal():
    original = _outer()
    text = json.dumps(original.to_dict())
    rebuilt = Outer.from_dict(json.loads(text))
    assert rebuilt == original
    assert rebuilt.trace.identical(original.trace)
    assert isinstance(rebuilt.parts[0], Inner) and rebuilt.parts[1].label == "b"
    assert math.isnan(rebuilt.missing)


def test_nested_result_decodes_to_its_own_class():
    data = encode(Inner(3.0, "z"))
    assert data["__result__"].endswith(":Inner")
    assert decode(data) == Inner(3.0, "z")


def test_inequality_is_detected():
    a = _outer()
    b = Outer.from_dict({**a.to_dict(), "taus": [14.0, 615.0, 3000.0]})
    assert a != b
    assert Inner(1.0, "a") != Inner(1.0, "b")


def test_numpy_values_become_plain():
    data = encode({"x": np.float32(1.5), "a": np.arange(3)})
    assert data["x"] == 1.5 and isinstance(data["x"], float)
    back = decode(data)
    np.testing.assert_array_equal(back["a"], np.arange(3))


def test_frozen_and_readable():
    r = Inner(14.0, "trapping")
    with pytest.raises(FrozenInstanceError):
        r.tau = 1.0  # type: ignore[misc]
    assert "tau: 14" in repr(r) and "trapping" in repr(r)
    html = _outer()._repr_html_()
    assert "<table>" in html and "delay: 3" in html
