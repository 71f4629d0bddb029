"""TAExplorer's settings (the ``state()`` keys), forwarded to its TAView and boxes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core import _args
from ..errors import DatasetError

if TYPE_CHECKING:
    import ipywidgets as W
    import numpy as np

    from .ta_view import TAView


class ExplorerSettings:
    """Properties ``delay``, ``wavelength``, ``pump_index``, ``band_nm``, ``quantity``,
    ``log_delay`` and ``vmax`` of :class:`~qdwidgets.widgets.ta_explorer.TAExplorer`."""

    view: TAView
    band_box: W.BoundedFloatText
    vmax_box: W.BoundedFloatText
    _pumps: np.ndarray
    _band: float

    def _set_wavelength(self, wavelength: float) -> None:
        raise NotImplementedError

    def _refresh_readout(self) -> None:
        raise NotImplementedError

    # -- settings (state keys), forwarded to the view ---------------------------------------------
    @property
    def delay(self) -> float:
        """Settled delay (ps), a grid value."""
        return float(self.view.delay)

    @delay.setter
    def delay(self, value: float) -> None:
        self.view.delay = _args.number("delay", value, unit="ps")

    @property
    def wavelength(self) -> float:
        """Settled wavelength (nm), a grid value."""
        return float(self.view.wavelength)

    @wavelength.setter
    def wavelength(self, value: float) -> None:
        value = _args.number("wavelength", value, unit="nm")
        with self.view.hold_sync():
            self._set_wavelength(value)
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
        value = _args.non_negative("band_nm", value, unit="nm")
        if value > self.band_box.max:
            raise _args.ArgumentError(
                f"band_nm must be at most the measured range, {self.band_box.max:g} nm, "
                f"got {value:g} nm"
            )
        self.band_box.value = value

    @property
    def quantity(self) -> str:
        """'A_ex' or 'dA': the map shown."""
        return str(self.view.quantity)

    @quantity.setter
    def quantity(self, value: str) -> None:
        self.view.quantity = _args.choice("quantity", value, ("A_ex", "dA"))

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
        self.vmax_box.value = _args.non_negative("vmax", value, unit="OD")
