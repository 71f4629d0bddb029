"""The ``qdwidgets`` command: ``qdwidgets demo`` opens JupyterLab on the tour notebook;
``qdwidgets demo --voila`` serves the teaching notebook as a Voilà dashboard (the ``voila``
extra) from the same folder; ``qdwidgets triage PATH...`` summarises many files (see
``qdwidgets._triage_cli``).

``demo`` always serves a work copy of the notebooks, never the files of a source checkout
(JupyterLab's autosave would write into them):

1. ``--dir DIR`` given: the notebooks (from the source checkout, else from the copy bundled in
   the package) are copied into DIR; files already in DIR are kept, never overwritten.
2. No ``--dir``: the same, into ``./qdwidgets-notebooks``.

JupyterLab starts on loopback with a token of its own; the command prints the tour's address
(``http://127.0.0.1:PORT/lab/tree/tour.ipynb?token=...``) and the browser opens it. Voilà uses
qdwidgets' template (``qdwidgets/_voila``): the lab template without its Font Awesome links to
a CDN, so a dashboard makes no request beyond the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_NOTEBOOKS = PACKAGE_DIR.parent / "notebooks"
BUNDLED_NOTEBOOKS = PACKAGE_DIR / "_notebooks"
VOILA_TEMPLATES = PACKAGE_DIR / "_voila"  # a Jupyter data dir: voila/templates/qdwidgets
VOILA_TEMPLATE = "qdwidgets"
DEFAULT_WORK_DIR = "qdwidgets-notebooks"
DEFAULT_PORT = 8888
TOUR = "tour.ipynb"
TEACHING = "teaching.ipynb"


class CLIError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 2."""


def notebook_source() -> Path:
    """The folder holding the shipped notebooks: the checkout's ``notebooks/``, else the bundle."""
    for folder in (CHECKOUT_NOTEBOOKS, BUNDLED_NOTEBOOKS):
        if (folder / TOUR).is_file():
            return folder
    raise CLIError(
        f"no {TOUR} found in {CHECKOUT_NOTEBOOKS} or {BUNDLED_NOTEBOOKS}; "
        "run from a qdwidgets checkout or reinstall the package"
    )


def copy_notebooks(src: Path, dest: Path) -> list[Path]:
    """Copy the notebooks (and data files beside them) from ``src`` into ``dest``.

    Existing files in ``dest`` are kept; hidden files and ``__pycache__`` are skipped; returns
    the files copied.
    """
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_dir() or any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            continue
        target = dest / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copied.append(target)
    return copied


def demo_folder(directory: str | None) -> Path:
    """The work folder JupyterLab (or Voilà) serves: ``directory`` or ./qdwidgets-notebooks,
    with the shipped notebooks copied into it (existing files kept)."""
    given = directory if directory is not None else DEFAULT_WORK_DIR
    dest = Path(given).expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        raise CLIError(f"--dir {given}: exists and is not a folder; give a folder path")
    src = notebook_source()
    if dest == src.resolve() or src.resolve() in dest.parents:
        raise CLIError(
            f"--dir {given}: that is the notebooks' source folder {src}; give another folder "
            "(the demo works on a copy, so that the originals stay as shipped)"
        )
    try:
        copied = copy_notebooks(src, dest)
    except OSError as exc:
        raise CLIError(
            f"--dir {given}: cannot create or write it ({exc.strerror or exc}); give a folder "
            "you can write to"
        ) from None
    if copied:
        print(f"qdwidgets: copied {len(copied)} files into {dest}", file=sys.stderr)
    return dest


def free_port(start: int = DEFAULT_PORT, tries: int = 20) -> int:
    """The first free loopback port from ``start`` on (else one the system picks)."""
    for port in [*range(start, start + tries), 0]:
        with socket.socket() as sock, contextlib.suppress(OSError):
            sock.bind(("127.0.0.1", port))
            return int(sock.getsockname()[1])
    raise CLIError("no free TCP port on 127.0.0.1; close a server or pass --port")


def tour_url(port: int, token: str) -> str:
    """The address of the tour notebook in JupyterLab."""
    return f"http://127.0.0.1:{port}/lab/tree/{TOUR}?token={token}"


def demo_command(
    folder: Path, port: int | None = None, open_browser: bool = True, token: str | None = None
) -> list[str]:
    """The JupyterLab command line that serves ``folder`` and opens ``tour.ipynb`` in it."""
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        "--ServerApp.ip=127.0.0.1",
        f"--LabApp.default_url=/lab/tree/{TOUR}",
    ]
    if port is not None:
        cmd += [f"--port={port}", "--port-retries=0"]
    if token is not None:
        cmd.append(f"--IdentityProvider.token={token}")
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root otherwise
    return cmd


def voila_command(folder: Path, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The Voilà command line serving ``folder/teaching.ipynb`` as a dashboard on loopback, with
    qdwidgets' template (run it with :func:`voila_env`)."""
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(folder / TEACHING),
        "--Voila.ip=127.0.0.1",
        f"--template={VOILA_TEMPLATE}",
    ]
    if port is not None:
        cmd += [f"--port={port}", "--Voila.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def voila_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) with qdwidgets' Voilà template on ``JUPYTER_PATH``."""
    env = dict(os.environ if base is None else base)
    paths = [str(VOILA_TEMPLATES), env.get("JUPYTER_PATH", "")]
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p)
    return env


def _voila(args: argparse.Namespace) -> int:
    """``demo --voila``: serve the teaching notebook with Voilà (the ``voila`` extra)."""
    folder = demo_folder(args.dir)
    if not (folder / TEACHING).is_file():
        raise CLIError(
            f"no {TEACHING} in {folder}; copy {TEACHING} from the qdwidgets notebooks into "
            "that folder, or give another --dir"
        )
    if importlib.util.find_spec("voila") is None:
        raise CLIError("Voilà is not installed; install it with: pip install 'qdwidgets[voila]'")
    cmd = voila_command(folder, args.port, open_browser=not args.no_browser)
    print(f"qdwidgets: serving {folder / TEACHING} with Voilà", file=sys.stderr)
    try:
        return subprocess.call(cmd, cwd=folder, env=voila_env())
    except KeyboardInterrupt:
        return 130


def _demo(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 < args.port < 65536:
        raise CLIError(f"--port {args.port}: give a TCP port between 1 and 65535")
    if args.voila:
        return _voila(args)
    folder = demo_folder(args.dir)
    port = args.port if args.port is not None else free_port()
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    cmd = demo_command(folder, port, open_browser=not args.no_browser, token=token)
    print(f"qdwidgets: JupyterLab serves {folder}; the tour is at", file=sys.stderr)
    print(tour_url(port, token), flush=True)
    try:
        return subprocess.call(cmd, cwd=folder)
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="qdwidgets", description="Jupyter widgets for quantum-dot optical-gain data."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    demo = sub.add_parser("demo", help="open JupyterLab on the tour notebook")
    demo.add_argument(
        "--dir",
        help=f"work folder; the notebooks are copied into it (default: ./{DEFAULT_WORK_DIR})",
    )
    demo.add_argument(
        "--port", type=int, help="port for JupyterLab (default: 8888 or the next free one)"
    )
    demo.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    demo.add_argument(
        "--voila",
        action="store_true",
        help=f"serve {TEACHING} as a Voilà dashboard instead (needs the 'voila' extra)",
    )
    demo.set_defaults(func=_demo)
    from ._triage_cli import add_parser as add_triage

    add_triage(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qdwidgets`` command; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CLIError as exc:
        print(f"qdwidgets {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
