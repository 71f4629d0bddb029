"""``qdwidgets triage``: text, JSON and CSV output, exit status 0 or 1."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from qdwidgets import save
from qdwidgets.cli import main
from qdwidgets.data import simulate


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    ds, _ = simulate.ta(pump=(300.0,), wavelength=np.linspace(560.0, 720.0, 41), seed=1)
    save(ds, root / "good.nc")
    save(simulate.ase(seed=2)[0], root / "ase.nc")
    return root


def test_json_layout_and_success(folder, capsys):
    assert main(["triage", str(folder), "--json", "--no-progress", "--workers", "1"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["source"].rsplit("/", 1)[-1] for r in rows} == {"good.nc", "ase.nc"}
    for row in rows:
        assert set(row) == {"source", "ok", "error", "summary"}
        assert row["ok"] and row["error"] == ""
        assert row["summary"]["kind"] in ("ta", "ase")


def test_failure_gives_status_1_and_keeps_rows(folder, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1\n")
    status = main(["triage", str(folder / "good.nc"), str(bad), "--csv", "--no-progress"])
    assert status == 1
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["ok"] for r in rows] == ["True", "False"]
    assert rows[1]["error"].startswith("DatasetError")


def test_text_table_and_bad_workers(folder, capsys):
    assert main(["triage", str(folder / "good.nc"), "--no-progress", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "good.nc" in out and "1/1 levels" in out
    assert main(["triage", str(folder), "--workers", "0"]) == 2


def test_console_script_runs(folder):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "qdwidgets.cli",
            "triage",
            str(folder / "good.nc"),
            "--json",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["ok"] is True
