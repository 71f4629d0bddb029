"""BandDeconvolver: the GSB / SE band split of Fig. 2d–e, with bands you drag on the plot.

A thin view over ``qdwidgets.core.bands``. One panel per pump level (default: the lowest and the
highest, side by side): the ΔA spectrum at a delay, each band, their sum and the residual. Drag a
band's round peak handle to move its centre and height, a square side handle (at half maximum) to
change its width; the sum and the residual redraw while dragging. Controls add and remove bands,
choose a shape, lock parameters, propose bands from the data and fit; a table gives each band's
area and share at each pump level. ``deconvolver.result`` is the core ``BandComparison`` of the last
fit (None before one succeeds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
import traitlets
import xarray as xr

from ..core import _args as A
from ..core import bands as B
from ..errors import DatasetError, FitError
from ._band_code import CodeMixin, legend_html
from ._band_controls import build_controls, sync_controls, table_html
from ._band_panel import Panel
from ._base import QDWidget


class BandDeconvolver(CodeMixin, QDWidget):
    """Split the TA spectrum at ``delay`` (ps) into bands, at one or two pump levels.

    ``pump``: None (the lowest and the highest level side by side), one level, or a sequence of
    levels (nearest measured ones are used). Bands start from ``qdwidgets.core.bands.initial_bands``
    and are fitted once; edit them by dragging, with the controls, or pass ``bands``.
    ``lock_to_spectra``: propose the GSB and SE with centre and width locked to A0 and the PL
    (see ``initial_bands``); untick the locks to free them.
    """

    _state_keys = ("delay", "wavelength_range", "pumps", "bands", "selected")  # see QDWidget
    _renamed_settings: ClassVar[dict[str, str]] = {"x_range": "wavelength_range"}

    delay = traitlets.Float(0.0)  # set from the data on construction (core.bands.default_delay)
    selected = traitlets.Unicode("")
    wavelength_range = traitlets.List(
        traitlets.Float(), [0.0, 1.0], minlen=2, maxlen=2
    )  # fitted nm

    # the controls, made by ``_band_controls.build_controls``
    delay_input: W.BoundedFloatText
    band_select: W.Dropdown
    shape_select: W.Dropdown
    lock_boxes: dict[str, W.Checkbox]
    new_name: W.Text
    new_center: W.BoundedFloatText
    add_button: W.Button
    remove_button: W.Button
    propose_button: W.Button
    fit_button: W.Button

    @A.renamed(x_range="wavelength_range")
    def __init__(
        self,
        ta: xr.Dataset,
        *,
        delay: float | None = None,
        wavelength_range: tuple[float, float] | None = None,
        pump: float | Sequence[float] | None = None,
        bands: Sequence[B.Band] | None = None,
        fit: bool = True,
        lock_to_spectra: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(ta, **kwargs)
        if self.data is None:
            raise DatasetError("BandDeconvolver needs a TA dataset (got None)")
        self.ta: xr.Dataset = self.data  # the validated copy
        ds = self.ta
        self.wavelength = np.asarray(ds["wavelength"].values, dtype=float)
        self.data_range = (float(self.wavelength[0]), float(self.wavelength[-1]))
        self.pump_units = str(ds["pump"].attrs.get("units", ""))
        self.occupancy: dict[float, float] = {}
        if "occupancy" in ds.coords:
            self.occupancy = dict(
                zip(map(float, ds["pump"].values), map(float, ds["occupancy"].values), strict=True)
            )
        self.template: xr.DataArray | None = None
        if "A0" in ds.data_vars:
            try:
                self.template = B.make_template(ds["A0"])
            except FitError:  # A0 without a band-edge peak: no template shape offered
                self.template = None
        self.fit_options: dict[str, Any] = {}
        self.lock_to_spectra = lock_to_spectra
        self._result: B.BandComparison | None = None
        self._fitted_with: list[list[B.Band]] = []  # the start bands of the last fit, per panel
        self._quiet = False
        self.panels: list[Panel] = []
        delays = np.asarray(ds["delay"].values, dtype=float)
        lo, hi = self.data_range
        self.check_traits(
            {
                "delay": lambda v: A.number(
                    "delay", v, lo=float(delays.min()), hi=float(delays.max()), unit="ps"
                ),
                "wavelength_range": lambda v: self._check_range(v),
                "selected": lambda v: v if v == "" else A.choice("selected", v, self.names),
            }
        )
        self.wavelength_range = list(wavelength_range) if wavelength_range is not None else [lo, hi]
        self.controls = build_controls(self)
        self.panel_box = W.HBox()
        self.legend = W.HTML()
        self.legend.add_class("qd-band-legend")
        self.table = W.HTML()
        self.table.add_class("qd-band-table")
        self.children = [
            self.error, self.legend, self.panel_box, self.controls, self.table, self.code_panel()
        ]  # fmt: skip
        note = ""
        if delay is None:
            try:
                delay = B.default_delay(ds)
            except FitError as exc:  # no established signal found: start at the first delay ≥ 0
                later = delays[delays >= 0]
                delay = float(later[0] if later.size else delays[0])
                note = f"{exc}; showing {delay:g} ps"
        self.delay = delay
        with self.reporting():
            self.pumps = self._levels(pump)
            if bands is not None:
                for p in self.panels:
                    p.bands = list(bands)
                self._bands_changed()
                self._draw_all()
            else:
                self.propose()
            if fit:
                self._fit_and_warn()
            if note:
                self.show_warnings([note, *self.warning_messages])
        self.observe(self.guarded(self._on_delay), names="delay")
        self.observe(self.guarded(self._on_selected), names="selected")
        self.observe(self.guarded(self._on_x_range), names="wavelength_range")

    # -- public -------------------------------------------------------------------------------
    @property
    def result(self) -> B.BandComparison | None:
        """The last successful fit at every pump level shown (None before one)."""
        return self._result

    @property
    def pumps(self) -> tuple[float, ...]:
        """The pump levels shown, one panel each."""
        return tuple(p.pump for p in self.panels)

    @pumps.setter
    def pumps(self, levels: Sequence[float]) -> None:
        old = {p.pump: p.bands for p in self.panels}
        template = next(iter(old.values()), [])
        self.panels = [Panel(self, B.pick_pump(self.ta, lv)) for lv in levels]
        for p in self.panels:
            p.bands = list(old.get(p.pump, template))
            p.load(self.delay)
        self.panel_box.children = [p.box for p in self.panels]
        self._result = None
        self._bands_changed()
        self._draw_all()

    @property
    def bands(self) -> tuple[tuple[B.Band, ...], ...]:
        """The current bands of each panel."""
        return tuple(tuple(p.bands) for p in self.panels)

    @bands.setter
    def bands(self, value: Sequence[Sequence[B.Band]]) -> None:
        for p, bs in zip(self.panels, value, strict=True):
            p.bands = list(bs)
            p.fit = None
        self._bands_changed()
        self._draw_all()

    def level_name(self, pump: float) -> str:
        """'pump 100 nJ', or 'single pump level' for data without a pump axis."""
        units = self.pump_units
        return "single pump level" if units == "index" else f"pump {pump:g} {units}".strip()

    @property
    def names(self) -> list[str]:
        return [b.name for b in self.panels[0].bands] if self.panels else []

    def propose(self) -> None:
        """Replace the bands with ``initial_bands`` proposed from each panel's spectrum."""
        for p in self.panels:
            p.bands = list(
                B.initial_bands(self.ta, self.delay, p.pump, lock_to_spectra=self.lock_to_spectra)
            )
            p.fit = None
        self._align_names()
        self._bands_changed()
        self._draw_all()

    def fit(self) -> B.BandComparison:
        """Fit every panel's bands over ``wavelength_range`` (FitError if any fit fails; the banner
        shows it). The fits' ``warnings`` show in the banner as warnings."""
        if not self.names:
            raise FitError("no bands to fit yet: press 'Propose bands' or add a band")
        fits, starts = [], []
        options = {**self.fit_options, "wavelength_range": self._x_range_option()}
        for p in self.panels:
            f = B.deconvolve_at(self.ta, self.delay, pump=p.pump, bands=p.bands, **options)
            fits.append(f)
            starts.append(list(p.bands))
        for p, f in zip(self.panels, fits, strict=True):
            p.fit, p.bands = f, list(f.bands)
        self._result = B.BandComparison(fits=tuple(fits), delay=fits[0].delay)
        self._fitted_with = starts
        self._bands_changed()
        self._draw_all()
        self.show_warnings(
            [f"{self.level_name(f.pump)}: {w}" for f in fits for w in getattr(f, "warnings", ())]
            + [
                f"{self.level_name(f.pump)}: {f.message}"
                for f in fits
                if not getattr(f, "converged", True)
            ]
        )
        return self._result

    def _fit_and_warn(self) -> None:
        """The Fit button: fit; doubts about the result show as warnings in the banner."""
        self.fit()

    def add_band(
        self, name: str, center_nm: float, fwhm_nm: float = 20.0, shape: str = "gaussian"
    ) -> None:
        """Add a band at ``center_nm`` to every panel, its height read off each spectrum."""
        name = name.strip()
        if not name:
            raise FitError("give the new band a name (e.g. 'PIA')")
        if name in self.names:
            raise FitError(f"there is already a band called {name!r}; choose another name")
        lo, hi = self.data_range
        if not lo <= center_nm <= hi:
            raise FitError(f"a new band must be centred inside the data, {lo:g}–{hi:g} nm")
        for p in self.panels:
            assert p.spectrum is not None
            height = float(p.spectrum.interp(wavelength=center_nm))
            band = B.Band(name, center_nm, fwhm_nm, height if height != 0 else -1e-4)
            p.bands.append(self._reshape(band, shape))
            p.fit = None
        self.selected = name
        self._bands_changed()
        self._draw_all()

    def remove_band(self, name: str) -> None:
        """Remove the band called ``name`` from every panel."""
        if name not in self.names:
            raise FitError(f"no band called {name!r}; bands are {self.names}")
        for p in self.panels:
            p.bands = [b for b in p.bands if b.name != name]
            p.fit = None
        self._bands_changed()
        self._draw_all()

    def set_shape(self, name: str, shape: str) -> None:
        """Give band ``name`` another shape in every panel."""
        for p in self.panels:
            p.bands = [self._reshape(b, shape) if b.name == name else b for b in p.bands]
            p.fit = None
        self._bands_changed()
        self._draw_all()

    def set_lock(self, name: str, param: str, locked: bool) -> None:
        """Lock (or free) ``param`` ('center_nm', 'fwhm_nm', 'amplitude') of band ``name``."""
        for p in self.panels:
            new = []
            for b in p.bands:
                if b.name == name:
                    vary = set(b.vary) - {param} if locked else set(b.vary) | {param}
                    b = b.replace(vary=tuple(vary))
                new.append(b)
            p.bands = new
        self._bands_changed()

    # -- state --------------------------------------------------------------------------------
    def apply_settings(self, settings: dict[str, Any]) -> None:
        self._quiet = True
        try:
            if "delay" in settings:
                self.delay = float(settings["delay"])
            if "wavelength_range" in settings:
                self.wavelength_range = list(settings["wavelength_range"])
            if "pumps" in settings:
                self.pumps = list(settings["pumps"])
            if "bands" in settings:
                self.bands = settings["bands"]
            if settings.get("selected") in self.names:
                self.selected = settings["selected"]
        finally:
            self._quiet = False
        sync_controls(self)

    @classmethod
    def from_state(cls, data: xr.Dataset, state: dict[str, Any]) -> BandDeconvolver:
        widget = super().from_state(data, state)
        if state.get("result"):
            widget._result = B.BandComparison.from_dict(state["result"])
        return widget

    # -- internals ------------------------------------------------------------------------------
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

    def _draw_all(self) -> None:
        for p in self.panels:
            p.draw()
        self.legend.value = legend_html(self.names)

    def _bands_changed(self) -> None:
        names = self.names
        self._quiet = True
        try:
            self.band_select.options = names
            if self.selected not in names:
                self.selected = names[0] if names else ""
            self.band_select.value = self.selected or None
        finally:
            self._quiet = False
        sync_controls(self)
        self._update_table()

    def _update_table(self) -> None:
        self.table.value = table_html(self.panels, self.level_name)

    # -- observers ------------------------------------------------------------------------------
    def _on_delay(self, change: dict[str, Any]) -> None:
        for p in self.panels:
            p.load(self.delay)
            p.fit = None
        if not self.names:  # e.g. the widget was opened at a delay outside the data
            self.propose()
        sync_controls(self)
        self._update_table()
        self._draw_all()

    def _on_x_range(self, change: dict[str, Any]) -> None:
        for p in self.panels:
            p.fit = None
        self._result = None
        self._update_table()
        self._draw_all()

    def _on_band_select(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"]:
            self.selected = str(change["new"])

    def _on_selected(self, change: dict[str, Any]) -> None:
        sync_controls(self)

    def _on_shape(self, change: dict[str, Any]) -> None:
        if not self._quiet and self.selected:
            self.set_shape(self.selected, str(change["new"]))

    def _on_lock(self, param: str, change: dict[str, Any]) -> None:
        if not self._quiet and self.selected:
            self.set_lock(self.selected, param, bool(change["new"]))
