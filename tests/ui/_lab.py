"""JupyterLab server and chromium for the browser tier (used by ``conftest.py`` and ``docs/``).

``start_lab(folder)`` runs a JupyterLab subprocess (free loopback port, token, own HOME and
settings, notifications silenced, ``start_new_session``) and stops it (kernels deleted through
the REST API, then ``killpg``); ``launch_chromium()`` starts Debian's headless chromium through
playwright with the flags of ``../shared/BROWSER-TESTS.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("QD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60.0  # s; about 2 s on an idle machine
KERNEL_READY_TIMEOUT = 60.0  # s: kernel start + ``import qdwidgets`` on a loaded 2-core machine
DEFAULT_RUN_TIMEOUT = 90.0  # s for run-all of one notebook
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --------------------------------------------------------------------------------------------
# JupyterLab server
# --------------------------------------------------------------------------------------------
@dataclass
class Lab:
    """A running JupyterLab server: base ``url`` (ends with '/'), ``token``, server ``root``."""

    url: str
    token: str
    root: Path
    proc: subprocess.Popen[bytes] = field(repr=False)
    log: Path = field(repr=False)

    def api(self, method: str, path: str, timeout: float = 10.0) -> Any:
        """Call the server's REST API (``path`` like ``api/kernels``); parsed JSON or None."""
        req = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def log_tail(self, n: int = 40) -> str:
        """The last ``n`` lines of the server log (for failure messages)."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process_group(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM the process group of ``proc``, then SIGKILL it if it lingers past 15 s."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=15)


def _silence_notifications(settings_dir: Path) -> None:
    target = settings_dir / "@jupyterlab" / "apputils-extension"
    target.mkdir(parents=True, exist_ok=True)
    (target / "notification.jupyterlab-settings").write_text(
        json.dumps({"checkForUpdates": False, "fetchNews": "false"})
    )


def _stop_server(lab: Lab) -> None:
    with contextlib.suppress(Exception):
        for kernel in lab.api("GET", "api/kernels") or []:
            with contextlib.suppress(Exception):
                lab.api("DELETE", f"api/kernels/{kernel['id']}")
    stop_process_group(lab.proc)


@contextlib.contextmanager
def start_lab(base: Path) -> Iterator[Lab]:
    """Start JupyterLab with its root, HOME and settings under ``base``; stop it on exit."""
    root, home, settings, log = base / "root", base / "home", base / "settings", base / "lab.log"
    for d in (root, home, settings):
        d.mkdir(parents=True, exist_ok=True)
    _silence_notifications(settings)
    token, port = secrets.token_hex(16), free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
        # the kernel imports this checkout's qdwidgets even if it is not installed
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Lab(f"http://127.0.0.1:{port}/", token, root, proc, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            server.api("GET", "api/status", timeout=2.0)
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            if time.monotonic() > deadline:
                _stop_server(server)
                raise RuntimeError(
                    f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n"
                    f"{server.log_tail()}"
                ) from None
            time.sleep(0.2)
    try:
        yield server
    finally:
        _stop_server(server)


# --------------------------------------------------------------------------------------------
# Browser
# --------------------------------------------------------------------------------------------
@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Debian's headless chromium through playwright (no browser download: none is possible)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's chromium (`apt-get install -y chromium`) "
            "or set QD_CHROMIUM to a chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
