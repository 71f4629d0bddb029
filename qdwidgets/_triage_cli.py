"""``qdwidgets triage PATH... [--json | --csv] [--workers N] [--pattern GLOB] [reader options]``.

Prints one row per dataset (a text table by default). Exit status 0 when every file was read,
1 when some failed (their rows are still printed, with the error), 2 when nothing was found or
an option is wrong ("no measurement files found under PATH (looked for ...)" on stderr). The
``--json`` layout is a list of objects ``{"source", "ok", "error", "summary"}`` where
``summary`` is ``qdwidgets.core.summary.summarize``'s dict (null for a failed file); see the
README. Reader options (``--signal-unit mOD``, ``--delay-unit fs``, ...) go to every file whose
reader understands them. CSV cells cannot start a spreadsheet formula; a closed pipe
(``| head``) ends the output quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

TEXT_COLUMNS = [
    "source",
    "kind",
    "ok",
    "flags",
    "gain",
    "first_crossing_ps",
    "tau_ps",
    "threshold_mW",
    "error",
]
# command-line flag -> reader option (the options the readers' own errors ask for)
READER_OPTIONS = {
    "signal_unit": "ΔA unit of every TA file, e.g. mOD, OD, dT/T, 'dT/T (%)'",
    "delay_unit": "delay unit, e.g. fs, ps, ns",
    "wavelength_unit": "wavelength unit, e.g. nm, um, eV",
    "power_unit": "ASE pump power unit, e.g. mW, W",
    "delays_along": "delimited matrices: 'row' (delays in the first row) or 'column'",
    "delay_axis": ".npz: the axis of the signal array that runs along delay (0 or 1)",
    "format": "force a format: netcdf, glotaran, delimited, npz, ase-table, ase-files",
}


def add_parser(sub: Any) -> None:
    """Register the ``triage`` sub-command on an argparse sub-parsers object."""
    p = sub.add_parser("triage", help="summarise many measurement files (one row each)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON (layout in the README)")
    out.add_argument("--csv", action="store_true", help="print CSV of the flat columns")
    p.add_argument("--workers", type=int, default=None, help="parallel worker processes")
    p.add_argument("--pattern", default=None, help="glob for folders (default: known formats)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    group = p.add_argument_group("reader options (passed to the files whose reader takes them)")
    for name, text in READER_OPTIONS.items():
        kind = int if name == "delay_axis" else str
        group.add_argument("--" + name.replace("_", "-"), dest=name, type=kind, help=text)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the triage and print it; 0 when every file was read, 1 when some failed, 2 when
    nothing was found or an option is wrong."""
    from ._html import csv_cell
    from .batch import find_sources, patterns_text, triage

    if args.workers is not None and args.workers < 1:
        print("qdwidgets triage: --workers must be at least 1", file=sys.stderr)
        return 2
    options = {k: getattr(args, k) for k in READER_OPTIONS if getattr(args, k, None) is not None}
    items = find_sources(args.paths, args.pattern)
    if not items:
        where = ", ".join(args.paths)
        print(
            f"qdwidgets triage: no measurement files found under {where} (looked for "
            f"{patterns_text(args.pattern)}; hidden files and folders inside are skipped)",
            file=sys.stderr,
        )
        return 2
    frame = triage(items, progress=not args.no_progress, workers=args.workers, **options)
    try:
        if args.json:
            rows = [
                {
                    "source": r.source,
                    "ok": bool(r.ok),
                    "error": r.error or "",
                    "summary": r.summary if r.ok else None,
                }
                for r in frame.itertuples(index=False)
            ]
            json.dump(rows, sys.stdout, indent=1, default=_plain)
            sys.stdout.write("\n")
        elif args.csv:
            flat = frame.drop(columns=["summary"])
            flat.apply(lambda column: column.map(csv_cell)).to_csv(sys.stdout, index=False)
        else:
            print(frame[TEXT_COLUMNS].to_string(index=False, na_rep="", max_colwidth=60))
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
    return 0 if bool(frame["ok"].all()) else 1


def _quiet_stdout() -> None:
    """The reader closed the pipe (``| head``): send the rest to /dev/null, no traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured)
        pass
    finally:
        os.close(devnull)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
