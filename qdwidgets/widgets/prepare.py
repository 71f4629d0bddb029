"""Prepare: from raw scans to an analysis-ready TA dataset, interactive and replayable.

A thin view over :mod:`qdwidgets.core.prepare`: the map before the chirp correction goes to the
browser once (:class:`~qdwidgets.widgets._prepare_canvas.PrepareCanvas`), which redraws the
corrected map while a chirp point is dragged; Python hears only settled values (a drag or a
brush that ended, a toggle) and recomputes the prepared dataset with the core functions.
Delays in ps, wavelengths in nm, signals in OD.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from typing import Any, ClassVar

import numpy as np
import traitlets as T
import xarray as xr

from .. import _args
from ..core import prepare as _prepare
from ..core.prepare._record import steps_of
from ..data.contract import validate
from ..errors import DatasetError
from . import _prepare_steps as steps
from ._base import QDWidget, boolean, identifier
from ._prepare_canvas import PrepareCanvas, scan_labels, status_line, thumbnail
from ._prepare_steps import PrepareSettings

__all__ = ["Prepare", "PrepareSettings"]

SETTINGS = (
    "chirp_points",
    "chirp_order",
    "delay_range",
    "wavelength_range",
    "mask_bands",
    "background",
    "solvent",
    "rejected",
)
_Pair = T.List(T.Float(), minlen=2, maxlen=2)
CACHED = 6  # datasets kept by the settings they depend on (before / after the chirp correction)


def _traits(s: PrepareSettings) -> dict[str, Any]:
    d = s.to_dict()  # lists, as the traits hold
    d["delay_range"] = d["delay_range"] or []
    d["wavelength_range"] = d["wavelength_range"] or []
    return d


class Prepare(QDWidget):
    """Prepare raw TA data: chirp, crop, mask, background, solvent and scans, with undo.

    Parameters
    ----------
    data : xarray.Dataset or list of xarray.Dataset
        A TA dataset (``dA`` OD over delay ps and wavelength nm), or several scans of one
        measurement (averaged with :func:`qdwidgets.core.prepare.average_scans`).
    solvent : xarray.Dataset, optional
        A solvent scan on the same grid (the coherent artefact); the ``solvent`` toggle then
        starts on.
    chirp_points : list of (wavelength nm, t0 ps), optional
        Default: 5 points on :func:`qdwidgets.core.chirp.estimate` of the data.
    chirp_order : int, default 3
        Degree 0–4 of the polynomial t0(λ) through the points (at most their number − 1).
    delay_range, wavelength_range : (low, high), optional
        The crop, delays (ps) in the chirp-corrected frame, wavelengths (nm).
    mask_bands : list of (low, high), optional
        Wavelength bands (nm) set to NaN (e.g. pump scatter).
    background : bool, optional
        Subtract the signal before time zero; default on when the data have delays before it.
    rejected : list of int, optional
        Scans left out of the average.
    height : int, default 300
        Height (px) of the maps.

    Notes
    -----
    The settings are traits of the same names; each assignment is checked by running the
    steps, and a value that fails (a mask over every wavelength, a crop outside the data, a
    chirp point off the map) is refused, shown in the banner, and the last good state kept.
    ``result`` is the prepared dataset, ``pipeline`` its :class:`~qdwidgets.core.prepare.Pipeline`,
    :meth:`to_code` the Python that makes it; :meth:`undo` / :meth:`redo` step through the
    settings.
    """

    _state_keys: ClassVar[tuple[str, ...]] = SETTINGS

    chirp_points = T.List(_Pair, default_value=[])
    chirp_order = T.Int(3)
    delay_range = T.List(T.Float(), default_value=[], maxlen=2)
    wavelength_range = T.List(T.Float(), default_value=[], maxlen=2)
    mask_bands = T.List(_Pair, default_value=[])
    background = T.Bool(False)
    solvent = T.Bool(False)
    rejected = T.List(T.Int(), default_value=[])

    def __init__(
        self,
        data: xr.Dataset | list[xr.Dataset],
        *,
        solvent: xr.Dataset | None = None,
        chirp_points: Any = None,
        chirp_order: int = 3,
        delay_range: Any = None,
        wavelength_range: Any = None,
        mask_bands: Any = None,
        background: bool | None = None,
        rejected: Any = None,
        height: int = 300,
        **kwargs: Any,
    ) -> None:
        scans = list(data) if isinstance(data, (list, tuple)) else None
        if scans is not None and len(scans) == 0:
            raise DatasetError("Prepare: the list of scans is empty. Fix: give at least one scan")
        if scans is None:
            single: xr.Dataset | None = data  # type: ignore[assignment]
        else:
            single = scans[0] if len(scans) == 1 else None
        super().__init__(single, **kwargs)
        self._scans = [validate(s, "ta") for s in scans] if scans and len(scans) > 1 else None
        if self._scans is None:
            self._source: Any = self.data
        else:
            self._source = self._scans
            self.data = self._scans[0]
        first = self.data
        wl = first["wavelength"].values
        self._centre = float((wl[0] + wl[-1]) / 2.0)
        self._solvent_ds = None if solvent is None else validate(solvent, "ta")
        self._applying = False
        self.canvas = PrepareCanvas(height=_args.integer("height", height, lo=80, hi=4000))
        self.canvas.chirp_center = self._centre
        self.canvas.add_class("qd-prepare-canvas")
        notes: list[str] = []
        s = self._defaults(rejected, notes)
        s = self._overrides(s, chirp_points, chirp_order, delay_range, wavelength_range,
                            mask_bands, background)  # fmt: skip
        # the last few datasets before and after the chirp correction, by the settings they
        # depend on: a crop or a mask (and an undo) does not repeat the steps before it
        self._cache: OrderedDict[tuple[Any, ...], xr.Dataset] = OrderedDict()
        self._pending: tuple[PrepareSettings, Any, xr.Dataset, xr.Dataset] | None = None
        self._compute(s)
        assert self._pending is not None
        self._stage_key: tuple[Any, ...] = self._pending[1]
        self._stage: xr.Dataset = self._pending[2]
        self._result: xr.Dataset = self._pending[3]
        self._pending = None
        self._settings: PrepareSettings = s
        self._history: list[PrepareSettings] = [s]
        self._pos: int = 0
        self._set_traits(s)
        self.check_traits({name: self._checker(name) for name in SETTINGS})
        self.observe(self._on_setting, names=list(SETTINGS))
        for name in SETTINGS:
            self.link_control(self.canvas, name, attr=name)
        self.canvas.on_msg(self._on_msg)
        if self._scans is not None:
            self.canvas.set_thumbs(np.stack([thumbnail(x) for x in self._scans]), self._labels())
        self._send_stage()
        self._show_status()
        if notes:
            self.show_warnings(notes)
        self.children = [self.error, self.canvas, self.code_panel()]

    # -- defaults from the data --------------------------------------------------------------
    def _defaults(self, rejected: Any, notes: list[str]) -> PrepareSettings:
        s, solvent_error = steps.defaults(self._source, self._solvent_ds, rejected, notes)
        if solvent_error:
            self.show_error(f"solvent: {solvent_error}")
        self.canvas.solvent_available = self._solvent_ds is not None and not solvent_error
        return s

    def _overrides(self, s: PrepareSettings, *given: Any) -> PrepareSettings:
        pts, order, d_range, w_range, bands, background = given
        change: dict[str, Any] = {"chirp_order": steps.order(order)}
        if pts is not None:
            change["chirp_points"] = steps.points("chirp_points", pts)
        if d_range is not None:
            change["delay_range"] = steps.window("delay_range", d_range, "ps")
        if w_range is not None:
            change["wavelength_range"] = steps.window("wavelength_range", w_range, "nm")
        if bands is not None:
            change["mask_bands"] = steps.bands(bands)
        if background is not None:
            change["background"] = boolean("background", background)
        return dataclasses.replace(s, **change)

    # -- checked settings --------------------------------------------------------------------
    def _checker(self, name: str) -> Any:
        def check(value: Any) -> Any:
            norm = steps.normalise(name, value)
            trait_value = _traits(dataclasses.replace(self._settings, **{name: norm}))[name]
            if self._applying:
                return trait_value
            s = dataclasses.replace(self._settings, **{name: norm})
            try:
                self._compute(s)
            except DatasetError as exc:
                raise ValueError(str(exc)) from None
            return trait_value

        return check

    def _cached(self, key: tuple[Any, ...], make: Any) -> xr.Dataset:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = make()
        self._cache[key] = value
        while len(self._cache) > CACHED:
            self._cache.popitem(last=False)
        return value

    def _compute(self, s: PrepareSettings) -> None:
        key = (s.rejected, s.solvent, s.background)
        stage = self._cached(
            ("stage", key), lambda: steps.before_chirp(self._source, self._solvent_ds, s)
        )
        corr = self._cached(
            ("chirp", key, s.chirp_points, s.chirp_order),
            lambda: steps.corrected(stage, s, self._centre),
        )
        self._pending = (s, key, stage, steps.trimmed(corr, s))

    def _current(self) -> PrepareSettings:
        return PrepareSettings.from_dict({n: getattr(self, n) for n in SETTINGS})

    def _on_setting(self, _change: Any) -> None:
        if not self._applying:
            self._adopt(push=True)

    def _adopt(self, *, push: bool) -> None:
        s = self._current()
        if s == self._settings:
            return
        if self._pending is None or self._pending[0] != s:
            self._compute(s)
        assert self._pending is not None
        s, key, stage, result = self._pending
        self._pending = None
        changed = key != self._stage_key
        self._settings, self._stage_key, self._stage, self._result = s, key, stage, result
        if push:
            del self._history[self._pos + 1 :]
            self._history.append(s)
            self._pos = len(self._history) - 1
        if changed:
            self._send_stage()
        self._show_status()

    def _set_traits(self, s: PrepareSettings) -> None:
        self._applying = True
        try:
            for name, value in _traits(s).items():
                setattr(self, name, value)
        finally:
            self._applying = False

    # -- undo / redo -------------------------------------------------------------------------
    def undo(self) -> None:
        """Go back to the settings before the last change (nothing when there is none)."""
        if self._pos > 0:
            self._restore(self._pos - 1)

    def redo(self) -> None:
        """Redo the change undone last (nothing when there is none)."""
        if self._pos < len(self._history) - 1:
            self._restore(self._pos + 1)

    def _restore(self, pos: int) -> None:
        s = self._history[pos]
        self._compute(s)
        self._pos = pos
        self._set_traits(s)
        self._adopt(push=False)
        self.clear_error()

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        with self.reporting():
            event = content.get("event") if isinstance(content, dict) else None
            if event == "undo":
                self.undo()
            elif event == "redo":
                self.redo()

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings (from :meth:`state`) in one step; an undo goes back before it."""
        merged = {**self._settings.to_dict(), **{k: settings[k] for k in SETTINGS if k in settings}}
        s = PrepareSettings.from_dict(merged)
        self._compute(s)
        self._set_traits(s)
        self._adopt(push=True)

    # -- canvas ------------------------------------------------------------------------------
    def _send_stage(self) -> None:
        ds = self._stage
        labels = [f"{float(v):g} {ds['pump'].attrs.get('units', '')}".strip() for v in ds["pump"]]
        self.canvas.set_stage(
            ds["dA"].transpose("pump", "delay", "wavelength").values,
            ds["delay"].values,
            ds["wavelength"].values,
            labels,
        )
        if self._scans is not None:
            self.canvas.scan_labels = self._labels()

    def _labels(self) -> list[str]:
        assert self._scans is not None
        return scan_labels(len(self._scans), self._stage, self._settings.rejected)

    def _show_status(self) -> None:
        self.canvas.status = status_line(self._result, self._settings)
        self.canvas.can_undo = self._pos > 0
        self.canvas.can_redo = self._pos < len(self._history) - 1

    # -- results -----------------------------------------------------------------------------
    @property
    def settings(self) -> PrepareSettings:
        """The current settings (a frozen dataclass)."""
        return self._settings

    @property
    def result(self) -> xr.Dataset:
        """The prepared, validated dataset (feeds TAExplorer and the kinetics fits as is)."""
        return self._result

    @property
    def pipeline(self) -> _prepare.Pipeline:
        """The recorded steps of :attr:`result` (``.steps``, ``.apply(raw)``, ``.to_code()``).

        Opened on scans, ``.apply`` needs the scans kept (not those in ``rejected``), and
        ``solvent=`` when the solvent is subtracted; :meth:`to_code` writes both out.
        """
        return _prepare.pipeline(self._result)

    @property
    def chirp(self) -> np.ndarray:
        """t0 (ps) per wavelength of the data before the correction (NaN: no chirp points)."""
        wl = self._stage["wavelength"].values
        if not self._settings.chirp_points:
            return np.full(wl.size, np.nan)
        return steps.chirp_curve(self._settings, wl, self._centre)

    def to_code(self, data_name: str = "ds", solvent_name: str = "solvent") -> str:
        """Python that leaves the prepared dataset in ``result``.

        Parameters
        ----------
        data_name : str, default "ds"
            The variable holding the data the widget was opened on (the list of scans when
            it was opened on scans).
        solvent_name : str, default "solvent"
            The variable holding the solvent scan, when the solvent is subtracted.

        Returns
        -------
        str
            Code calling :mod:`qdwidgets.core.prepare`; exec'd, ``result`` equals ``.result``.
        """
        identifier("data_name", data_name)
        identifier("solvent_name", solvent_name)
        s = self._settings
        if self._scans is not None:
            first = self._scans[steps.kept(len(self._scans), s.rejected)[0]]
        else:
            first = self.data
        return steps.code(
            self._result,
            len(steps_of(first)),
            s,
            data_name=data_name,
            solvent_name=solvent_name,
            n_scans=None if self._scans is None else len(self._scans),
            centre=self._centre,
        )
