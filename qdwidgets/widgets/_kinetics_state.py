"""KineticsFitter: the fit window's trace, the last fit as code, and its settings restored from
a saved state (with the saved result)."""

from __future__ import annotations

from collections.abc import Mapping
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
        """The last Fit as Python.

        Parameters
        ----------
        data_name : str, default 'ta'
            The variable that names the dataset this fitter was opened on, where the code runs.

        Returns
        -------
        str
            Code that leaves the fit in ``result``.

        Raises
        ------
        FitError
            There is no fit yet, or it was restored from a saved state (press Fit again).
        """
        identifier("data_name", data_name)
        if self._recipe is None:
            why = "this fit was restored from a saved state" if self._result else "no fit yet"
            raise FitError(f"{why}: press Fit first, then ask for its code")
        return recipe_code(self._recipe, data_name, self.n_pumps)

    def apply_settings(self, settings: dict[str, Any]) -> None:
        """Set saved settings quietly, then reload the trace and redraw once.

        Parameters
        ----------
        settings : dict
            ``state()["settings"]``.
        """
        keys = ("wavelength", "band_nm", "n_components", "offset_on", "split_ps", "delay_range")
        with self.quietly():  # type: ignore[attr-defined]
            for key in (*keys, "irf_locked", "t0_locked"):
                if key in settings:
                    setattr(self, key, settings[key])
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

    def restore_result(self, saved: Mapping[str, Any]) -> None:
        """Show the saved fit as ``result`` and in the table.

        Parameters
        ----------
        saved : mapping
            ``state()["result"]``, a ``KineticsSeries`` or ``KineticsFit`` ``to_dict()``.
        """
        from ..results import decode

        self._result = decode(dict(saved))
        self._update_table()  # type: ignore[attr-defined]
