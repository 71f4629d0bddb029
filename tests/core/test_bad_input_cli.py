"""Bad input to ``qdwidgets triage`` and its summary (issue 12: "the command line", "wrong
summaries", "hangs"): folders below dot-folders, ../ paths, nothing found, FIFOs, spreadsheet
formulas in file names, a closed pipe, reader options, flags that agree with the numbers."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from qdwidgets.batch import find_sources, triage
from qdwidgets.cli import main
from qdwidgets.core.summary import summarize

FAST = ["--no-progress", "--workers", "1"]


@pytest.fixture(scope="module")
def hidden_runs(tmp_path_factory, shared_data: Path) -> Path:
    """Copies of the real, chirped Hippius file (ΔA in mOD) in a folder under '.hidden/'."""
    runs = tmp_path_factory.mktemp("home") / ".hidden" / "runs"
    (runs / "day2").mkdir(parents=True)
    (runs / ".backup").mkdir()
    source = shared_data / "hippius2007_ta.ascii"
    for target in (runs / "a.ascii", runs / "day2" / "b.ascii", runs / ".backup" / "old.ascii"):
        shutil.copy(source, target)
    return runs


def test_triage_below_a_dot_folder_with_signal_unit_lists_every_file(hidden_runs, capsys):
    """Done-when of issue 12, on the real file: every measurement file is listed, the hidden
    folder inside is skipped, and the flags agree with the numbers."""
    status = main(["triage", str(hidden_runs), "--signal-unit", "mOD", "--json", *FAST])
    rows = json.loads(capsys.readouterr().out)
    assert status == 0
    assert sorted(Path(r["source"]).name for r in rows) == ["a.ascii", "b.ascii"]
    for row in rows:
        s = row["summary"]
        assert row["ok"], row["error"]
        assert s["delay_range_ps"][0] < 0 < s["time_zero_ps"]  # baseline before time zero
        assert s["n_pre_time_zero"] == sum(1 for _ in range(s["n_pre_time_zero"])) > 0
        assert "no pre-time-zero data" not in s["flags"]
        assert s["noise_OD"] is not None and s["noise_OD"] > 0
        assert ("no time zero" in s["flags"]) == (s["time_zero_ps"] is None)
        assert ("missing A0" in s["flags"]) and all("gain" not in lv for lv in s["levels"])


def test_the_signal_unit_reaches_the_reader(hidden_runs, capsys):
    noise = {}
    for unit in ("mOD", "OD"):
        cmd = ["triage", str(hidden_runs / "a.ascii"), "--signal-unit", unit, "--json", *FAST]
        assert main(cmd) == 0
        (row,) = json.loads(capsys.readouterr().out)
        noise[unit] = row["summary"]["noise_OD"]
    assert noise["OD"] == pytest.approx(1000 * noise["mOD"], rel=1e-9)
    bad = ["triage", str(hidden_runs / "a.ascii"), "--signal-unit", "parsec", "--json", *FAST]
    assert main(bad) == 1
    assert "signal_unit='parsec' is not a known unit" in capsys.readouterr().out


def test_relative_parent_paths_work(hidden_runs, monkeypatch):
    monkeypatch.chdir(hidden_runs / "day2")
    assert [Path(str(p)).name for p in find_sources("..")] == ["a.ascii", "b.ascii"]
    assert [Path(str(p)).name for p in find_sources("../.backup")] == ["old.ascii"]


def test_nothing_found_says_where_and_what_and_exits_2(tmp_path, capsys):
    (tmp_path / ".hidden.csv").write_text("1,2\n3,4\n")
    (tmp_path / "notes.md").write_text("x")
    assert main(["triage", str(tmp_path), *FAST]) == 2
    err = capsys.readouterr().err
    assert f"no measurement files found under {tmp_path}" in err
    assert "*.csv" in err and "looked for" in err


def test_fifos_and_devices_are_error_rows_never_opened(tmp_path, capsys):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "stream.csv")  # opening it for reading would block forever
    frame = triage([tmp_path, "/dev/zero"], progress=False, scheduler="sync")
    errors = dict(zip(frame["source"].map(lambda s: Path(s).name), frame["error"], strict=True))
    assert "named pipe (FIFO)" in errors["stream.csv"]
    assert "character device" in errors["zero"]
    assert not frame["ok"].any()


def test_csv_cells_never_start_a_formula(tmp_path, capsys, monkeypatch):
    name = "=HYPERLINK(1).csv"
    (tmp_path / name).write_text("not,a\nmatrix\n")
    (tmp_path / "@SUM(A1).csv").write_text("x\n")
    monkeypatch.chdir(tmp_path)  # sources are then the bare file names
    assert main(["triage", ".", "--csv", *FAST]) == 1
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    for row in rows[1:]:
        for cell in row:
            assert cell[:1] not in ("=", "+", "@"), row
    assert [row[0] for row in rows[1:]] == ["'" + name, "'@SUM(A1).csv"]


def test_a_closed_pipe_ends_quietly(hidden_runs, tmp_path):
    for i in range(6):  # ~16 kB of JSON each: more than a 64 kB pipe buffer
        shutil.copy(hidden_runs / "a.ascii", tmp_path / f"run{i}.ascii")
    cmd = [sys.executable, "-m", "qdwidgets.cli", "triage", str(tmp_path), "--json"]
    with subprocess.Popen(
        [*cmd, "--signal-unit", "mOD", *FAST], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.read(10)
        proc.stdout.close()  # like `| head -c 10`
        err = proc.stderr.read().decode()
        proc.wait(timeout=300)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 0


def test_misspelt_reader_options_are_refused_not_dropped(tmp_path):
    with pytest.raises(TypeError, match="did you mean 'signal_unit'"):
        triage([tmp_path], progress=False, signal_units="mOD")
    with pytest.raises(ValueError, match="workers"):
        triage([tmp_path], progress=False, workers=0)
    with pytest.raises(ValueError, match="pattern must be a glob"):
        triage([tmp_path], progress=False, pattern="")
    with pytest.raises(ValueError, match="did you mean 'threads'"):
        triage([tmp_path], progress=False, scheduler="thread")


# -- summary flags agree with the numbers ---------------------------------------------------------


def _gain_from_the_first_delay() -> xr.Dataset:
    """A_ex < 0 at the band edge from the first delay on (the pump arrived before it)."""
    delay = np.linspace(0.5, 50.0, 60)
    wl = np.linspace(580.0, 700.0, 61)
    edge = np.exp(-(((wl - 640.0) / 12.0) ** 2))
    rng = np.random.default_rng(3)
    decay = np.exp(-delay / 30.0)[:, None]
    da = -0.5 * edge[None, :] * decay + rng.normal(0.0, 1e-4, (delay.size, wl.size))
    return xr.Dataset(
        {
            "dA": (("delay", "wavelength"), da, {"units": "OD"}),
            "A0": ("wavelength", 0.2 * edge + 0.01, {"units": "OD"}),
        },
        coords={
            "delay": ("delay", delay, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )


def test_gain_already_at_the_first_delay_counts_as_gain() -> None:
    s = summarize(_gain_from_the_first_delay())
    (level,) = s["levels"]
    assert level["a_ex_first_OD"] < 0
    assert level["gain"] is True
    assert "no gain" not in s["flags"]
    # no delay before time zero: the flag says so, and the numbers agree
    assert s["n_pre_time_zero"] == 0
    assert "no pre-time-zero data" in s["flags"] and s["noise_OD"] is None


def test_sources_that_are_not_paths_become_error_rows_or_a_clear_type_error() -> None:
    frame = triage([5, "a\x00b.csv"], progress=False, scheduler="sync")
    assert not frame["ok"].any()
    assert all(err.startswith("DatasetError") and "Fix:" in err for err in frame["error"])
    with pytest.raises(TypeError, match="sources must be a path"):
        triage(None, progress=False)  # type: ignore[arg-type]
