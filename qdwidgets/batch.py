"""Triage a folder of measurements: one summary row per file, computed in parallel with dask.

``triage(sources)`` takes files, folders (searched recursively) or datasets, opens and summarises
each one as a dask task (the local scheduler by default, any ``dask.distributed.Client`` when
given) and returns a pandas DataFrame. A file that fails becomes a row with its error; it never
aborts the batch.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import dask
import pandas as pd
import xarray as xr
from dask.diagnostics import Callback

from ._args import ArgumentError, choice, integer
from .data.readers._common import is_dir
from .errors import DatasetError

DEFAULT_PATTERNS = (
    "*.nc",
    "*.nc4",
    "*.ascii",
    "*.ana",
    "*.csv",
    "*.tsv",
    "*.txt",
    "*.dat",
    "*.npz",
)
Source = str | os.PathLike | xr.Dataset

#: Columns of the triage table, in order (the full nested summary is in column ``summary``).
COLUMNS = (
    "source",
    "kind",
    "ok",
    "error",
    "flags",
    "shape",
    "noise",
    "gain",
    "first_crossing_ps",
    "gain_duration_ps",
    "tau_ps",
    "threshold_mW",
    "threshold_W_cm2",
    "summary",
)


def find_sources(sources: Source | Iterable[Source], pattern: str | None = None) -> list[Source]:
    """Expand files, folders (recursive, by glob ``pattern``) and datasets into a flat list.

    Hidden files and folders (names starting with '.') are skipped BELOW each folder given, never
    because of the folder's own path (``~/.cache/runs`` and ``../runs`` work). Matches that are
    not regular files (named pipes, devices, sockets) are listed too, so that they become error
    rows; they are never opened.
    """
    if isinstance(sources, (str, os.PathLike, xr.Dataset)):
        sources = [sources]
    if not isinstance(sources, Iterable):
        raise TypeError(
            f"triage: sources must be a path, a dataset or a list of them, not "
            f"{type(sources).__name__}"
        )
    if pattern is not None and (not isinstance(pattern, str) or not pattern.strip()):
        raise ArgumentError(f"pattern must be a glob such as '*.csv', not {pattern!r}")
    patterns = (pattern,) if pattern else DEFAULT_PATTERNS
    found: list[Source] = []
    for src in sources:
        if isinstance(src, xr.Dataset) or not isinstance(src, (str, os.PathLike)):
            found.append(src)  # a dataset, or something open_dataset refuses in its error row
            continue
        path = Path(src)
        if is_dir(path):
            files = {p for pat in patterns for p in path.rglob(pat) if not p.is_dir()}
            found.extend(
                str(p)
                for p in sorted(files)
                if not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found.append(str(path))  # a missing file becomes an error row, not an exception
    return found


def patterns_text(pattern: str | None = None) -> str:
    """The globs a folder is searched with, for messages."""
    return ", ".join((pattern,) if pattern else DEFAULT_PATTERNS)


def check_open_options(open_options: dict[str, Any]) -> None:
    """Refuse an option no reader understands (a misspelling would otherwise be dropped)."""
    from .data.io import FORMATS, accepted_options

    known = sorted({name for fmt in FORMATS for name in accepted_options(fmt)} | {"format"})
    for name in open_options:
        if name not in known:
            near = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise TypeError(f"triage: unknown reader option {name!r}{hint}; known: {known}")


def _options_for(source: Source, open_options: dict[str, Any]) -> dict[str, Any]:
    """The options that the reader of this file understands (signal_unit means nothing to an
    ASE table, so it is not passed there)."""
    from .data.io import accepted_options, detect_format

    if not open_options or isinstance(source, xr.Dataset):
        return open_options
    fmt = open_options.get("format") or detect_format(source)
    wanted = set(accepted_options(str(fmt).lower().replace("_", "-"))) | {"format"}
    return {k: v for k, v in open_options.items() if k in wanted}


def _label(source: Source, index: int) -> str:
    if isinstance(source, xr.Dataset):
        return str(source.attrs.get("source") or source.attrs.get("title") or f"dataset #{index}")
    return str(source)


def summarize_source(source: Source, index: int = 0, **open_options: Any) -> dict[str, Any]:
    """Open and summarise one source; any failure is captured in the row's ``error``."""
    from .core.summary import summarize, table_row
    from .data.contract import validate
    from .data.io import open_dataset

    row: dict[str, Any] = {"source": _label(source, index), "ok": False, "error": ""}
    try:
        if isinstance(source, xr.Dataset):
            ds = validate(source)
        else:
            ds = open_dataset(source, **_options_for(source, open_options))
        summary = summarize(ds)
        row.update(table_row(summary))
        row["summary"] = summary
        row["ok"] = True
    except Exception as exc:  # one bad file must never abort the batch
        kind = "DatasetError" if isinstance(exc, DatasetError) else type(exc).__name__
        row["error"] = f"{kind}: {exc}"
    return row


class _ProgressCallback(Callback):
    """Advance a progress bar as the local dask scheduler finishes our summary tasks."""

    def __init__(self, bar: Any, keys: set[Any]) -> None:
        super().__init__()
        self._bar, self._keys = bar, keys

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        if key in self._keys:
            self._bar.update(1)


def triage(
    sources: Source | Iterable[Source],
    *,
    client: Any = None,
    progress: bool | Callable[[int, int], None] = True,
    pattern: str | None = None,
    scheduler: str = "processes",
    workers: int | None = None,
    **open_options: Any,
) -> pd.DataFrame:
    """Summarise many datasets: a DataFrame with one row per source (see ``COLUMNS``).

    ``client``: a ``dask.distributed.Client``; without one the local ``scheduler`` runs
    ("processes" by default: the fits are CPU-bound Python; "threads" or "sync" also work)
    with ``workers`` processes or threads (default: one per core).
    ``progress``: a tqdm.auto bar (True), none (False), or a callable ``f(done, total)``.
    ``pattern``: glob for folders (default: every format qdwidgets reads).
    ``open_options`` go to ``qdwidgets.open_dataset`` for every file.
    """
    check_open_options(open_options)
    if workers is not None:
        workers = integer("workers", workers, lo=1, hi=1024)
    scheduler = choice("scheduler", scheduler, ("processes", "threads", "sync", "synchronous"))
    items = find_sources(sources, pattern)
    tasks = [dask.delayed(summarize_source)(s, i, **open_options) for i, s in enumerate(items)]
    rows = _compute(tasks, client=client, progress=progress, scheduler=scheduler, workers=workers)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["ok"] = frame["ok"].astype(bool)
    frame["error"] = frame["error"].fillna("")
    return frame


class _Counter:
    """Progress as a bar-like object: ``update(n)`` calls ``report(done, total)``."""

    def __init__(self, report: Callable[[int, int], None], total: int) -> None:
        self.report, self.total, self.done = report, total, 0
        report(0, total)

    def update(self, n: int = 1) -> None:
        self.done += n
        self.report(self.done, self.total)

    def __enter__(self) -> _Counter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _compute(
    tasks: Sequence[Any],
    *,
    client: Any,
    progress: bool | Callable[[int, int], None],
    scheduler: str,
    workers: int | None = None,
) -> list[Any]:
    from tqdm.auto import tqdm

    bar: Any
    if callable(progress):
        bar = _Counter(progress, len(tasks))
    else:
        bar = tqdm(total=len(tasks), desc="triage", unit="file", disable=not progress)
    with bar:
        if client is not None:
            from distributed import as_completed

            futures = client.compute(list(tasks))
            for _ in as_completed(futures):
                bar.update(1)
            return list(client.gather(futures))
        with _ProgressCallback(bar, {t.key for t in tasks}):
            return list(dask.compute(*tasks, scheduler=scheduler, num_workers=workers))
