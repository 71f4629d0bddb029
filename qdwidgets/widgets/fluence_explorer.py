"""FluenceExplorer: the multi-exciton cascade over every pump level of a fluence series.

A thin view over :mod:`qdwidgets.core.fluence`. The band-edge trace (default: the band edge
found in the data, ``qdwidgets.core.gain.band_edge``) of every pump level is drawn on one
log-delay panel with the cascade model over it; beside it the late bleach against pump with the
model's saturation curve, and P(n) — the Poisson occupancy — per level. Sliders set σ (shown as
⟨N⟩ of the highest level), τ_XX and τ_X; the ``scaling`` switch picks the Auger rates of the
higher multi-excitons ("statistical" or "pairs"). Moving them redraws the model at once (one
closed-form evaluation, amplitude solved linearly). "Fit" runs
:func:`qdwidgets.core.fluence.fit_cascade` on the data with the widget's wavelength, band and
scaling — exactly what a script gets — puts the sliders on the fitted values, fills the result
table (value ± standard error) and shows the fit's warnings in the banner. ``explorer.result``
is that :class:`~qdwidgets.core.fluence.CascadeFit` (None before a fit); ``state()`` /
``from_state()`` and ``to_code()`` as in the other views.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
import traitlets
import xarray as xr

from .. import _args as A
from .._choices import CascadeScaling
from .._html import escape
from ..core import fluence
from ..core.fluence._data import series
from ..core.fluence._fit import start_values
from ._base import QDWidget, identifier
from ._fluence_panels import Panels, table_html
from ._kinetics_table import snapped


class FluenceExplorer(QDWidget):
    """The cascade model over a fluence series: sliders, the fit, saturation and P(n).

    Every setting is a trait (``observe`` and ``traitlets.link`` work); ``scaling`` is an
    ``Enum``; a bad value raises a :class:`~qdwidgets.widgets._base.SettingError` (a
    ``TraitError``), shows in the banner and the explorer keeps its last good state.

    Parameters
    ----------
    ta : xarray.Dataset
        A fluence series: TA (``dA`` in OD over ``delay`` in ps and ``wavelength`` in nm) at
        several ``pump`` levels; validated and copied, never changed.
    wavelength : float, optional
        Wavelength of the traces (nm). Default: the band edge found in the data.
    band_nm : float, default 0
        Average the traces over ± ``band_nm``/2 (nm).
    scaling : {'statistical', 'pairs'}, default 'statistical'
        The Auger rates of the higher multi-excitons.

    Attributes
    ----------
    wavelength : float
        Trait: wavelength of the traces (nm).
    band_nm : float
        Trait: width of the averaged band (nm).
    scaling : {'statistical', 'pairs'}
        Trait: the Auger rate scaling.
    max_occupancy : float
        Trait: ⟨N⟩ of the highest pump level (σ × its pump), 0.001–30.
    tau_xx, tau_x : float
        Traits: the biexciton Auger and the single-exciton lifetimes (ps).
    tau_cool : float
        Trait: the rise (cooling) time (ps).
    irf_fwhm : float
        Trait: the instrument response width (ps).
    t0 : float
        Trait: time zero (ps).
    result : CascadeFit or None
        The last fit, None before one.

    Examples
    --------
    >>> from qdwidgets import examples
    >>> from qdwidgets.widgets.fluence_explorer import FluenceExplorer
    >>> ex = FluenceExplorer(examples.fluence())
    >>> ex.tau_xx = 150.0  # redraws the model
    >>> ex.model_traces.shape[0] == ex.data.sizes["pump"]
    True
    """

    _state_keys: ClassVar[tuple[str, ...]] = (
        "wavelength",
        "band_nm",
        "scaling",
        "max_occupancy",
        "tau_xx",
        "tau_x",
        "tau_cool",
        "irf_fwhm",
        "t0",
    )

    wavelength = traitlets.Float(0.0, help="wavelength of the traces (nm)")
    band_nm = traitlets.Float(0.0, help="width of the band averaged (nm)")
    scaling = traitlets.Enum(fluence.SCALINGS, "statistical", help="Auger rate scaling")
    max_occupancy = traitlets.Float(1.0, help="⟨N⟩ of the highest pump level (σ × its pump)")
    tau_xx = traitlets.Float(100.0, help="biexciton Auger lifetime τ_XX (ps)")
    tau_x = traitlets.Float(1000.0, help="single-exciton lifetime τ_X (ps)")
    tau_cool = traitlets.Float(0.5, help="cooling (rise) time (ps)")
    irf_fwhm = traitlets.Float(0.2, help="instrument response FWHM (ps)")
    t0 = traitlets.Float(0.0, help="time zero (ps)")

    def __init__(
        self,
        ta: xr.Dataset,
        *,
        wavelength: float | None = None,
        band_nm: float = 0.0,
        scaling: CascadeScaling = "statistical",
    ) -> None:
        super().__init__(ta)
        wl = np.asarray(self.data["wavelength"].values, dtype=float)
        self._result: Any = None
        self._drawn: dict[str, np.ndarray] = {}
        self._pending: Any = None  # the traces a refused or accepted wavelength/band gave
        s = series(self.data, wavelength, band_nm)  # FitError: not a fluence series
        self._s = s
        t = s.t
        span = float(t[-1] - t[0])
        self.check_traits(
            {
                "wavelength": lambda v: self._readable(
                    A.number("wavelength", v, lo=float(wl.min()), hi=float(wl.max()), unit="nm"),
                    self.band_nm,
                )[0],
                "band_nm": lambda v: self._readable(
                    self.wavelength,
                    A.number("band_nm", v, lo=0.0, hi=float(np.ptp(wl)), unit="nm"),
                )[1],
                "max_occupancy": lambda v: A.number("max_occupancy", v, lo=1e-3, hi=30.0),
                "tau_xx": lambda v: A.number("tau_xx", v, lo=1e-3, hi=1e3 * span, unit="ps"),
                "tau_x": lambda v: A.number("tau_x", v, lo=1e-3, hi=1e4 * span, unit="ps"),
                "tau_cool": lambda v: A.number("tau_cool", v, lo=1e-4, hi=span, unit="ps"),
                "irf_fwhm": lambda v: A.number("irf_fwhm", v, lo=1e-4, hi=span, unit="ps"),
                "t0": lambda v: A.number("t0", v, lo=float(t[0]), hi=float(t[-1]), unit="ps"),
            }
        )
        self.panels = Panels(t, s.y, s.pump, s.pump_units)
        self._build_controls(span)
        self.header = W.HTML()
        self.fit_button = W.Button(description="Fit", icon="play", button_style="primary")
        self.fit_button.add_class("qd-fit-button")
        self.header.add_class("qd-fluence-header")
        self.fit_button.on_click(self.guarded(lambda _b: self.fit()))
        p = self.panels
        self.children = [
            self.error,
            self.header,
            p.traces_fig,
            W.HBox([p.sat_fig, p.bars_fig], layout=W.Layout(width="100%")),
            self.controls,
            W.HBox([self.fit_button]),
            p.table,
            self.code_panel(),
        ]
        start = start_values(self.data, s.wavelength, band_nm=band_nm, scaling=scaling)
        with self.quietly(), self.hold_trait_notifications():  # the traces are read already
            self.wavelength = s.wavelength
            self.band_nm = band_nm
            self.scaling = scaling
            self._set_params(start)
        self.observe(self.guarded(lambda _c: self._redraw()), names=list(self._state_keys[2:]))
        self.observe(self.guarded(self._on_where), names=["wavelength", "band_nm"])
        self._redraw()

    # -- controls ----------------------------------------------------------------------------
    def _build_controls(self, span: float) -> None:
        def log_slider(description: str, lo: float, hi: float) -> W.FloatLogSlider:
            return W.FloatLogSlider(
                description=description, min=math.log10(lo), max=math.log10(hi), step=0.01,
                readout_format=".3g", continuous_update=True,
                style={"description_width": "150px"}, layout=W.Layout(width="95%"),
            )  # fmt: skip

        self.occupancy_slider = log_slider("⟨N⟩ of top level", 0.01, 30.0)
        self.tau_xx_slider = log_slider("τ_XX (ps)", max(1e-3, span / 1e4), 10.0 * span)
        self.tau_x_slider = log_slider("τ_X (ps)", max(1e-2, span / 1e3), 100.0 * span)
        # display flex: ToggleButtons is a block, its label sat above the buttons
        self.scaling_toggle = W.ToggleButtons(
            options=list(fluence.SCALINGS), description="Auger scaling",
            style={"description_width": "150px"},
            layout=W.Layout(width="95%", display="flex", align_items="center"),
        )  # fmt: skip
        for slider, name in (
            (self.occupancy_slider, "occupancy"),
            (self.tau_xx_slider, "tau-xx"),
            (self.tau_x_slider, "tau-x"),
            (self.scaling_toggle, "scaling"),
        ):
            slider.add_class(f"qd-fluence-{name}")  # fmt: skip
        self._link_log(self.occupancy_slider, "max_occupancy")
        self._link_log(self.tau_xx_slider, "tau_xx")
        self._link_log(self.tau_x_slider, "tau_x")
        self.link_control(self.scaling_toggle, "scaling")
        self.controls = W.VBox(
            [self.occupancy_slider, self.tau_xx_slider, self.tau_x_slider, self.scaling_toggle]
        )

    def _link_log(self, slider: W.FloatLogSlider, name: str) -> None:
        """Tie a log slider to a trait; the slider's own rounding of an exact (fitted) value,
        which the front end sends back when it shows it, is not a move: the trait keeps the
        exact value and the slider keeps showing its rounding."""

        def to_trait(value: float) -> float:
            exact = float(getattr(self, name))
            return exact if snapped(slider, exact, value) else value

        def to_control(value: float) -> float:
            return float(slider.value) if snapped(slider, value, slider.value) else value

        self.link_control(slider, name, to_trait=to_trait, to_control=to_control)

    def _set_params(self, p: dict[str, float]) -> None:
        s = self._s
        self.max_occupancy = min(max(p["cross_section"] * float(s.pump.max()), 1e-3), 30.0)
        for key in ("tau_xx", "tau_x", "tau_cool", "irf_fwhm", "t0"):
            setattr(self, key, p[key])

    @property
    def params(self) -> dict[str, float]:
        """The model's parameters now (σ in 1/pump unit, times in ps)."""
        return {
            "cross_section": self.max_occupancy / float(self._s.pump.max()),
            "tau_xx": self.tau_xx,
            "tau_x": self.tau_x,
            "tau_cool": self.tau_cool,
            "irf_fwhm": self.irf_fwhm,
            "t0": self.t0,
        }

    # -- drawing -----------------------------------------------------------------------------
    def _readable(self, wavelength: float, band_nm: float) -> tuple[float, float]:
        """A wavelength and band whose traces make a fluence series (else FitError, a
        ValueError: the setting is refused and the widget keeps its traces)."""
        if not self.quiet:
            self._pending = series(self.data, wavelength, band_nm)
        return wavelength, band_nm

    def _on_where(self, _change: dict[str, Any]) -> None:
        s = self.__dict__.get("_pending") or series(self.data, self.wavelength, self.band_nm)
        self._pending = None
        self._s = s
        self.panels.data.y = s.y[:, self.panels.pos]
        self._result = None
        self.panels.table.value = table_html(None)
        self.show_warnings(())
        self._redraw()

    def _redraw(self) -> None:
        s, p = self._s, self.params
        self._drawn = self.panels.draw(s.t, s.y, s.pump, p["cross_section"], p, self.scaling)
        self.header.value = (
            f"<b>{escape(f'{s.wavelength:g}')} nm</b> · {s.pump.size} pump levels · σ = "
            f"{p['cross_section']:.4g} {escape(s.pump_units)}⁻¹ · ⟨N⟩ = "
            f"{p['cross_section'] * s.pump.min():.3g} … {self.max_occupancy:.3g}"
        )
        if self._result is None:
            self.panels.table.value = table_html(None)

    @property
    def model_traces(self) -> np.ndarray:
        """The model drawn now (OD), levels × delays."""
        return self._drawn["best_fit"]

    @property
    def poisson(self) -> np.ndarray:
        """The P(n) bars drawn now, levels × n."""
        return self._drawn["bars"]

    # -- fit ---------------------------------------------------------------------------------
    def fit(self) -> fluence.CascadeFit:
        """Fit every pump level with :func:`qdwidgets.core.fluence.fit_cascade` ("Fit").

        Returns
        -------
        CascadeFit
            The fit, also in ``result``; the sliders move to its values, its warnings show
            in the banner.
        """
        res = fluence.fit_cascade(
            self.data,
            self.wavelength,
            band_nm=self.band_nm,
            scaling=A.choice("scaling", self.scaling, fluence.SCALINGS),
        )
        self._show(res)
        return res

    def _show(self, res: fluence.CascadeFit) -> None:
        self._result = None
        with self.hold_trait_notifications():
            self._set_params({
                "cross_section": res.cross_section, "tau_xx": res.tau_xx, "tau_x": res.tau_x,
                "tau_cool": res.tau_cool, "irf_fwhm": res.irf_fwhm, "t0": res.t0,
            })  # fmt: skip
        self._result = res
        self._redraw()
        self.panels.table.value = table_html(res)
        self.show_warnings(res.warnings)

    @property
    def result(self) -> fluence.CascadeFit | None:
        """The last fit (a :class:`~qdwidgets.core.fluence.CascadeFit`), None before one."""
        return self._result

    # -- state and code ----------------------------------------------------------------------
    def restore_result(self, saved: Mapping[str, Any]) -> None:
        """Show the saved fit: ``result``, the table and its warnings.

        Parameters
        ----------
        saved : mapping
            ``state()["result"]``, a ``CascadeFit.to_dict()``.
        """
        from ..results import decode

        res = decode(dict(saved))
        if isinstance(res, fluence.CascadeFit):
            self._result = res
            self.panels.table.value = table_html(res)
            self.show_warnings(res.warnings)

    def to_code(self, data_name: str = "ta") -> str:
        """Python that repeats "Fit".

        Parameters
        ----------
        data_name : str, default 'ta'
            The variable that names the same dataset where the code runs.

        Returns
        -------
        str
            ``result = fluence.fit_cascade(...)`` with this explorer's wavelength (nm), band
            (nm) and scaling.
        """
        name = identifier("data_name", data_name)
        return (
            "from qdwidgets.core import fluence\n\n"
            f"result = fluence.fit_cascade({name}, wavelength={self.wavelength!r}, "
            f"band_nm={self.band_nm!r}, scaling={self.scaling!r})\n"
        )
