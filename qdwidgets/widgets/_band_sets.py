"""BandDeconvolver: its panels (one per pump level) and their sets of bands, kept as traits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import xarray as xr

from .. import _args as A
from ..core import bands as B
from ..errors import FitError
from ._band_code import legend_html
from ._band_controls import sync_controls, table_html
from ._band_panel import Panel

if TYPE_CHECKING:
    import ipywidgets as W


class PanelsMixin:
    """``pumps`` → panels, ``bands`` → each panel's bands, and the band controls' reactions."""

    # provided by BandDeconvolver
    _state_keys: ClassVar[tuple[str, ...]]
    ta: xr.Dataset
    delay: float
    selected: str
    pumps: tuple[float, ...]
    panels: list[Panel]
    panel_box: W.HBox
    template: xr.DataArray | None
    _result: B.BandComparison | None

    band_select: W.Dropdown
    legend: W.HTML
    table: W.HTML

    if TYPE_CHECKING:

        @property
        def names(self) -> list[str]: ...
        def level_name(self, pump: float) -> str: ...
        def propose(self) -> None: ...
        def set_shape(self, name: str, shape: str) -> None: ...
        def set_lock(self, name: str, param: str, locked: bool) -> None: ...

    def _check_pumps(self, levels: Any) -> tuple[float, ...]:
        if np.ndim(levels) != 1 or len(levels) == 0:
            raise A.ArgumentError(
                f"pumps must be a sequence of one or more pump levels, not {levels!r}"
            )
        return tuple(B.pick_pump(self.ta, lv) for lv in levels)

    def _on_pumps(self, change: dict[str, Any]) -> None:
        old = {p.pump: p.bands for p in self.panels}
        template = next(iter(old.values()), [])
        owner: Any = self  # the BandDeconvolver this mixin is part of
        self.panels = [Panel(owner, level) for level in self.pumps]
        for p in self.panels:
            p.bands = list(old.get(p.pump, template))
            p.load(self.delay)
        self.panel_box.children = [p.box for p in self.panels]
        self._result = None
        self._bands_changed()
        self._draw_all()

    def _check_bands(self, value: Any) -> tuple[tuple[B.Band, ...], ...]:
        sets = tuple(tuple(bs) for bs in value)
        if len(sets) != len(self.panels) or not all(
            isinstance(b, B.Band) for bs in sets for b in bs
        ):
            raise A.ArgumentError(
                f"bands must hold one sequence of Band per pump level shown ({len(self.panels)})"
                f", got {len(sets)}. Fix: set pumps first, then one set of bands per level"
            )
        return sets

    def _on_bands(self, change: dict[str, Any]) -> None:
        for p, bs in zip(self.panels, change["new"], strict=True):
            p.bands = list(bs)
            p.fit = None
        self._bands_changed()
        self._draw_all()

    def _levels(self, pump: float | Sequence[float] | None) -> list[float]:
        levels = [float(v) for v in self.ta["pump"].values]
        if pump is None:
            return [levels[0], levels[-1]] if len(levels) > 1 else levels
        if np.ndim(pump) == 0:
            return [float(pump)]  # type: ignore[arg-type]
        return [float(v) for v in pump]  # type: ignore[union-attr]

    def _reshape(self, band: B.Band, shape: str) -> B.Band:
        if shape == band.shape:
            return band
        if shape == "template":
            if self.template is None:
                raise FitError("a template band needs A0 in the dataset (attach_absorbance)")
            return band.replace(shape="template", template=self.template)
        return band.replace(shape=shape, template=None)

    def _align_names(self) -> None:
        """Panels may propose different bands (e.g. PIA only at high pump): keep the union. A
        band the data of a panel did not propose is added there at zero height with its centre
        and width locked (the data do not determine them); free its height to fit it."""
        union: dict[str, B.Band] = {}
        for p in self.panels:
            for b in p.bands:
                union.setdefault(b.name, b)
        for p in self.panels:
            have = {b.name for b in p.bands}
            p.bands = p.bands + [
                union[n].replace(amplitude=0.0, vary=()) for n in union if n not in have
            ]
            p.bands.sort(key=lambda b: list(union).index(b.name))

    def _on_band_select(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.selected = str(change["new"])

    def _on_shape(self, change: dict[str, Any]) -> None:
        if self.selected:
            self.set_shape(self.selected, str(change["new"]))

    def _on_lock(self, param: str, change: dict[str, Any]) -> None:
        if self.selected:
            self.set_lock(self.selected, param, bool(change["new"]))

    def _draw_all(self) -> None:
        for p in self.panels:
            p.draw()
        self.legend.value = legend_html(self.names)

    def _bands_changed(self) -> None:
        names = self.names
        with self.quietly():  # type: ignore[attr-defined]
            self.bands = tuple(tuple(p.bands) for p in self.panels)
            self.band_select.options = names
            if self.selected not in names:
                self.selected = names[0] if names else ""
            self.band_select.value = self.selected or None
        sync_controls(self)  # type: ignore[arg-type]
        self._update_table()

    def _update_table(self) -> None:
        self.table.value = table_html(self.panels, self.level_name)

    def _on_delay(self, change: dict[str, Any]) -> None:
        for p in self.panels:
            p.load(self.delay)
            p.fit = None
        if not self.names:  # e.g. the widget was opened at a delay outside the data
            self.propose()
        sync_controls(self)  # type: ignore[arg-type]
        self._update_table()
        self._draw_all()

    def _on_selected(self, change: dict[str, Any]) -> None:
        sync_controls(self)  # type: ignore[arg-type]

    # -- state --------------------------------------------------------------------------------
    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings one after the other.

        Parameters
        ----------
        settings : dict
            ``state()["settings"]``; the panels follow ``pumps`` before the ``bands`` and the
            ``selected`` band are set (a selected band that no longer exists is ignored).
        """
        for key in self._state_keys:
            if key in settings and (key != "selected" or settings[key] in self.names):
                setattr(self, key, settings[key])
        sync_controls(self)  # type: ignore[arg-type]

    def restore_result(self, saved: Mapping[str, Any]) -> None:
        """Show the saved fit as ``result``.

        Parameters
        ----------
        saved : mapping
            ``state()["result"]``, a ``BandComparison.to_dict()``.
        """
        self._result = B.BandComparison.from_dict(dict(saved))
