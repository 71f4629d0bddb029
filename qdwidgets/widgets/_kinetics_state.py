"""KineticsFitter: the fit window's trace, the last fit as code, and its settings restored from
a saved state (with the saved result)."""

from __future__ import annotations

from typing import Any

import xarray as xr

from ..errors import FitError
from ._base import identifier
from ._kinetics_code import recipe_code


class StateMixin:
    """Window, code and state of KineticsFitter (see that class)."""

    _traces: Any
    _onsets: list[tuple[float, float]]
    _recipe: Any
    delay_range: list[float]
    n_pumps: int

    _building: bool
    params: list[dict[str, Any]]
    locks: list[bool]
    edit_index: int
    _result: Any

    def _window_trace(self, i: int) -> xr.DataArray:
        assert self._traces is not None
        lo, hi = self.delay_range
        return self._traces.isel(pump=i).sel(delay=slice(lo, hi))

    def _after_rise(self, i: int) -> bool:
        """Whether the window starts after pump level ``i``'s rise (its t0 + one IRF width):
        then t0 and the IRF width cannot be fitted and are held at their current values."""
        t0, fwhm = self._onsets[i]
        return float(self.delay_range[0]) > t0 + fwhm

    def to_code(self, data_name: str = "ta") -> str:
        """Python that repeats the last Fit on the dataset named ``data_name`` (the same data
        this widget was opened on); it leaves the fit in ``result``."""
        identifier("data_name", data_name)
        if self._recipe is None:
            why = "this fit was restored from a saved state" if self._result else "no fit yet"
            raise FitError(f"{why}: press Fit first, then ask for its code")
        return recipe_code(self._recipe, data_name, self.n_pumps)

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings, then reload the trace and redraw."""
        self._building = True
        try:
            for key in (
                "wavelength",
                "band_nm",
                "n_components",
                "offset_on",
                "split_ps",
                "delay_range",
            ):
                if key in settings:
                    setattr(self, key, settings[key])
        finally:
            self._building = False
        self._load_traces()  # type: ignore[attr-defined]
        if "params" in settings:
            self.params = [
                {k: (list(v) if isinstance(v, tuple) else v) for k, v in dict(p).items()}
                for p in settings["params"]
            ]
        if "locks" in settings:
            self.locks = [bool(v) for v in settings["locks"]]
        if "edit_index" in settings:
            self.edit_index = int(settings["edit_index"])
        self._sync_controls()  # type: ignore[attr-defined]
        self._redraw_all()  # type: ignore[attr-defined]

    @classmethod
    def from_state(cls, data: xr.Dataset, state: dict[str, Any]) -> Any:
        """Rebuild a fitter with the saved settings and the saved result."""
        from ..errors import QDError
        from ..results import decode

        if state.get("widget") != cls.__name__:
            raise QDError(
                f"this state was saved by {state.get('widget')!r}, not {cls.__name__}; "
                f"restore it with qdwidgets.{state.get('widget')}.from_state(data, state)"
            )
        new = getattr(cls, "_renamed_settings", {})
        settings = {new.get(k, k): decode(v) for k, v in state.get("settings", {}).items()}
        pumps = settings.pop("pumps", None)
        widget: Any = cls(data, pump=list(pumps) if pumps else None)  # type: ignore[call-arg]
        widget.apply_settings(settings)
        if state.get("result"):
            widget._result = decode(state["result"])
            widget._update_table()
        return widget
