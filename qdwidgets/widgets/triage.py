"""Triage: a progress bar, then a sortable, filterable table of datasets; a row opens its view.

The summaries come from ``qdwidgets.triage`` (dask); the view adds thumbnails, sorting, a filter.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
import pandas as pd
import traitlets
import xarray as xr

from .._html import escape
from ..batch import Source, _options_for, check_open_options, find_sources, triage
from ..errors import QDError
from ._base import QDWidget, identifier
from ._triage_cells import SHOWN, cell, cell_layout

SORT_COLUMNS = (
    "source",
    "kind",
    "flags",
    "noise",
    "first_crossing_ps",
    "gain_duration_ps",
    "threshold_mW",
    "ok",
)


def thumbnail(preview: Any, kind: str) -> bytes:
    """A small PNG of a summary's ``preview`` (TA map, or ASE output vs power).

    Drawn on a :class:`matplotlib.figure.Figure` with its own Agg canvas: the user's
    matplotlib backend is never touched. The background is transparent, so the thumbnail sits
    on the notebook's own (light or dark) theme.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1.4, 0.7), dpi=72)
    FigureCanvasAgg(fig)
    fig.patch.set_alpha(0.0)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.patch.set_alpha(0.0)
    ax.set_axis_off()
    values = np.asarray(preview, dtype=float)
    if values.size and kind == "ta":
        from matplotlib import colormaps

        lim = float(np.nanmax(np.abs(values))) or 1.0
        # the sign's colour (blue negative, red positive) with an opacity that grows with |ΔA|:
        # where nothing happens the page's own background (light or dark theme) shows through
        rgba = colormaps["RdBu_r"](np.where(values < 0, 0.1, 0.9))
        rgba[..., 3] = np.clip(np.nan_to_num(np.abs(values) / lim) * 1.5, 0, 1) ** 0.8
        ax.imshow(rgba, aspect="auto", interpolation="nearest")
    elif values.size:
        colors = ("#1f77b4", "#e07b00", "#2ca02c", "#d62728")  # visible on light and dark
        for i, row in enumerate(np.atleast_2d(values)):
            ax.plot(row, lw=1.2, color=colors[i % len(colors)])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", transparent=True)
    return buf.getvalue()


class Triage(QDWidget):
    """Summaries of many datasets, one row each; ``Open`` shows the dataset's explorer below.

    The work runs in a background thread (:meth:`wait` blocks until it is done). The settings
    are traits (``observe`` and ``traitlets.link`` work; ``sort_by`` is an ``Enum``).

    Parameters
    ----------
    sources : path, dataset, or iterable of them
        Files, folders (searched recursively for ``pattern``) or datasets.
    client : dask.distributed.Client, optional
        Run the summaries there (else on the local ``scheduler``).
    pattern : str, optional
        Glob of the files to take in folders.
    scheduler : {'processes', 'threads', 'sync'}, default 'processes'
        The local dask scheduler.
    run : bool, default True
        Start the triage at once.
    signal_unit, delay_unit, wavelength_unit, power_unit, delays_along, delay_axis, format
        The reader options the readers' own errors ask for (e.g. ``signal_unit='mOD'``); each
        file gets those its reader takes (see :func:`qdwidgets.open_dataset`).
    open_options : mapping, optional
        Any other reader options.

    Attributes
    ----------
    sort_by : str
        Trait: the column the rows are sorted by (one of ``SORT_COLUMNS``).
    ascending : bool
        Trait: the sort order.
    query : str
        Trait: case-insensitive text every shown row contains.
    selected : int
        Trait: index (in ``table``) of the opened row, -1 for none.
    table, result : pandas.DataFrame
        The summaries, one row per dataset.

    Examples
    --------
    >>> from qdwidgets.widgets.triage import Triage
    >>> triage = Triage("data/", scheduler="sync").wait()  # doctest: +SKIP
    >>> triage.sort_by = "threshold_mW"  # doctest: +SKIP
    """

    selected = traitlets.Int(-1, help="index (in .table) of the opened row, -1 for none")
    sort_by = traitlets.Enum(SORT_COLUMNS, "source", help="the column the rows are sorted by")
    ascending = traitlets.Bool(True, help="sort order")
    query = traitlets.Unicode("", help="case-insensitive text every shown row contains")
    _state_keys: ClassVar[tuple[str, ...]] = ("sort_by", "ascending", "query", "selected")

    def __init__(
        self,
        sources: Source | Iterable[Source],
        *,
        client: Any = None,
        pattern: str | None = None,
        scheduler: str = "processes",
        run: bool = True,
        signal_unit: str | None = None,
        delay_unit: str | None = None,
        wavelength_unit: str | None = None,
        power_unit: str | None = None,
        delays_along: str | None = None,
        delay_axis: int | None = None,
        format: str | None = None,
        open_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(None)  # many datasets, opened by the batch
        named = {
            "signal_unit": signal_unit,
            "delay_unit": delay_unit,
            "wavelength_unit": wavelength_unit,
            "power_unit": power_unit,
            "delays_along": delays_along,
            "delay_axis": delay_axis,
            "format": format,
        }
        open_options = {
            **dict(open_options or {}),
            **{k: v for k, v in named.items() if v is not None},
        }
        check_open_options(open_options)
        self._items = find_sources(sources, pattern)
        self._client, self._scheduler, self._open_options = client, scheduler, open_options
        self.table = pd.DataFrame()
        self.progress = W.IntProgress(min=0, max=max(len(self._items), 1), description="triage")
        self.status = W.HTML(f"{len(self._items)} dataset(s) queued")
        self._filter = W.Text(
            placeholder="filter rows (e.g. 'no gain', 'ase')", continuous_update=False
        )
        self._sort = W.Dropdown(options=SORT_COLUMNS, value="source", description="sort by")
        self._order = W.ToggleButton(value=True, description="ascending", icon="sort-amount-asc")
        self._rows = W.VBox(layout=W.Layout(overflow="auto"))  # wide tables scroll
        self._rows.add_class("qd-triage-rows")
        self.detail = W.VBox()
        self.detail.add_class("qd-triage-detail")
        for control, trait in (
            (self._filter, "query"),
            (self._sort, "sort_by"),
            (self._order, "ascending"),
        ):
            W.link((control, "value"), (self, trait))
        self.observe(self.guarded(lambda _: self._render()), ["sort_by", "ascending", "query"])
        self.observe(self.guarded(self._open), ["selected"])
        self.children = [
            self.error,
            W.HBox([self.progress, self.status]),
            W.HBox([self._filter, self._sort, self._order]),
            self._rows,
            self.detail,
        ]
        self._thread: threading.Thread | None = None
        if run:
            self._thread = threading.Thread(target=self.guarded(self._run), daemon=True)
            self._thread.start()

    # -- work ---------------------------------------------------------------------------------
    def _report(self, done: int, total: int) -> None:
        self.progress.value = done
        self.status.value = f"{done} / {total} summarised"

    def _run(self) -> None:
        self.table = triage(
            self._items,
            client=self._client,
            progress=self._report,
            scheduler=self._scheduler,
            **self._open_options,
        )
        failed = int((~self.table["ok"]).sum()) if len(self.table) else 0
        self.status.value = f"{len(self.table)} dataset(s), {failed} failed"
        self._render()

    def wait(self, timeout: float | None = None) -> Triage:
        """Block until the summaries are ready (for scripts and tests).

        Parameters
        ----------
        timeout : float, optional
            Give up waiting after this many seconds.

        Returns
        -------
        Triage
            This widget.
        """
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    # -- table --------------------------------------------------------------------------------
    def visible(self) -> pd.DataFrame:
        """The rows shown.

        Returns
        -------
        pandas.DataFrame
            ``table`` filtered by ``query``, sorted by ``sort_by`` and ``ascending``.
        """
        frame = self.table
        if frame.empty:
            return frame
        if self.query.strip():
            needle = self.query.strip().lower()
            cells = frame.drop(columns=["summary"]).itertuples(index=False)
            keep = [needle in " ".join(map(str, row)).lower() for row in cells]
            frame = frame[keep]
        return frame.sort_values(
            self.sort_by, ascending=self.ascending, na_position="last", kind="stable"
        )

    def _render(self) -> None:
        rows = [self._header()]
        for index, row in self.visible().iterrows():
            rows.append(self._row(int(index), row))  # type: ignore[call-overload]
        self._rows.children = rows

    def _header(self) -> W.HBox:
        cells = [cell("<b>preview</b>", "preview"), cell("<b>source</b>", "source")]
        cells.append(cell("", "open"))
        cells += [cell(f"<b>{escape(label)}</b>", column) for column, label in SHOWN]
        return W.HBox(cells, layout=W.Layout(flex_flow="row nowrap"))

    def _row(self, index: int, row: pd.Series) -> W.HBox:
        summary = row["summary"] if isinstance(row["summary"], dict) else {}
        preview = summary.get("preview")
        image: W.Widget = (
            W.Image(
                value=thumbnail(preview, str(row["kind"])),
                format="png",
                layout=W.Layout(width="100px", height="50px"),
            )
            if preview
            else W.HTML("—")
        )
        name = str(row["source"]).rsplit("/", 1)[-1]
        cells: list[W.Widget] = [
            W.Box([image], layout=cell_layout("preview")),
            cell(escape(name), "source", title=str(row["source"])),
        ]
        for column, _ in SHOWN:
            value = row.get(column)
            text = (
                ""
                if value is None or (isinstance(value, float) and np.isnan(value))
                else (f"{value:.3g}" if isinstance(value, float) else str(value))
            )
            short = text if len(text) <= 140 else text[:139] + "…"
            cells.append(cell(escape(short), column, title=text[:2000]))
        button = W.Button(
            description="Open",
            button_style="info" if row["ok"] else "",
            disabled=not bool(row["ok"]),
            layout=cell_layout("open"),
        )
        button.add_class("qd-triage-open")
        button.on_click(self.guarded(lambda _b, i=index: setattr(self, "selected", i)))
        cells.insert(2, button)  # beside the name: never scrolled out of sight
        box = W.HBox(cells, layout=W.Layout(flex_flow="row nowrap"))
        box.add_class("qd-triage-row")
        return box

    # -- detail -------------------------------------------------------------------------------
    def _open(self, change: Any = None) -> None:
        old = self.detail.children
        if self.selected < 0 or self.selected >= len(self.table):
            self.detail.children = []
        else:
            self.detail.children = [self.open_widget(self.selected)]
        for widget in old:  # the previous explorer lets go of its data
            widget.close()

    def open_widget(self, index: int) -> W.Widget:
        """The explorer for one row.

        Parameters
        ----------
        index : int
            A row of ``table``.

        Returns
        -------
        TAExplorer or ThresholdFitter
            For TA data, or for ASE data.
        """
        from ..data.contract import validate
        from ..data.io import open_dataset

        item = self._items[index]
        if isinstance(item, xr.Dataset):
            ds = validate(item)
        else:
            ds = open_dataset(item, **_options_for(item, self._open_options))
        if ds.attrs["qd_kind"] == "ta":
            from .ta_explorer import TAExplorer

            return TAExplorer(ds)
        from .threshold_fitter import ThresholdFitter

        labels = [str(v) for v in ds["feedback"].values if str(v) != "none"]
        return ThresholdFitter(ds, feedback=labels[0] if labels else "none")

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Wait for the summaries, then restore sort, filter and selection.

        Parameters
        ----------
        settings : dict
            ``state()["settings"]`` (``from_state`` re-runs the triage of the same sources).
        """
        self.wait()
        super().apply_settings(settings)

    def to_code(self, data_name: str = "ta") -> str:
        """Python that builds the same table without the widget.

        Parameters
        ----------
        data_name : str, default 'ta'
            Not used, but checked to be a variable name.

        Returns
        -------
        str
            Code that leaves the table in ``result`` (QDError for in-memory datasets).
        """
        identifier("data_name", data_name)
        if any(isinstance(item, xr.Dataset) for item in self._items):
            raise QDError("triage of in-memory datasets cannot be written as code; save them")
        paths = "".join(f"        {str(item)!r},\n" for item in self._items)
        options = {"scheduler": self._scheduler, **self._open_options}
        keywords = "".join(f"    {k}={v!r},\n" for k, v in options.items())
        head = "from qdwidgets.batch import triage\n\nresult = triage(\n"
        return f"{head}    [\n{paths}    ],\n{keywords})\n"

    @property
    def result(self) -> pd.DataFrame:
        """The triage table (one row per dataset)."""
        return self.table
