"""The Voilà dashboard (``qdwidgets demo --voila``) serves teaching.ipynb and it renders.

Voilà runs as a subprocess with the command line and environment the CLI builds (qdwidgets'
template: no CDN link), on a free loopback port, serving
a clean copy of ``notebooks/teaching.ipynb`` from a temporary folder; Debian's chromium (the
session's ``chromium`` fixture) opens it. The test moves the ⟨N⟩ slider with the keyboard and
reads the new readout, which only the kernel can write. Teardown stops Voilà's process group and
the kernels it started (they run in sessions of their own), by their process ids.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from _lab import free_port, stop_process_group

from qdwidgets import cli

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0  # s for Voilà to listen
RENDER_TIMEOUT = 180.0  # s for the notebook to execute and the lesson to render (loaded machine)

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


@dataclass
class Voila:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, n: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        return ""


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Voilà's kernels run in sessions of their own)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _stop(server: Voila) -> None:
    kernels = _children(server.proc.pid)
    stop_process_group(server.proc)
    for pid in kernels:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Voila]:
    base = tmp_path_factory.mktemp("voila")
    folder, home = base / "notebooks", base / "home"
    folder.mkdir()
    home.mkdir()
    nb = nbformat.read(str(ROOT / "notebooks" / cli.TEACHING), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, str(folder / cli.TEACHING))
    port = free_port()
    env = {
        **cli.voila_env(),
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    log = base / "voila.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cli.voila_command(folder, port, open_browser=False),
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Voila(f"http://127.0.0.1:{port}/", proc, log)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:  # wait until it listens (a GET would start a kernel)
            if proc.poll() is not None:
                raise RuntimeError(f"Voilà exited with {proc.returncode}:\n{server.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"Voilà did not listen within {START_TIMEOUT} s")
            time.sleep(0.2)
        yield server
    finally:
        _stop(server)


def _readout(page: Any) -> str:
    return str(page.locator(".qd-lesson-readout").inner_text()).strip()


def test_voila_dashboard_renders_and_the_slider_reaches_the_kernel(
    voila: Voila, chromium: Any
) -> None:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    # the dashboard must work offline: any request beyond this machine (Voilà's lab template
    # links Font Awesome from a CDN; qdwidgets' template drops those links) fails the test
    outside: list[str] = []

    def only_loopback(route: Any) -> None:
        url = urllib.parse.urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.hostname in LOOPBACK or url.netloc in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    try:
        page.goto(voila.url, timeout=RENDER_TIMEOUT * 1000)
        lesson = page.locator(".qd-lesson")
        try:
            lesson.wait_for(state="visible", timeout=RENDER_TIMEOUT * 1000)
            page.locator(".qd-lesson-readout").get_by_text("⟨N⟩ = 1.00").wait_for(timeout=30_000)
        except Exception:
            raise AssertionError(
                f"the lesson did not render; console errors: {errors[-5:]}\n"
                f"Voilà log:\n{voila.log_tail()}"
            ) from None
        # the story is on the page, the code is not
        assert page.get_by_role("heading", name="Optical gain in quantum dots").count() == 1
        assert "import matplotlib" not in page.content()
        # the four panels drew
        assert lesson.locator(".bqplot").count() == 4
        assert lesson.locator(".bqplot .curve").count() >= 10  # the Lines marks
        assert lesson.locator(".bqplot .bargroup").count() == 9  # P(n), n = 0..8
        before = _readout(page)
        assert before.startswith("⟨N⟩ = 1.00:") and "no gain at 639 nm" in before

        # move ⟨N⟩ with the keyboard: 10 steps of 0.05 → 1.50
        handle = lesson.locator(".qd-lesson-n .noUi-handle")
        handle.focus()
        for _ in range(10):
            handle.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('.qd-lesson-readout').innerText.includes('⟨N⟩ = 1.50')",
            timeout=30_000,
        )
        after = _readout(page)
        assert "44 % of dots hold two or more excitons" in after
        assert "mean 1S filling 1.22 > 1 → gain at 639 nm for" in after
        # the rest of the lesson rendered too: the ThresholdFitter with its readout
        page.locator(".qd-threshold-mW").first.wait_for(timeout=60_000)
        assert outside == [], f"requests beyond the machine: {outside}"
        assert errors == [], f"browser console errors: {errors}"
    finally:
        context.close()
