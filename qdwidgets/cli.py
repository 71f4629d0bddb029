"""The ``qdwidgets`` command: ``qdwidgets demo`` opens JupyterLab on the tour notebook;
``qdwidgets demo --voila`` serves the teaching notebook as a Voilà dashboard (the ``voila``
extra) from the same folder; ``qdwidgets triage PATH...`` summarises many files (see
``qdwidgets._triage_cli``).

Where the notebooks come from (``demo``):

1. ``--dir DIR`` given: JupyterLab opens in DIR. If DIR has no ``tour.ipynb``, the notebooks are
   copied into it first (from the source checkout, else from the copy bundled in the package);
   files already in DIR are never overwritten.
2. No ``--dir``, running from a source checkout (``notebooks/tour.ipynb`` next to the package):
   JupyterLab opens in that ``notebooks/`` folder, so edits land in the repository.
3. Otherwise (an installed wheel): the bundled notebooks are copied to ``./qdwidgets-notebooks``
   (created if missing, existing files kept) and JupyterLab opens there.

The command stays thin: it finds a folder and starts ``python -m jupyterlab`` with this Python.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_NOTEBOOKS = PACKAGE_DIR.parent / "notebooks"
BUNDLED_NOTEBOOKS = PACKAGE_DIR / "_notebooks"
DEFAULT_WORK_DIR = "qdwidgets-notebooks"
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

    Existing files in ``dest`` are kept; returns the files copied.
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
    """The folder JupyterLab opens in (see the module docstring for the rules)."""
    if directory is None:
        if (CHECKOUT_NOTEBOOKS / TOUR).is_file():
            return CHECKOUT_NOTEBOOKS
        directory = DEFAULT_WORK_DIR
    dest = Path(directory).expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        raise CLIError(f"--dir {directory}: exists and is not a folder; give a folder path")
    if not (dest / TOUR).is_file():
        copied = copy_notebooks(notebook_source(), dest)
        print(f"qdwidgets: copied {len(copied)} files into {dest}", file=sys.stderr)
    return dest


def demo_command(folder: Path, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The JupyterLab command line that opens ``folder/tour.ipynb``."""
    cmd = [sys.executable, "-m", "jupyterlab", TOUR, f"--ServerApp.root_dir={folder}"]
    if port is not None:
        cmd += [f"--port={port}", "--port-retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses to start as root otherwise
    return cmd


def voila_command(folder: Path, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The Voilà command line serving ``folder/teaching.ipynb`` as a dashboard on loopback."""
    cmd = [sys.executable, "-m", "voila", str(folder / TEACHING), "--Voila.ip=127.0.0.1"]
    if port is not None:
        cmd += [f"--port={port}", "--Voila.port_retries=0"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def _voila(args: argparse.Namespace) -> int:
    """``demo --voila``: serve the teaching notebook with Voilà (the ``voila`` extra)."""
    if args.dir is None and (CHECKOUT_NOTEBOOKS / TEACHING).is_file():
        folder = CHECKOUT_NOTEBOOKS
    else:
        folder = demo_folder(args.dir)
    if not (folder / TEACHING).is_file():
        raise CLIError(
            f"no {TEACHING} in {folder}; remove --dir, or copy {TEACHING} from the qdwidgets "
            "notebooks into that folder"
        )
    if importlib.util.find_spec("voila") is None:
        raise CLIError("Voilà is not installed; install it with: pip install 'qdwidgets[voila]'")
    cmd = voila_command(folder, args.port, open_browser=not args.no_browser)
    print(f"qdwidgets: serving {folder / TEACHING} with Voilà", file=sys.stderr)
    try:
        return subprocess.call(cmd, cwd=folder)
    except KeyboardInterrupt:
        return 130


def _demo(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 < args.port < 65536:
        raise CLIError(f"--port {args.port}: give a TCP port between 1 and 65535")
    if args.voila:
        return _voila(args)
    folder = demo_folder(args.dir)
    cmd = demo_command(folder, args.port, open_browser=not args.no_browser)
    print(f"qdwidgets: opening JupyterLab on {folder / TOUR}", file=sys.stderr)
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
        "--dir", help=f"work folder (default: the checkout's notebooks/ or ./{DEFAULT_WORK_DIR})"
    )
    demo.add_argument(
        "--port", type=int, help="port for JupyterLab (default: 8888 or the next free)"
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
