"""KineticsFitter: Fig. 2f and Table 1 — multi-exponential fits of the bleach recovery.

A thin view over ``qdwidgets.core.kinetics``. The trace at the chosen wavelength (default: the
band edge found in the data, ``qdwidgets.core.gain.band_edge``; optionally averaged over a band)
is drawn for every pump level on a *linear-then-log* delay axis: two panels side by side, linear
up to ``split_ps`` (default 5 ps, so time zero and the IRF are visible) and logarithmic beyond,
each with the residual (inside the fit window) below. The fit window ("fit from … to …", dashed
lines) defaults to after the rise: from t0 + 2.5 IRF widths of the data's own rise to the last
delay; when it starts after the rise, t0 and the IRF width are held at the rise's values (the
window cannot determine them). One row of controls per component — lifetime τ (a log slider over
±1.5 decades around the current value, recentred after a fit), amplitude, and a lock that holds
τ during "Fit" — then the offset, the IRF width and t0 (within a few IRF widths). The controls
edit the parameters of the pump level picked in "edit"; moving one redraws that level's model at
once (model evaluation only); a slider's own rounding is never written back. "Fit" fits every
pump level from its current values (amplitudes are solved linearly, so a lock holds the lifetime
and the amplitude follows). The table is laid out like Table 1 with the pump levels side by side,
with standard errors; a component of the opposite sign to the signal is a *rise* and is labelled
so, never a share (``table_text`` to copy, "Export CSV" to save, "Copy code" for the Python that
repeats the fit). ``fitter.result`` is a ``KineticsSeries`` (several pump levels) or a
``KineticsFit`` (one), None before a fit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import traitlets
import xarray as xr

from .. import _args as A
from ..core import kinetics as K
from ..core.gain import band_edge
from ..core.kinetics import KineticsFit
from ..core.kinetics.dataset import after_rise_window
from ..errors import FitError
from ._base import QDWidget, boolean
from ._kinetics_code import Recipe
from ._kinetics_layout import MAX_COMPONENTS, DrawingMixin, build_controls, build_plots
from ._kinetics_params import ParamsMixin
from ._kinetics_state import StateMixin


class KineticsFitter(StateMixin, ParamsMixin, DrawingMixin, QDWidget):
    """Interactive multi-exponential (+ offset) ⊗ Gaussian-IRF fits at one wavelength.

    The trace at ``wavelength`` of every pump level, on a linear-then-log delay axis with the
    residuals below; one row of controls per component (τ slider, amplitude, lock), the offset,
    the IRF width and t0 of the pump level picked in "edit"; "Fit" fits every level
    (:func:`qdwidgets.core.kinetics.fit_trace`) and fills a Table-1 layout. Every setting is a
    trait (``observe`` and ``traitlets.link`` work); a bad value raises a
    :class:`~qdwidgets.widgets._base.SettingError` (a ``TraitError``), shows in the banner and
    the fitter keeps its last good state.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD over ``delay`` in ps and ``wavelength`` in nm); validated
        and copied, never changed.
    wavelength : float, optional
        Wavelength (nm) of the trace. Default: the band edge found in the data
        (:func:`qdwidgets.core.gain.band_edge`).
    delay_range : (float, float), optional
        Fit window (ps; ``window`` before 0.2, which warns). Default: after the rise, from
        t0 + 2.5 IRF widths of the data's own rise to the last delay
        (:func:`qdwidgets.core.kinetics.dataset.after_rise_window`).
    pump : float or sequence of float, optional
        Pump level(s) to fit (nearest measured, in the ``pump`` coordinate's units). Default:
        every level.
    band_nm : float, default 0
        Average the trace over ± ``band_nm``/2 (nm) around ``wavelength``.
    n_components : int, default 3
        Number of exponentials (1–4).

    Attributes
    ----------
    wavelength : float
        Trait: wavelength of the trace (nm), within the data.
    band_nm : float
        Trait: width of the averaged band (nm), 0 … the measured range.
    n_components : int
        Trait: number of exponentials, 1–4.
    offset_on : bool
        Trait: fit a constant offset (OD) too.
    split_ps : float
        Trait: where the linear delay panel ends and the log panel begins (ps).
    delay_range : list of float
        Trait: the fit window ``[low, high]`` (ps); it must hold n_components + 4 delays.
    locks : list of bool
        Trait: per component, hold its lifetime τ during Fit.
    irf_locked, t0_locked : bool
        Traits: hold the IRF width (ps) / time zero t0 (ps) during Fit.
    edit_index : int
        Trait: the pump level the controls edit.
    params : list of dict
        Trait: per pump level, the model's ``taus`` (ps), ``amplitudes`` (OD), ``offset``
        (OD), ``irf_fwhm`` (ps) and ``t0`` (ps).
    pumps : list of float
        The pump levels fitted (fixed when the fitter is opened).
    result : KineticsSeries or KineticsFit or None
        The last fit (several pump levels, or one), None before one.

    Examples
    --------
    >>> from qdwidgets import examples
    >>> from qdwidgets.widgets.kinetics_fitter import KineticsFitter
    >>> fitter = KineticsFitter(examples.ta(), pump=250.0, n_components=2)
    >>> fitter.wavelength, fitter.delay_range
    (639.0, [5.0, 7000.0])
    >>> fit = fitter.fit()
    >>> fit.converged, len(fit.taus)
    (True, 2)
    """

    _state_keys: ClassVar[tuple[str, ...]] = (
        "wavelength",
        "band_nm",
        "n_components",
        "offset_on",
        "split_ps",
        "locks",
        "params",
        "edit_index",
        "delay_range",
        "pumps",
        "irf_locked",
        "t0_locked",
    )
    _init_keys: ClassVar[Mapping[str, str]] = {"pumps": "pump"}
    _renamed_settings: ClassVar[Mapping[str, str]] = {"window": "delay_range"}  # saves before 0.2

    # set from the data (the band edge) on construction
    wavelength = traitlets.Float(0.0, help="wavelength of the trace (nm)")
    band_nm = traitlets.Float(0.0, help="width of the band averaged around it (nm)")
    n_components = traitlets.Int(3, help="number of exponentials (1-4)")
    offset_on = traitlets.Bool(True, help="fit a constant offset (OD)")
    split_ps = traitlets.Float(5.0, help="end of the linear delay panel (ps)")
    locks = traitlets.List(traitlets.Bool(), help="per component: hold τ during Fit")
    params = traitlets.List(  # one per pump level: taus, amplitudes, offset, ...
        traitlets.Dict(), help="per pump level: taus (ps), amplitudes, offset (OD), irf_fwhm, t0"
    )
    edit_index = traitlets.Int(0, help="the pump level the controls edit")
    delay_range = traitlets.List(
        traitlets.Float(), [0.0, 1.0], minlen=2, maxlen=2, help="fit window [low, high] (ps)"
    )
    irf_locked = traitlets.Bool(False, help="hold the IRF width during Fit")
    t0_locked = traitlets.Bool(False, help="hold t0 during Fit")

    @A.renamed(window="delay_range")
    def __init__(
        self,
        ta: xr.Dataset,
        *,
        wavelength: float | None = None,
        delay_range: tuple[float, float] | None = None,
        pump: Any = None,
        band_nm: float = 0.0,
        n_components: int = 3,
    ) -> None:
        super().__init__(ta)
        ds = self.data
        if pump is not None:
            pumps = np.atleast_1d(np.asarray(pump, dtype=float))
            ds = ds.sel(pump=pumps, method="nearest")
            self.data = ds
        self.delay = np.asarray(ds["delay"].values, dtype=float)
        wl = np.asarray(ds["wavelength"].values, dtype=float)
        self._pumps_given = None if pump is None else self.pumps
        self._result: Any = None
        self._recipe: Recipe | None = None
        self._traces: xr.DataArray | None = None
        self._onsets: list[tuple[float, float]] = []
        t = self.delay
        self.check_traits(
            {
                "wavelength": lambda v: A.number(
                    "wavelength", v, lo=float(wl.min()), hi=float(wl.max()), unit="nm"
                ),
                "band_nm": lambda v: A.number(
                    "band_nm", v, lo=0.0, hi=float(np.ptp(wl)), unit="nm"
                ),
                "n_components": lambda v: A.integer("n_components", v, lo=1, hi=MAX_COMPONENTS),
                "split_ps": lambda v: A.number("split_ps", v, lo=float(t[0]), hi=float(t[-1])),
                "edit_index": lambda v: A.integer("edit_index", v, lo=0, hi=self.n_pumps - 1),
                "delay_range": self._check_window,
                "offset_on": lambda v: boolean("offset_on", v),
                "irf_locked": lambda v: boolean("irf_locked", v),
                "t0_locked": lambda v: boolean("t0_locked", v),
                "locks": lambda v: [boolean("locks", x) for x in v],
            }
        )
        if wavelength is None:
            wavelength = band_edge(self.data)
        build_plots(self)
        build_controls(self, wl)
        self.children = [
            self.error, self.header, self.plots, self.controls, self.table_box, self.code_panel()
        ]  # fmt: skip
        self.add_class("qd-kinetics-fitter")
        with self.quietly(), self.hold_trait_notifications():
            self.wavelength = A.number(
                "wavelength", wavelength, lo=float(wl.min()), hi=float(wl.max()), unit="nm"
            )
            self.band_nm = band_nm
            self.n_components = n_components
        with self.reporting():
            self._load_traces()
            assert self._traces is not None
            chosen = delay_range if delay_range is not None else after_rise_window(self._traces)
            self.delay_range = list(chosen)
            self._guess()
            self._sync_controls()
            self._redraw_all()
        self._update_table()

    def _check_window(self, value: Any) -> list[float]:
        lo, hi = A.interval("delay_range", value, unit="ps", allow_none_ends=False)
        t = self.delay
        ok = (t >= lo) & (t <= hi)
        need = self.n_components + 4
        if int(ok.sum()) < need:
            raise A.ArgumentError(
                f"delay_range ({lo:g}, {hi:g}) ps holds {int(ok.sum())} delays; a fit with "
                f"{self.n_components} components needs at least {need}: widen it"
            )
        return [float(lo), float(hi)]

    # -- observers ----------------------------------------------------------------
    @traitlets.observe("delay_range")
    def _on_window(self, change: dict[str, Any]) -> None:
        if not self.quiet:
            with self.reporting():
                self._redraw_all()  # the window's edges and the residual inside it

    @traitlets.observe("wavelength", "band_nm")
    def _on_where(self, change: dict[str, Any]) -> None:
        if self.quiet:
            return
        with self.reporting():
            self._load_traces()
            self._result = None
            self._redraw_all()
            self._update_table()

    @traitlets.observe("split_ps")
    def _on_split(self, change: dict[str, Any]) -> None:
        if not self.quiet:
            self._redraw_all()

    @traitlets.observe("n_components")
    def _on_n(self, change: dict[str, Any]) -> None:
        if self.quiet or not self.params:
            return
        self._resize(int(change["new"]))

    @traitlets.observe("offset_on")
    def _on_offset(self, change: dict[str, Any]) -> None:
        if self.quiet or not self.params:
            return
        if not change["new"]:
            self.params = [{**p, "offset": 0.0} for p in self.params]
        self._sync_controls()
        self._redraw_all()

    @traitlets.observe("edit_index")
    def _on_edit_index(self, change: dict[str, Any]) -> None:
        if self.quiet or not self.params:
            return
        with self.quietly():
            self.edit_pick.value = int(change["new"])
        self._sync_controls()

    # -- parameters ----------------------------------------------------------------
    def add_component(self) -> None:
        """One more exponential (at most MAX_COMPONENTS), slower than the slowest.

        Raises
        ------
        FitError
            There are 4 components already.
        """
        if self.n_components >= MAX_COMPONENTS:
            raise FitError(f"at most {MAX_COMPONENTS} components")
        self.n_components += 1

    def remove_component(self) -> None:
        """Drop the last (slowest) exponential.

        Raises
        ------
        FitError
            Only one component is left.
        """
        if self.n_components <= 1:
            raise FitError("at least one component is needed")
        self.n_components -= 1

    def auto_start(self) -> None:
        """Replace every pump level's parameters by automatic start values."""
        self._guess()
        self._sync_controls()
        self._redraw_all()

    # -- fitting ----------------------------------------------------------------
    def fit(self) -> Any:
        """Fit every pump level from its current values ("Fit").

        Locked lifetimes (``locks``), and the IRF width and t0 when ``irf_locked`` /
        ``t0_locked`` (or when the window starts after the rise), are held; amplitudes are
        solved linearly. The controls move to the fitted values and the table fills.

        Returns
        -------
        KineticsSeries or KineticsFit
            Every pump level's fit (a ``KineticsFit`` when there is one level), also in
            ``result``; its warnings show in the banner.
        """
        assert self._traces is not None
        n = self.n_components
        fixed = [f"tau{i + 1}" for i in range(n) if self.locks[i]]
        if self.irf_locked:
            fixed.append("irf_fwhm")
        if self.t0_locked:
            fixed.append("t0")
        fits: list[KineticsFit] = []
        params: list[dict[str, Any]] = []
        recipe = Recipe(
            wavelength=float(self.wavelength),
            band_nm=float(self.band_nm),
            pumps=self._pumps_given,
            window=(float(self.delay_range[0]), float(self.delay_range[1])),
            n_components=n,
            offset=bool(self.offset_on),
        )
        for i in range(self.n_pumps):
            p = self.params[i]
            initial = {f"tau{k + 1}": float(p["taus"][k]) for k in range(n)}
            initial.update(irf_fwhm=float(p["irf_fwhm"]), t0=float(p["t0"]))
            held = list(fixed)
            if self._after_rise(i):  # t0 and the IRF are not in the window: hold them
                held += [name for name in ("irf_fwhm", "t0") if name not in held]
            recipe.initial.append(initial)
            recipe.fixed.append(held)
            fit = K.fit_trace(
                self._window_trace(i), n, offset=self.offset_on, initial=initial, fixed=held
            )
            fits.append(fit)
            params.append(
                {
                    "taus": list(fit.taus),
                    "amplitudes": list(fit.amplitudes),
                    "offset": fit.offset,
                    "irf_fwhm": fit.irf_fwhm,
                    "t0": fit.t0,
                }
            )
        locked = {round(float(self.params[0]["taus"][k]), 12) for k in range(n) if self.locks[k]}
        self.params = params
        self.locks = [round(t, 12) in locked for t in params[0]["taus"]]
        wl = float(np.asarray(self._traces["wavelength"].values))
        self._result = (
            fits[0]
            if len(fits) == 1
            else K.KineticsSeries(fits=tuple(fits), wavelength=wl, band_nm=float(self.band_nm))
        )
        self._recipe = recipe
        self._sync_controls()
        self._redraw_all()
        self._update_table()
        chi = ", ".join(f"{math.sqrt(f.redchi):.2g}" for f in fits)
        note = (
            " · t0 and IRF held (the window starts after the rise)" if self._after_rise(0) else ""
        )
        self.status.value = f"fitted: rms residual {chi} OD{note}"
        notes = [f"{f.pump_label or 'fit'}: {w}" for f in fits for w in getattr(f, "warnings", ())]
        self.show_warnings(notes)
        return self._result

    @property
    def result(self) -> Any:
        """The last fit (KineticsSeries for several pump levels, KineticsFit for one), or None."""
        return self._result
