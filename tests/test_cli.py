"""The ``qdwidgets`` command: folder rules, the JupyterLab command line, and a real launch."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from qdwidgets import cli


def _fake_notebooks(folder: Path) -> Path:
    folder.mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), str(folder / "tour.ipynb"))
    (folder / "data").mkdir()
    (folder / "data" / "extra.csv").write_text("1,2\n")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "tour-checkpoint.ipynb").write_text("{}")
    return folder


@pytest.fixture
def no_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Pretend to be an installed wheel: no checkout notebooks, a bundled copy."""
    bundled = _fake_notebooks(tmp_path / "bundled")
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", tmp_path / "missing")
    monkeypatch.setattr(cli, "BUNDLED_NOTEBOOKS", bundled)
    return bundled


def test_dir_gets_a_copy_without_hidden_files_and_keeps_user_files(
    tmp_path: Path, no_checkout: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "data").mkdir()
    (work / "data" / "extra.csv").write_text("mine\n")
    folder = cli.demo_folder(str(work))
    assert folder == work.resolve()
    assert (work / "tour.ipynb").is_file()
    assert (work / "data" / "extra.csv").read_text() == "mine\n"  # never overwritten
    assert not (work / ".ipynb_checkpoints").exists()


def test_default_folder_is_always_a_work_copy_never_the_checkout(
    tmp_path: Path, no_checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.demo_folder(None) == (tmp_path / cli.DEFAULT_WORK_DIR).resolve()
    assert (tmp_path / cli.DEFAULT_WORK_DIR / "tour.ipynb").is_file()
    checkout = _fake_notebooks(tmp_path / "checkout")
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", checkout)
    before = {p: p.stat().st_mtime_ns for p in checkout.rglob("*")}
    work = cli.demo_folder(None)
    assert work != checkout and checkout not in work.parents
    assert (work / "data" / "extra.csv").is_file()  # the checkout's files, copied
    assert {p: p.stat().st_mtime_ns for p in checkout.rglob("*")} == before
    with pytest.raises(cli.CLIError, match="source folder"):
        cli.demo_folder(str(checkout))  # the tracked files are never served


def test_missing_notebooks_and_bad_options_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", tmp_path / "a")
    monkeypatch.setattr(cli, "BUNDLED_NOTEBOOKS", tmp_path / "b")
    assert cli.main(["demo", "--dir", str(tmp_path / "w"), "--no-browser"]) == 2
    assert "no tour.ipynb found" in capsys.readouterr().err
    assert cli.main(["demo", "--voila"]) == 2
    assert "no tour.ipynb found" in capsys.readouterr().err  # --voila needs the notebooks too
    assert cli.main(["demo", "--port", "70000"]) == 2
    assert "between 1 and 65535" in capsys.readouterr().err
    (tmp_path / "file").write_text("")
    assert cli.main(["demo", "--dir", str(tmp_path / "file")]) == 2
    assert "not a folder" in capsys.readouterr().err
    monkeypatch.setattr(cli, "BUNDLED_NOTEBOOKS", _fake_notebooks(tmp_path / "b2"))
    assert cli.main(["demo", "--dir", str(tmp_path / "file" / "below"), "--no-browser"]) == 2
    assert "cannot create or write it" in capsys.readouterr().err  # no traceback
    with pytest.raises(SystemExit):
        cli.main([])


def test_demo_command_line_opens_the_tour(tmp_path: Path) -> None:
    cmd = cli.demo_command(tmp_path, port=9999, open_browser=False, token="t0k")
    assert cmd[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in cmd
    assert "--LabApp.default_url=/lab/tree/tour.ipynb" in cmd  # not the Launcher
    assert {"--port=9999", "--port-retries=0", "--no-browser"} <= set(cmd)
    assert {"--IdentityProvider.token=t0k", "--ServerApp.ip=127.0.0.1"} <= set(cmd)
    assert "--no-browser" not in cli.demo_command(tmp_path)
    assert cli.tour_url(9999, "t0k") == "http://127.0.0.1:9999/lab/tree/tour.ipynb?token=t0k"
    assert 0 < cli.free_port() < 65536


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_demo_serves_the_tour(tmp_path: Path) -> None:
    """``qdwidgets demo`` really starts JupyterLab on a work copy, and the address it prints
    opens the tour notebook (not the Launcher)."""
    work = tmp_path / "work"
    home = tmp_path / "home"
    home.mkdir()
    port, token = _free_port(), "qd-test-token"
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_TOKEN": token,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
        "JUPYTER_CONFIG_DIR": str(home / ".j"),
    }
    argv = ["demo", "--dir", str(work), "--port", str(port), "--no-browser"]
    code = f"import sys; from qdwidgets.cli import main; sys.exit(main({argv!r}))"
    with open(tmp_path / "log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}/api/contents/tour.ipynb?content=0"
        req = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "log").read_text()
            try:
                with urllib.request.urlopen(req, timeout=2) as resp:
                    model = json.loads(resp.read())
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert time.monotonic() < deadline, (tmp_path / "log").read_text()
                time.sleep(0.2)
        assert model["type"] == "notebook"
        assert model["path"] == "tour.ipynb"
        assert (work / "tour.ipynb").is_file() and (work / "paper.ipynb").is_file()  # a copy
        printed = (tmp_path / "log").read_text()
        url = f"http://127.0.0.1:{port}/lab/tree/tour.ipynb?token={token}"
        assert url in printed.splitlines()
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200 and resp.url.split("?")[0].endswith("/lab/tree/tour.ipynb")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_triage_subcommand_is_wired(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qdwidgets import _triage_cli

    args = cli.build_parser().parse_args(["triage", str(tmp_path), "--json"])
    assert args.func is _triage_cli.run
    assert cli.main(["triage", str(tmp_path), "--no-progress"]) == 2  # nothing matched
    assert "no measurement files found" in capsys.readouterr().err
