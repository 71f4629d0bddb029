"""KineticsFitter: the reactions to its controls, the model's parameters and the traces."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from .. import _args as A
from .._html import escape
from ..core import kinetics as K
from ..core.kinetics.dataset import rise_onset
from ..data.contract import pump_level_text
from ._kinetics_layout import COLORS
from ._kinetics_table import snapped


class ParamsMixin:
    """Controls → parameters, start values, component count and traces of KineticsFitter."""

    # provided by KineticsFitter
    data: xr.Dataset
    params: list[dict[str, Any]]
    locks: list[bool]
    rows: list[dict[str, Any]]
    n_components: int
    n_pumps: int
    edit_index: int
    offset_on: bool
    wavelength: float
    band_nm: float
    edit_pick: Any
    legend: Any
    _traces: xr.DataArray | None
    _onsets: list[tuple[float, float]]
    _tau_range: tuple[float, float]

    if TYPE_CHECKING:

        def _window_trace(self, i: int) -> xr.DataArray: ...
        def _redraw(self, i: int) -> None: ...
        def _redraw_all(self) -> None: ...
        def _update_shares(self) -> None: ...
        def _sync_controls(self) -> None: ...

    def _on_row(self, i: int, key: str, value: float) -> None:
        if i >= self.n_components:
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
        if slider is not None and snapped(slider, float(self.params[self.edit_index][key]), value):
            return  # the slider's rounding, not the user's move
        check = A.non_negative if key == "irf_fwhm" else A.number
        self._set_param(key, check(key, value))

    def _on_lock(self, i: int, value: bool) -> None:
        if i >= self.n_components:
            return
        locks = list(self.locks)
        locks[i] = bool(value)
        self.locks = locks

    def _on_edit_pick(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self.edit_index = int(change["new"])

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

    def _load_traces(self) -> None:
        tr = K.extract_trace(self.data, self.wavelength, band_nm=self.band_nm)
        if "pump" not in tr.dims:
            tr = tr.expand_dims("pump")
        self._traces = tr
        self._onsets = [rise_onset(tr.isel(pump=i)) for i in range(self.n_pumps)]
        labels = [self._label(i) for i in range(self.n_pumps)]
        with self.quietly():  # type: ignore[attr-defined]
            self.edit_pick.options = [(lab, i) for i, lab in enumerate(labels)]
            self.edit_pick.value = min(self.edit_index, self.n_pumps - 1)
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
        return pump_level_text(float(ds["pump"].values[i]), str(ds["pump"].attrs.get("units", "")))
