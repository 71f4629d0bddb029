"""Shared fixtures and tier markers (by folder: core, widgets, ui, notebooks)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

# Loaded CI machines (2 cores) make wall-clock deadlines flaky; correctness is what we test.
settings.register_profile(
    "qd", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("qd")

_TIERS = {"widgets": "widgets", "ui": "ui", "notebooks": "notebooks"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = _TIERS.get(Path(str(item.fspath)).parent.name)
        if tier:
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real measurements in ../shared/data (they must be there: CI clones beside them)."""
    if not SHARED_DATA.is_dir():
        raise RuntimeError(f"real test data not found at {SHARED_DATA}; clone next to shared/")
    return SHARED_DATA
