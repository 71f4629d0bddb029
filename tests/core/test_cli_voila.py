"""``qdwidgets demo --voila``: the Voilà command line, the folder it serves, its errors."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from qdwidgets import cli


def _folder(path: Path, *names: str) -> Path:
    path.mkdir(parents=True)
    for name in names:
        nbformat.write(nbformat.v4.new_notebook(), str(path / name))
    return path


def test_voila_command_line(tmp_path: Path) -> None:
    cmd = cli.voila_command(tmp_path, port=9999, open_browser=False)
    assert cmd == [
        sys.executable,
        "-m",
        "voila",
        str(tmp_path / "teaching.ipynb"),
        "--Voila.ip=127.0.0.1",
        "--template=qdwidgets",
        "--port=9999",
        "--Voila.port_retries=0",
        "--no-browser",
    ]
    assert "--port=9999" not in cli.voila_command(tmp_path)
    assert "--no-browser" not in cli.voila_command(tmp_path)


def test_voila_itself_reads_the_options() -> None:
    """Voilà's own option parser gets loopback, the port, no retries and no browser."""
    from voila.app import Voila

    app = Voila()
    app.parse_command_line(cli.voila_command(Path("/nb"), port=8123, open_browser=False)[3:])
    assert (app.ip, app.port, app.port_retries, app.open_browser) == ("127.0.0.1", 8123, 0, False)
    assert app.extra_args == ["/nb/teaching.ipynb"]


def test_the_template_strips_the_font_awesome_cdn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Voilà finds qdwidgets' template through voila_env(), and it links nothing off-machine."""
    from voila.paths import collect_template_paths

    monkeypatch.setenv("JUPYTER_PATH", cli.voila_env({})["JUPYTER_PATH"])
    paths = collect_template_paths(["voila", "nbconvert"], cli.VOILA_TEMPLATE, prune=True)
    ours = Path(paths[0])
    assert ours == cli.VOILA_TEMPLATES / "voila" / "templates" / "qdwidgets"
    text = (ours / "index.html.j2").read_text()
    lab = next(Path(p) for p in paths if Path(p).name == "lab")
    for line in (lab / "index.html.j2").read_text().splitlines():
        if "cdn.jsdelivr.net" in line:  # every CDN link of the lab template is removed
            assert line.strip() in text, line


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def fake_call(cmd: list[str], **kwargs: Any) -> int:
        calls.append({"cmd": cmd, **kwargs})
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    return calls


def test_demo_voila_serves_a_work_copy_with_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launched: list[dict[str, Any]]
) -> None:
    checkout = _folder(tmp_path / "notebooks", "tour.ipynb", "teaching.ipynb")
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", checkout)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["demo", "--voila", "--port", "9999", "--no-browser"]) == 0
    (call,) = launched
    work = (tmp_path / cli.DEFAULT_WORK_DIR).resolve()
    assert call["cmd"] == cli.voila_command(work, 9999, open_browser=False)
    assert call["cwd"] == work and (work / "teaching.ipynb").is_file()
    assert str(cli.VOILA_TEMPLATES) in call["env"]["JUPYTER_PATH"].split(os.pathsep)


def test_demo_voila_with_a_work_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, launched: list[dict[str, Any]]
) -> None:
    bundled = _folder(tmp_path / "bundled", "tour.ipynb", "teaching.ipynb")
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", tmp_path / "missing")
    monkeypatch.setattr(cli, "BUNDLED_NOTEBOOKS", bundled)
    work = tmp_path / "work"
    assert cli.main(["demo", "--voila", "--dir", str(work)]) == 0
    assert (work / "teaching.ipynb").is_file()  # copied from the bundle
    assert launched[0]["cmd"] == cli.voila_command(work.resolve(), None, open_browser=True)


def test_demo_voila_errors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    launched: list[dict[str, Any]],
) -> None:
    old = _folder(tmp_path / "old", "tour.ipynb")  # shipped notebooks without the lesson
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", old)
    assert cli.main(["demo", "--voila", "--dir", str(tmp_path / "w")]) == 2
    assert "no teaching.ipynb in" in capsys.readouterr().err
    assert cli.main(["demo", "--voila", "--port", "0"]) == 2
    assert "between 1 and 65535" in capsys.readouterr().err

    checkout = _folder(tmp_path / "notebooks", "tour.ipynb", "teaching.ipynb")
    monkeypatch.setattr(cli, "CHECKOUT_NOTEBOOKS", checkout)
    monkeypatch.chdir(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "voila" else real(name, *a)
    )
    assert cli.main(["demo", "--voila"]) == 2
    assert "pip install 'qdwidgets[voila]'" in capsys.readouterr().err
    assert launched == []


def test_help_names_the_dashboard(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "--voila" in out and "teaching.ipynb" in out and "Voilà" in out
