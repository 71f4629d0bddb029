"""The triage summary carries the kinetics fits' status, and its flags agree with it."""

from __future__ import annotations

import qdwidgets
from qdwidgets.core.summary import summarize


def test_kinetics_warnings_reach_the_flags() -> None:
    for ds in (qdwidgets.examples.ta(), qdwidgets.examples.hippius()):
        out = summarize(ds)
        levels = out["levels"]
        assert all("kinetics_warnings" in lv and "kinetics_converged" in lv for lv in levels)
        doubtful = [f for f in out["flags"] if f.startswith("kinetics doubtful")]
        should = [lv for lv in levels if lv["kinetics_warnings"] or not lv["kinetics_converged"]]
        assert len(doubtful) == len(should)


def test_a_degenerate_fit_is_not_reported_as_fitted() -> None:
    """Hippius with three components at its band edge: two lifetimes collapse (≈ 70 ps)."""
    out = summarize(qdwidgets.examples.hippius())
    assert any("within 10%" in f for f in out["flags"])
    assert any("do not determine" in w for w in out["levels"][0]["kinetics_warnings"])
