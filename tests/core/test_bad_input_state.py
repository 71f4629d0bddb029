"""Bad input to state restore (issue 12, "unsafe"): ``decode`` rebuilds only qdwidgets' own
result classes from an allow-list; a state naming anything else raises QDError and imports
nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdwidgets import examples
from qdwidgets.core.gain import gain_spectrum
from qdwidgets.errors import QDError
from qdwidgets.results import decode, result_class


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module on sys.path that would leave a file behind if it were ever imported."""
    flag = tmp_path / "imported.flag"
    (tmp_path / "qd_trap_module.py").write_text(
        f"open({str(flag)!r}, 'w').write('imported')\nclass Evil:\n    from_dict = print\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return flag


@pytest.mark.parametrize(
    "name",
    [
        "qd_trap_module:Evil",
        "os:system",
        "builtins:eval",
        "qdwidgets.errors:QDError",  # a qdwidgets name that is not a result class
        "qdwidgets.core.gain:np.lib",  # attribute walking out of a qdwidgets module
        "qdwidgets.qd_trap_module:Evil",
        "qdwidgets",
        "",
    ],
)
def test_a_state_naming_anything_else_is_refused_and_imports_nothing(trap: Path, name) -> None:
    state = {"__result__": name, "x": 1}
    with pytest.raises(QDError, match="not a qdwidgets result class"):
        decode(json.loads(json.dumps(state)))
    assert not trap.exists()
    assert "qd_trap_module" not in sys.modules
    assert "qdwidgets.qd_trap_module" not in sys.modules


@given(st.one_of(st.text(max_size=60), st.integers(), st.none(), st.lists(st.text(), max_size=2)))
def test_any_other_name_is_refused(name) -> None:
    if isinstance(name, str) and name.startswith("qdwidgets.") and ":" in name:
        try:
            cls = result_class(name)
        except QDError:
            return
        assert cls.__module__.startswith("qdwidgets.")
        return
    with pytest.raises(QDError):
        decode({"__result__": name})


def test_qdwidgets_results_still_round_trip() -> None:
    spec = gain_spectrum(examples.ta(), 5.0)
    data = json.loads(json.dumps(spec.to_dict()))
    back = decode(data)
    assert type(back) is type(spec)
    assert back == spec


def test_object_arrays_in_a_state_are_refused() -> None:
    with pytest.raises(QDError, match="not plain data"):
        decode({"__ndarray__": [1, 2], "dtype": "object"})
    np.testing.assert_array_equal(decode({"__ndarray__": [1, 2], "dtype": "int64"}), [1, 2])


_JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["__result__", "__dataarray__", "__ndarray__", "dtype", "x", "tau"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=12,
)


@given(_JSON)
def test_any_json_state_decodes_or_raises_qderror(state) -> None:
    try:
        decode(state)
    except QDError as exc:
        assert "Fix:" in str(exc) or "refused" in str(exc)


def test_a_damaged_result_state_is_a_qderror() -> None:
    data = gain_spectrum(examples.ta(), 5.0).to_dict()
    del data["bands"]
    with pytest.raises(QDError, match="cannot be restored"):
        decode(data)
