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
from typing import Any, ClassVar

import numpy as np
import traitlets
import xarray as xr

from .._html import escape
from ..core import _args as A
from ..core import kinetics as K
from ..core.gain import band_edge
from ..core.kinetics import KineticsFit
from ..core.kinetics.dataset import after_rise_window, rise_onset
from ..errors import FitError
from ._base import QDWidget, boolean
from ._kinetics_code import Recipe
from ._kinetics_layout import COLORS, MAX_COMPONENTS, DrawingMixin, build_controls, build_plots
from ._kinetics_state import StateMixin
from ._kinetics_table import snapped


class KineticsFitter(StateMixin, DrawingMixin, QDWidget):
    """Interactive multi-exponential (+ offset) ⊗ Gaussian-IRF fits at one wavelength; the fit
    window is ``delay_range`` (ps; ``window`` before 0.2, which warns)."""

    _renamed_settings: ClassVar[dict[str, str]] = {"window": "delay_range"}  # saves before 0.2
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
    )

    wavelength = traitlets.Float(0.0)  # set from the data (the band edge) on construction
    band_nm = traitlets.Float(0.0)
    n_components = traitlets.Int(3)
    offset_on = traitlets.Bool(True)
    split_ps = traitlets.Float(5.0)
    locks = traitlets.List(traitlets.Bool())
    params = traitlets.List(traitlets.Dict())  # one per pump level: taus, amplitudes, offset, ...
    edit_index = traitlets.Int(0)
    delay_range = traitlets.List(
        traitlets.Float(), [0.0, 1.0], minlen=2, maxlen=2
    )  # fit window, ps

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
        self._building = True
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
        with self.hold_trait_notifications():
            self.wavelength = A.number(
                "wavelength", wavelength, lo=float(wl.min()), hi=float(wl.max()), unit="nm"
            )
            self.band_nm = band_nm
            self.n_components = n_components
        self._building = False
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
        if not self._building:
            with self.reporting():
                self._redraw_all()  # the window's edges and the residual inside it

    @traitlets.observe("wavelength", "band_nm")
    def _on_where(self, change: dict[str, Any]) -> None:
        if self._building:
            return
        with self.reporting():
            self._load_traces()
            self._result = None
            self._redraw_all()
            self._update_table()

    @traitlets.observe("split_ps")
    def _on_split(self, change: dict[str, Any]) -> None:
        if not self._building:
            self._redraw_all()

    @traitlets.observe("n_components")
    def _on_n(self, change: dict[str, Any]) -> None:
        if self._building or not self.params:
            return
        self._resize(int(change["new"]))

    def _on_row(self, i: int, key: str, value: float) -> None:
        if self._syncing or i >= self.n_components:
            return
        current = float(self.params[self.edit_index][key][i])
        if key == "taus":
            if snapped(self.rows[i]["tau"], current, value):
                return  # the slider's own rounding of the fitted value: keep the exact one
            value = A.positive(f"τ{i + 1}", value, unit="ps")
        else:
            value = A.number(f"A{i + 1}", value, unit="OD")
        self._set_param(key, float(value), index=i)

    def _on_scalar(self, key: str, value: float, slider: Any = None) -> None:
        if self._syncing:
            return
        if slider is not None and snapped(slider, float(self.params[self.edit_index][key]), value):
            return  # the slider's rounding, not the user's move
        check = A.non_negative if key == "irf_fwhm" else A.number
        self._set_param(key, check(key, value))

    def _on_lock(self, i: int, value: bool) -> None:
        if self._syncing or i >= self.n_components:
            return
        locks = list(self.locks)
        locks[i] = bool(value)
        self.locks = locks

    def _on_offset_check(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        self.offset_on = bool(change["new"])

    @traitlets.observe("offset_on")
    def _on_offset(self, change: dict[str, Any]) -> None:
        if self._building or not self.params:
            return
        if not change["new"]:
            self.params = [{**p, "offset": 0.0} for p in self.params]
        self._sync_controls()
        self._redraw_all()

    def _on_edit_pick(self, change: dict[str, Any]) -> None:
        if self._syncing or change["new"] is None:
            return
        self.edit_index = int(change["new"])
        self._sync_controls()

    _syncing = False

    # -- parameters ----------------------------------------------------------------
    def _set_param(self, key: str, value: float, index: int | None = None) -> None:
        params = [dict(p) for p in self.params]
        p = params[self.edit_index]
        if index is None:
            p[key] = value
        else:
            values = list(p[key])
            values[index] = value
            p[key] = values
        self.params = params
        self._redraw(self.edit_index)
        self._update_shares()

    def _guess(self, keep_taus: bool = False) -> None:
        """Automatic start values for every pump level (core.kinetics.initial_guess)."""
        assert self._traces is not None
        out = []
        for i in range(self.n_pumps):
            old = self.params[i] if keep_taus and i < len(self.params) else None
            t0, fwhm = self._onsets[i]
            out.append(
                K.initial_guess(
                    self._window_trace(i),
                    self.n_components,
                    offset=self.offset_on,
                    taus=old["taus"] if old else None,
                    t0=t0,
                    irf_fwhm=fwhm,
                )
            )
        self.params = out
        if len(self.locks) != self.n_components:
            self.locks = [False] * self.n_components

    def _resize(self, n: int) -> None:
        params = []
        for p in self.params:
            taus, amps = list(p["taus"]), list(p["amplitudes"])
            while len(taus) < n:  # a new component, slower than the slowest
                taus.append(min(10 ** self._tau_range[1], (taus[-1] if taus else 1.0) * 5))
                amps.append(0.0)
            params.append({**p, "taus": taus[:n], "amplitudes": amps[:n]})
        self.params = params
        self.locks = (list(self.locks) + [False] * n)[:n]
        self._sync_controls()
        self._redraw_all()

    def add_component(self) -> None:
        """One more exponential (at most 4)."""
        if self.n_components >= MAX_COMPONENTS:
            raise FitError(f"at most {MAX_COMPONENTS} components")
        self.n_components += 1

    def remove_component(self) -> None:
        """Drop the last (slowest) exponential (at least 1 remains)."""
        if self.n_components <= 1:
            raise FitError("at least one component is needed")
        self.n_components -= 1

    def auto_start(self) -> None:
        """Replace every pump level's parameters by automatic start values."""
        self._guess()
        self._sync_controls()
        self._redraw_all()

    # -- data ----------------------------------------------------------------
    def _load_traces(self) -> None:
        tr = K.extract_trace(self.data, self.wavelength, band_nm=self.band_nm)
        if "pump" not in tr.dims:
            tr = tr.expand_dims("pump")
        self._traces = tr
        self._onsets = [rise_onset(tr.isel(pump=i)) for i in range(self.n_pumps)]
        labels = [self._label(i) for i in range(self.n_pumps)]
        self._syncing = True
        try:
            self.edit_pick.options = [(lab, i) for i, lab in enumerate(labels)]
            self.edit_pick.value = min(self.edit_index, self.n_pumps - 1)
        finally:
            self._syncing = False
        swatches = " ".join(
            f"<span style='color:{COLORS[i % len(COLORS)]}'>● {escape(lab)}</span>"
            for i, lab in enumerate(labels)
        )
        where = f"{float(np.asarray(tr['wavelength'].values)):.1f} nm"
        band = f" (±{self.band_nm / 2:g} nm)" if self.band_nm > 0 else ""
        self.legend.value = (
            f"<b>ΔA at {where}{band}</b> &nbsp; {swatches} &nbsp; "
            "<span style='color:#777'>▮ fit window</span>"
        )

    def _label(self, i: int) -> str:
        ds = self.data
        if "occupancy" in ds.coords:
            return f"⟨N⟩ ≈ {float(ds['occupancy'].values[i]):.3g}"
        unit = ds["pump"].attrs.get("units", "")
        return f"{float(ds['pump'].values[i]):g} {unit}".strip()

    # -- fitting ----------------------------------------------------------------
    def fit(self) -> Any:
        """Fit every pump level from its current values, holding locked lifetimes (and a locked
        IRF width / t0). Returns (and stores in ``result``) a KineticsSeries or KineticsFit."""
        assert self._traces is not None
        n = self.n_components
        fixed = [f"tau{i + 1}" for i in range(n) if self.locks[i]]
        if self.irf_lock.value:
            fixed.append("irf_fwhm")
        if self.t0_lock.value:
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
