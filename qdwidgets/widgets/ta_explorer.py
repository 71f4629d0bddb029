"""TAExplorer: slide the delay and watch A_ex = ΔA + A0 cross zero (paper Fig. 2b–c).

A thin view over :mod:`qdwidgets.core.gain`: the TA arrays go to the browser once (TAView draws
map, spectrum, kinetics and scrubs the delay there); Python hears only the settled cursor and
answers with a one-line readout and, on a wavelength change, that wavelength's zero crossings.
Units: delay ps, wavelength nm, ΔA/A0/A_ex OD.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
import xarray as xr

from ..core import gain
from ..errors import DatasetError
from ._base import QDWidget
from ._ta_explorer_result import ExplorerResult, readout_line
from .ta_view import TAView

__all__ = ["ExplorerResult", "TAExplorer"]


class TAExplorer(QDWidget):
    """Explore A_ex = ΔA + A0 of a TA dataset: map, spectrum and kinetics with a delay slider.

    ``wavelength`` (nm, default the band edge: the red-most A0 peak), ``pump`` (a pump
    coordinate value or a level index; default the highest level), ``delay`` (ps, default the
    zero crossing there), ``band_nm`` (average A_ex over ± band_nm/2 for the crossing). The
    map, slider, play button, ΔA/A_ex toggle, log-delay box and pump menu are in ``view``
    (a :class:`~qdwidgets.widgets.ta_view.TAView`); the wavelength, band and colour-limit boxes
    are ipywidgets below it. The delay axis starts symmetric-log when the delays span more than
    100 ps. ``result`` holds the current numbers (:class:`ExplorerResult`).
    """

    _state_keys: ClassVar[tuple[str, ...]] = (
        "pump_index",
        "wavelength",
        "band_nm",
        "delay",
        "quantity",
        "log_delay",
        "vmax",
    )

    def __init__(
        self,
        ta: xr.Dataset,
        *,
        wavelength: float | None = None,
        pump: float | None = None,
        delay: float | None = None,
        band_nm: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(ta, **kwargs)
        self.add_class("qd-ta-explorer")
        ds = self.data
        self._t = ds["delay"].values.astype(float)
        self._wl = ds["wavelength"].values.astype(float)
        self._dA = ds["dA"].transpose("pump", "delay", "wavelength").values.astype(float)
        self._has_a0 = "A0" in ds.data_vars
        self._a0 = ds["A0"].values.astype(float) if self._has_a0 else None
        self._aex = self._dA + self._a0 if self._a0 is not None else None
        self._pumps = ds["pump"].values.astype(float)
        self._pump_units = str(ds["pump"].attrs.get("units", ""))
        self._occ = (
            ds["occupancy"].values.astype(float)
            if "occupancy" in ds.coords
            else np.full(self._pumps.size, np.nan)
        )
        self._band = float(band_nm)
        self._cross = np.full(self._pumps.size, np.nan)
        self._cross_err = np.full(self._pumps.size, np.nan)
        self._centre = float("nan")
        self._updating = False

        self.view = TAView()
        self.view.set_data(self._dA, self._t, self._wl, A0=self._a0, pump_labels=self._labels())
        step = float(np.median(np.diff(self._wl))) if self._wl.size > 1 else 1.0
        self.wavelength_box = W.BoundedFloatText(
            description="λ (nm)",
            min=float(self._wl[0]),
            max=float(self._wl[-1]),
            step=step,
            value=float(self._wl[0]),
            layout=W.Layout(width="190px"),
        )
        self.wavelength_box.add_class("qd-wavelength")
        self.band_box = W.BoundedFloatText(
            description="band (nm)",
            min=0.0,
            max=float(self._wl[-1] - self._wl[0]),
            step=step,
            value=self._band,
            layout=W.Layout(width="190px"),
            tooltip="average A_ex over ± band/2 for the zero crossing",
        )
        self.band_box.add_class("qd-band")
        self.vmax_box = W.BoundedFloatText(
            description="|colour| ≤",
            min=0.0,
            max=1e9,
            step=1e-3,
            value=0.0,
            layout=W.Layout(width="190px"),
            tooltip="colour limit in OD (0 = automatic)",
        )
        self.vmax_box.add_class("qd-vmax")
        controls = W.HBox([self.wavelength_box, self.band_box, self.vmax_box])
        controls.add_class("qd-explorer-controls")
        self.children = [self.error, self.view, controls]

        self.wavelength_box.observe(self.guarded(self._on_wavelength_box), "value")
        self.band_box.observe(self.guarded(self._on_band_box), "value")
        self.vmax_box.observe(self.guarded(self._on_vmax_box), "value")
        self.view.observe(self.guarded(self._on_view_wavelength), "wavelength")
        self.view.observe(self.guarded(self._on_view_delay), "delay")
        self.view.observe(self.guarded(self._on_view_pump), "pump_index")
        self.view.observe(self.guarded(self._on_view_quantity), "quantity")
        self.view.observe(self.guarded(self._on_view_vmax), "vmax")

        self._a0_message = ""
        if not self._has_a0:
            try:
                gain.a_ex(ds)
            except DatasetError as exc:  # shown in the banner for as long as the view lives
                self._a0_message = f"ΔA only: {exc}"
        self._start(wavelength, self._pump_to_index(pump), delay)
        self.clear_error()

    def clear_error(self) -> None:
        """Clear the banner (a dataset without A0 keeps its notice)."""
        if getattr(self, "_a0_message", ""):
            self.show_error(self._a0_message)
        else:
            super().clear_error()

    # -- set-up -------------------------------------------------------------------------------
    def _labels(self) -> list[str]:
        out = []
        for p, n in zip(self._pumps, self._occ, strict=True):
            text = f"{p:g} {self._pump_units}".strip()
            out.append(f"{text} (⟨N⟩ ≈ {n:.1f})" if math.isfinite(n) else text)
        return out

    def _pump_to_index(self, pump: float | None) -> int:
        if pump is None:
            return int(self._pumps.size - 1)
        hit = np.flatnonzero(np.isclose(self._pumps, float(pump), rtol=1e-9, atol=0.0))
        if hit.size:
            return int(hit[0])
        if isinstance(pump, (int, np.integer)) and 0 <= int(pump) < self._pumps.size:
            return int(pump)
        levels = ", ".join(f"{p:g}" for p in self._pumps)
        raise DatasetError(
            f"pump: {pump!r} is neither a pump level ({levels} {self._pump_units}) nor a level "
            f"index 0…{self._pumps.size - 1}. Fix: pass one of them"
        )

    def _start(self, wavelength: float | None, pump_index: int, delay: float | None) -> None:
        wl = gain.band_edge(self.data) if wavelength is None else float(wavelength)
        with self.view.hold_sync():
            self.view.pump_index = pump_index
            self.view.quantity = "A_ex" if self._has_a0 else "dA"
            # delays over more than two decades (fs to ns): a symmetric-log delay axis
            self.view.log_delay = bool(self._t[-1] - self._t[0] > 100.0 * self.view.linthresh)
            self._set_wavelength(wl)
            p = self.view.pump_index
            start = (
                delay
                if delay is not None
                else (self._cross[p] if math.isfinite(self._cross[p]) else 1.0)
            )
            self.view.delay = float(start)
            self._refresh_readout()

    # -- callbacks (each: a few array look-ups, one small message) -------------------------------
    def _set_wavelength(self, wavelength: float) -> None:
        gain.band_trace(self._wl[None, :], self._wl, float(wavelength), 0.0)  # range check
        old = self.view.wavelength
        self.view.wavelength = float(wavelength)  # snapped to the grid by TAView
        if self.view.wavelength == old:  # no change event: update here
            self._update_crossings()

    def _update_crossings(self) -> None:
        wl = float(self.view.wavelength)
        if self._aex is not None:
            vals, errs, _, self._centre = gain.crossings_at(
                self._t, self._aex, self._wl, wl, band_nm=self._band
            )
            self._cross, self._cross_err = vals, errs
        else:
            self._centre = wl
        crossings: list[Any] = [float(v) if math.isfinite(v) else None for v in self._cross]
        self.view.crossings = crossings
        if self.wavelength_box.value != wl:
            self._updating = True
            try:
                self.wavelength_box.value = wl
            finally:
                self._updating = False

    def _on_view_wavelength(self, change: dict[str, Any]) -> None:
        with self.view.hold_sync():
            self._update_crossings()
            self._refresh_readout()

    def _on_view_delay(self, change: dict[str, Any]) -> None:
        self._refresh_readout()

    def _on_view_pump(self, change: dict[str, Any]) -> None:
        if not 0 <= self.view.pump_index < self._pumps.size:
            self.view.pump_index = int(np.clip(self.view.pump_index, 0, self._pumps.size - 1))
            return
        self._refresh_readout()

    def _on_view_quantity(self, change: dict[str, Any]) -> None:
        if change["new"] == "A_ex" and not self._has_a0:
            self.view.quantity = "dA"
            gain.a_ex(self.data)  # raises with the fix: shown in the banner

    def _on_view_vmax(self, change: dict[str, Any]) -> None:
        if self.vmax_box.value != change["new"]:
            self.vmax_box.value = change["new"]

    def _on_wavelength_box(self, change: dict[str, Any]) -> None:
        if not self._updating:
            with self.view.hold_sync():
                self._set_wavelength(float(change["new"]))
                self._refresh_readout()

    def _on_band_box(self, change: dict[str, Any]) -> None:
        self._band = float(change["new"])
        with self.view.hold_sync():
            self._update_crossings()
            self._refresh_readout()

    def _on_vmax_box(self, change: dict[str, Any]) -> None:
        self.view.vmax = float(change["new"])

    # -- readout and result ---------------------------------------------------------------------
    def _cursor(self) -> tuple[int, int, int]:
        t_i = int(np.argmin(np.abs(self._t - self.view.delay)))
        w_i = int(np.argmin(np.abs(self._wl - self.view.wavelength)))
        return int(self.view.pump_index), t_i, w_i

    def readout_text(self) -> str:
        """The one-line summary shown in the view (delay ps, wavelength nm, OD)."""
        p, t_i, w_i = self._cursor()
        row = self._aex[p, t_i] if self._aex is not None else None
        return readout_line(
            wavelength=float(self._wl[w_i]),
            band_nm=self._band,
            delay=float(self._t[t_i]),
            occupancy=float(self._occ[p]),
            dA=float(self._dA[p, t_i, w_i]),
            a_ex=float(row[w_i]) if row is not None else None,
            crossing=float(self._cross[p]),
            crossing_stderr=float(self._cross_err[p]),
            gain_bands=gain.negative_regions(self._wl, row) if row is not None else (),
        )

    def _refresh_readout(self) -> None:
        text = self.readout_text()
        if self.view.readout != text:
            self.view.readout = text

    @property
    def result(self) -> ExplorerResult:
        """The current numbers (see :class:`ExplorerResult`)."""
        p, t_i, w_i = self._cursor()
        spectrum = None
        if self._aex is not None:
            spectrum = gain.gain_spectrum_of(
                float(self._t[t_i]),
                self.data["pump"],
                self.data["wavelength"],
                self._aex[:, t_i, :],
            )
        return ExplorerResult(
            delay=float(self._t[t_i]),
            wavelength=float(self._wl[w_i]),
            band_nm=self._band,
            pump=float(self._pumps[p]),
            pump_units=self._pump_units,
            pump_index=p,
            occupancy=float(self._occ[p]),
            dA=float(self._dA[p, t_i, w_i]),
            a_ex=float(self._aex[p, t_i, w_i]) if self._aex is not None else float("nan"),
            crossing=float(self._cross[p]),
            crossing_stderr=float(self._cross_err[p]),
            crossings=tuple(float(v) for v in self._cross),
            crossings_stderr=tuple(float(v) for v in self._cross_err),
            gain=spectrum,
        )

    # -- settings (state keys), forwarded to the view ---------------------------------------------
    @property
    def delay(self) -> float:
        """Settled delay (ps), a grid value."""
        return float(self.view.delay)

    @delay.setter
    def delay(self, value: float) -> None:
        self.view.delay = float(value)

    @property
    def wavelength(self) -> float:
        """Settled wavelength (nm), a grid value."""
        return float(self.view.wavelength)

    @wavelength.setter
    def wavelength(self, value: float) -> None:
        with self.view.hold_sync():
            self._set_wavelength(float(value))
            self._refresh_readout()

    @property
    def pump_index(self) -> int:
        """Index of the pump level shown."""
        return int(self.view.pump_index)

    @pump_index.setter
    def pump_index(self, value: int) -> None:
        index = int(value)
        if not 0 <= index < self._pumps.size:
            raise DatasetError(
                f"pump_index: {index} out of range; this dataset has {self._pumps.size} pump "
                f"level(s), indices 0…{self._pumps.size - 1}"
            )
        self.view.pump_index = index

    @property
    def band_nm(self) -> float:
        """Width (nm) over which A_ex is averaged for the zero crossing."""
        return self._band

    @band_nm.setter
    def band_nm(self, value: float) -> None:
        self.band_box.value = float(value)

    @property
    def quantity(self) -> str:
        """'A_ex' or 'dA': the map shown."""
        return str(self.view.quantity)

    @quantity.setter
    def quantity(self, value: str) -> None:
        self.view.quantity = value

    @property
    def log_delay(self) -> bool:
        """Symmetric-log delay axis."""
        return bool(self.view.log_delay)

    @log_delay.setter
    def log_delay(self, value: bool) -> None:
        self.view.log_delay = bool(value)

    @property
    def vmax(self) -> float:
        """Colour limit (OD); 0 = automatic."""
        return float(self.view.vmax)

    @vmax.setter
    def vmax(self, value: float) -> None:
        self.vmax_box.value = float(value)
