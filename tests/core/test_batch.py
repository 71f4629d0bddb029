"""qdwidgets.triage over a folder of simulated and corrupt files (dask, local and distributed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qdwidgets import save, triage
from qdwidgets.batch import COLUMNS, find_sources
from qdwidgets.data import simulate

WAVELENGTHS = np.linspace(560.0, 720.0, 61)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("measurements")
    (root / "day2").mkdir()
    truths = {}
    for i, pump in enumerate((30.0, 300.0)):
        ds, truth = simulate.ta(pump=(pump,), wavelength=WAVELENGTHS, seed=20 + i)
        name = f"ta_{int(pump)}nJ.nc"
        save(ds, root / name)
        truths[name] = truth
    ase, truth = simulate.ase(seed=22)
    save(ase, root / "day2" / "ase.nc")
    truths["ase.nc"] = truth
    (root / "garbage.nc").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 4)
    (root / "day2" / "truncated.csv").write_text("delay,600,610\n0.1,1e-3,2e-3\n0.2,1e-3\n")
    (root / ".hidden.nc").write_bytes(b"not looked at")
    (root / "notes.md").write_text("not a dataset")
    return root, truths


def _by_name(frame: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        src.rsplit("/", 1)[-1]: row
        for src, (_, row) in zip(frame["source"], frame.iterrows(), strict=True)
    }


def test_find_sources_is_recursive_sorted_and_skips_hidden(folder):
    root, _ = folder
    names = [s.rsplit("/", 1)[-1] for s in find_sources(root)]
    assert sorted(names) == sorted(
        ["ase.nc", "truncated.csv", "garbage.nc", "ta_30nJ.nc", "ta_300nJ.nc"]
    )
    assert find_sources(root, pattern="*.csv")[0].endswith("truncated.csv")


def test_one_row_per_file_with_errors_for_corrupt_files(folder):
    root, truths = folder
    frame = triage(root, progress=False, scheduler="sync")
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 5
    rows = _by_name(frame)
    for bad in ("garbage.nc", "truncated.csv"):
        assert not rows[bad]["ok"]
        assert rows[bad]["error"].startswith("DatasetError: ")
        assert "Fix" in rows[bad]["error"] or "fix" in rows[bad]["error"]
    low, high = rows["ta_30nJ.nc"], rows["ta_300nJ.nc"]
    assert low["ok"] and high["ok"]
    assert "no gain" in low["flags"] and low["gain"] == "0/1 levels"
    edge = high["summary"]["band_edge_nm"]
    want = truths["ta_300nJ.nc"].zero_crossing(edge)[0]
    assert high["first_crossing_ps"] == pytest.approx(want, abs=0.1)
    ase = rows["ase.nc"]["summary"]
    by = {c["feedback"]: c for c in ase["feedback"]}
    assert by["mirror"]["threshold_mW"] == pytest.approx(250.0, rel=0.05)


def test_missing_file_and_datasets_as_sources(folder):
    ds, _ = simulate.ta(pump=(300.0,), wavelength=WAVELENGTHS, seed=7)
    frame = triage([ds, "/nonexistent/file.nc"], progress=False, scheduler="sync")
    assert frame["ok"].tolist() == [True, False]
    assert "file.nc" in frame["error"][1]


def test_progress_callback_counts_every_file(folder):
    root, _ = folder
    seen: list[tuple[int, int]] = []
    triage(root, progress=lambda done, total: seen.append((done, total)), scheduler="sync")
    assert seen[0] == (0, 5) and seen[-1] == (5, 5) and len(seen) == 6


@pytest.mark.slow
def test_local_cluster_gives_the_same_table(folder):
    import dask
    import distributed

    root, _ = folder
    local = triage(root, progress=False, scheduler="processes")
    # a loaded 2-core CI machine can be slow to start worker processes: be patient
    patient = {"distributed.comm.timeouts.connect": "120s"}
    with (
        dask.config.set(patient),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            timeout="120s",
        ) as cluster,
        distributed.Client(cluster, timeout="120s") as client,
    ):
        remote = triage(root, client=client, progress=False)
    pd.testing.assert_frame_equal(local.drop(columns="summary"), remote.drop(columns="summary"))
    assert local["summary"].tolist() == remote["summary"].tolist()
