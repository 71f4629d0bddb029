"""TAExplorer's settings: traits (the ``state()`` keys) and their checks, in step with TAView."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import traitlets

from .. import _args
from ..core import gain
from ..errors import DatasetError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import ipywidgets as W
    import xarray as xr

    from .ta_view import TAView

#: the settings the explorer shares with its TAView (the browser moves them)
VIEW_TRAITS = ("delay", "wavelength", "pump_index", "quantity", "log_delay", "vmax")
QUANTITIES = ("A_ex", "dA")


class ExplorerSettings(traitlets.HasTraits):
    """Traits ``delay``, ``wavelength``, ``pump_index``, ``band_nm``, ``quantity``,
    ``log_delay`` and ``vmax`` of :class:`~qdwidgets.widgets.ta_explorer.TAExplorer`.

    Each is checked (``check_traits``); those in :data:`VIEW_TRAITS` follow the view both ways:
    a value set here is sent to the browser, a value the browser settles is set here (and
    refused the same way, the view going back to the last good value)."""

    delay = traitlets.Float(0.0, help="settled delay (ps), a value of the delay grid")
    wavelength = traitlets.Float(0.0, help="settled wavelength (nm), a value of the grid")
    pump_index = traitlets.Int(0, help="index of the pump level shown")
    band_nm = traitlets.Float(0.0, help="width (nm) A_ex is averaged over for the crossing")
    quantity = traitlets.Enum(QUANTITIES, "A_ex", help="the map shown: A_ex or dA")
    log_delay = traitlets.Bool(False, help="symmetric-log delay axis")
    vmax = traitlets.Float(0.0, help="colour limit (OD); 0 = automatic")

    view: TAView
    data: xr.Dataset
    band_box: W.BoundedFloatText
    _t: np.ndarray
    _wl: np.ndarray
    _pumps: np.ndarray
    _has_a0: bool

    if TYPE_CHECKING:

        def check_traits(self, checks: Mapping[str, Callable[[Any], Any]]) -> None: ...
        def guarded(self, func: Callable[..., Any]) -> Callable[..., None]: ...
        def show_error(self, message: str) -> None: ...

    def _check_settings(self) -> None:
        """Declare the check of every setting (see ``QDWidget.check_traits``)."""
        self.check_traits(
            {
                "delay": lambda v: _nearest(self._t, _args.number("delay", v, unit="ps")),
                "wavelength": self._check_wavelength,
                "pump_index": self._check_pump_index,
                "band_nm": self._check_band,
                "vmax": lambda v: _args.non_negative("vmax", v, unit="OD"),
                "quantity": self._check_quantity,
            }
        )

    def _check_wavelength(self, value: Any) -> float:
        wl = _args.number("wavelength", value, unit="nm")
        gain.band_trace(self._wl[None, :], self._wl, wl, 0.0)  # outside the data: DatasetError
        return _nearest(self._wl, wl)

    def _check_pump_index(self, value: Any) -> int:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise _args.ArgumentError(f"pump_index must be an integer, not {value!r}")
        index = int(value)
        if not 0 <= index < self._pumps.size:
            raise DatasetError(
                f"pump_index: {index} out of range; this dataset has {self._pumps.size} pump "
                f"level(s). Fix: give an index in 0…{self._pumps.size - 1}"
            )
        return index

    def _check_band(self, value: Any) -> float:
        band = _args.non_negative("band_nm", value, unit="nm")
        top = float(self.band_box.max)
        if band > top:
            raise _args.ArgumentError(
                f"band_nm must be at most the measured range, {top:g} nm, got {band:g} nm"
            )
        return band

    def _check_quantity(self, value: Any) -> str:
        if value == "A_ex" and not self._has_a0:
            gain.a_ex(self.data)  # raises with the fix (attach_absorbance)
        return str(value)

    # -- kept in step with the view ---------------------------------------------------------
    def _follow_view(self) -> None:
        """Send each shared setting to the view, and take the view's settled values."""
        self.observe(self._to_view, names=list(VIEW_TRAITS))
        self.view.observe(self.guarded(self._from_view), names=list(VIEW_TRAITS))

    def _to_view(self, change: Any) -> None:
        if getattr(self.view, change["name"]) != change["new"]:
            setattr(self.view, change["name"], change["new"])

    def _from_view(self, change: Any) -> None:
        name, value = change["name"], change["new"]
        if name == "pump_index":  # a stale front end: the nearest level there is
            value = int(np.clip(value, 0, self._pumps.size - 1))
        try:
            setattr(self, name, value)
        finally:  # refused (already in the banner) or normalised: the view shows ours
            if getattr(self.view, name) != getattr(self, name):
                setattr(self.view, name, getattr(self, name))


def _nearest(grid: np.ndarray, value: float) -> float:
    """The grid value nearest to ``value``."""
    return float(grid[int(np.argmin(np.abs(grid - value)))]) if grid.size else float(value)
