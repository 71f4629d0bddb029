"""``qdwidgets triage PATH... [--json | --csv] [--workers N] [--pattern GLOB]``.

Prints one row per dataset (a text table by default). Exit status 0 when every file was read,
1 when some failed (their rows are still printed, with the error). The ``--json`` layout is a
list of objects ``{"source", "ok", "error", "summary"}`` where ``summary`` is
``qdwidgets.core.summary.summarize``'s dict (null for a failed file); see the README.
"""

from __future__ import annotations

import argparse
import json
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the triage and print it; 0 when every file was read, else 1."""
    from .batch import triage

    if args.workers is not None and args.workers < 1:
        print("qdwidgets triage: --workers must be at least 1", file=sys.stderr)
        return 2
    frame = triage(
        args.paths, progress=not args.no_progress, pattern=args.pattern, workers=args.workers
    )
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
        frame.drop(columns=["summary"]).to_csv(sys.stdout, index=False)
    elif frame.empty:
        print("no datasets found")
    else:
        print(frame[TEXT_COLUMNS].to_string(index=False, na_rep="", max_colwidth=60))
    return 0 if bool(frame["ok"].all()) else 1


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
