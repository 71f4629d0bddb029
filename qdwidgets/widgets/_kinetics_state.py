"""KineticsFitter: its settings restored from a saved state (and the saved result)."""

from __future__ import annotations

from typing import Any

import xarray as xr


class StateMixin:
    """``apply_settings`` and ``from_state`` of KineticsFitter (see that class)."""

    _building: bool
    params: list[dict[str, Any]]
    locks: list[bool]
    edit_index: int
    _result: Any

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings, then reload the trace and redraw."""
        self._building = True
        try:
            for key in ("wavelength", "band_nm", "n_components", "offset_on", "split_ps", "window"):
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
        settings = {k: decode(v) for k, v in state.get("settings", {}).items()}
        pumps = settings.pop("pumps", None)
        widget: Any = cls(data, pump=list(pumps) if pumps else None)  # type: ignore[call-arg]
        widget.apply_settings(settings)
        if state.get("result"):
            widget._result = decode(state["result"])
            widget._update_table()
        return widget
