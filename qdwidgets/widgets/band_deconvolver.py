"""BandDeconvolver: the GSB / SE band split of Fig. 2d–e, with bands you drag on the plot.

A thin view over ``qdwidgets.core.bands``; ``result`` is the core ``BandComparison`` of a fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
import traitlets
import xarray as xr

from .. import _args as A
from ..core import bands as B
from ..data.contract import PUMP_INDEX, pump_level_text
from ..errors import DatasetError, FitError
from ._band_code import CodeMixin
from ._band_controls import build_controls
from ._band_panel import Panel
from ._band_sets import PanelsMixin
from ._base import QDWidget


class BandDeconvolver(CodeMixin, PanelsMixin, QDWidget):
    """Split the TA spectrum at ``delay`` (ps) into bands, at one or two pump levels.

    One panel per pump level: the ΔA spectrum, each band, their sum and the residual; drag a
    band's round peak handle (centre and height) or a square side handle (width). Bands start
    from :func:`qdwidgets.core.bands.initial_bands` and are fitted once. Every setting is a
    trait (``observe`` and ``traitlets.link`` work); a bad value raises a
    :class:`~qdwidgets.widgets._base.SettingError` (a ``TraitError``), shows in the banner and
    the deconvolver keeps its last good state.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD over ``delay`` in ps and ``wavelength`` in nm); validated
        and copied, never changed.
    delay : float, optional
        Delay of the spectra (ps). Default: where the signal is established after time zero
        (:func:`qdwidgets.core.bands.default_delay`).
    wavelength_range : (float, float), optional
        Wavelength window fitted (nm; ``x_range`` before 0.2, which warns). Default: the whole
        data range.
    pump : float or sequence of float, optional
        Pump level(s), nearest measured, in the ``pump`` coordinate's units. Default: the
        lowest and the highest level side by side.
    bands : sequence of Band, optional
        Start bands for every panel instead of proposed ones.
    fit : bool, default True
        Fit the bands once on opening.
    lock_to_spectra : bool, default False
        Propose the GSB and SE with centre and width locked to A0 and the PL (see
        ``initial_bands``); untick the locks to free them.
    **kwargs
        Layout keywords of :class:`ipywidgets.VBox`; any other keyword raises ``TypeError``.

    Attributes
    ----------
    delay : float
        Trait: delay of the spectra (ps), within the data.
    wavelength_range : list of float
        Trait: the wavelength window fitted ``[low, high]`` (nm), within the data.
    pumps : tuple of float
        Trait: the pump levels shown, one panel each (snapped to measured levels).
    bands : tuple of tuple of Band
        Trait: the bands of each panel (centres and widths in nm, heights in OD).
    selected : str
        Trait: the name of the band the controls edit ('' for none).
    lock_to_spectra : bool
        Trait: "Propose bands" locks the GSB and SE centre and width to A0 and the PL.
    result : BandComparison or None
        The last successful fit at every pump level shown, None before one.

    Examples
    --------
    >>> from qdwidgets import examples
    >>> from qdwidgets.widgets.band_deconvolver import BandDeconvolver
    >>> bd = BandDeconvolver(examples.ta(), pump=250.0)
    >>> bd.pumps, bd.names[:2]
    ((250.0,), ['GSB', 'SE'])
    >>> bd.result.pumps
    (250.0,)
    >>> bd.selected = "SE"
    """

    _state_keys: ClassVar[tuple[str, ...]] = (
        "delay",
        "wavelength_range",
        "pumps",
        "bands",
        "selected",
    )
    _renamed_settings: ClassVar[Mapping[str, str]] = {"x_range": "wavelength_range"}

    delay = traitlets.Float(0.0, help="delay of the spectra (ps)")  # from the data on construction
    selected = traitlets.Unicode("", help="name of the band the controls edit")
    pumps = traitlets.Tuple(help="the pump levels shown, one panel each")
    bands = traitlets.Tuple(help="the bands of each panel (a tuple of Band per panel)")
    lock_to_spectra = traitlets.Bool(False, help="propose GSB and SE locked to A0 and the PL")
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
                "pumps": self._check_pumps,
                "bands": self._check_bands,
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
        self.observe(self.guarded(self._on_pumps), names="pumps")
        self.observe(self.reaction(self._on_bands), names="bands")
        with self.reporting():
            self.pumps = tuple(self._levels(pump))
            if bands is not None:
                self.bands = tuple(tuple(bands) for _ in self.panels)
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

    def level_name(self, pump: float) -> str:
        """The label of a pump level in the panels and the table.

        Parameters
        ----------
        pump : float
            A pump level (in the ``pump`` coordinate's units).

        Returns
        -------
        str
            'pump 100 nJ', or 'single pump level' for data without a pump axis.
        """
        units = self.pump_units
        return (
            "single pump level" if units == PUMP_INDEX else f"pump {pump_level_text(pump, units)}"
        )

    @property
    def names(self) -> list[str]:
        """The names of the bands (the same in every panel)."""
        return [b.name for b in self.panels[0].bands] if self.panels else []

    def propose(self) -> None:
        """Replace the bands with :func:`~qdwidgets.core.bands.initial_bands` proposed from each
        panel's spectrum ("Propose bands"); a band only one panel proposes is added to the
        others at zero height."""
        for p in self.panels:
            p.bands = list(
                B.initial_bands(self.ta, self.delay, p.pump, lock_to_spectra=self.lock_to_spectra)
            )
            p.fit = None
        self._align_names()
        self._bands_changed()
        self._draw_all()

    def fit(self) -> B.BandComparison:
        """Fit every panel's bands over ``wavelength_range`` ("Fit").

        Returns
        -------
        BandComparison
            The fits at every pump level shown, also in ``result``; their ``warnings`` show in
            the banner.

        Raises
        ------
        FitError
            There are no bands, or a fit fails (the banner shows it).
        """
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
        """Add a band to every panel, its height read off each spectrum.

        Parameters
        ----------
        name : str
            A new name (e.g. 'PIA').
        center_nm : float
            Its centre (nm), inside the data.
        fwhm_nm : float, default 20
            Its full width at half maximum (nm).
        shape : {'gaussian', 'lorentzian', 'template', ...}
            One of :data:`qdwidgets.core.bands.SHAPES` ('template' needs A0).

        Raises
        ------
        FitError
            The name is empty or taken, or the centre lies outside the data.
        """
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
        """Remove the band called ``name`` from every panel.

        Parameters
        ----------
        name : str
            One of :attr:`names` (else FitError).
        """
        if name not in self.names:
            raise FitError(f"no band called {name!r}; bands are {self.names}")
        for p in self.panels:
            p.bands = [b for b in p.bands if b.name != name]
            p.fit = None
        self._bands_changed()
        self._draw_all()

    def set_shape(self, name: str, shape: str) -> None:
        """Give band ``name`` another shape in every panel.

        Parameters
        ----------
        name : str
            One of :attr:`names`.
        shape : str
            One of :data:`qdwidgets.core.bands.SHAPES` ('template' needs A0).
        """
        for p in self.panels:
            p.bands = [self._reshape(b, shape) if b.name == name else b for b in p.bands]
            p.fit = None
        self._bands_changed()
        self._draw_all()

    def set_lock(self, name: str, param: str, locked: bool) -> None:
        """Hold (or free) one parameter of band ``name`` in the fits of every panel.

        Parameters
        ----------
        name : str
            One of :attr:`names`.
        param : {'center_nm', 'fwhm_nm', 'amplitude'}
            The centre (nm), width (nm) or height (OD).
        locked : bool
            True holds it at its current value, False lets the fit move it.
        """
        for p in self.panels:
            new = []
            for b in p.bands:
                if b.name == name:
                    vary = set(b.vary) - {param} if locked else set(b.vary) | {param}
                    b = b.replace(vary=tuple(vary))
                new.append(b)
            p.bands = new
        self._bands_changed()

    # -- observers ------------------------------------------------------------------------------
    def _on_x_range(self, change: dict[str, Any]) -> None:
        for p in self.panels:
            p.fit = None
        self._result = None
        self._update_table()
        self._draw_all()
