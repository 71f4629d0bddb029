"""TAExplorer: slide the delay and watch A_ex = ΔA + A0 cross zero (paper Fig. 2b–c).

A thin view over :mod:`qdwidgets.core.gain`: the TA arrays go to the browser once (TAView draws
map, spectrum, kinetics and scrubs the delay there); Python hears only the settled cursor and
answers with a one-line readout and, on a wavelength change, that wavelength's zero crossings.
Units: delay ps, wavelength nm, ΔA/A0/A_ex OD.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, ClassVar

import ipywidgets as W
import numpy as np
import xarray as xr

from ..core import gain
from ..core._time_zero import detect as _detect_time_zero
from ..data.contract import pump_level_text
from ..errors import DatasetError
from ._base import QDWidget, identifier, to_binary
from ._ta_explorer_result import ExplorerResult, explorer_result, pump_index_of, readout_line
from ._ta_explorer_settings import VIEW_TRAITS, ExplorerSettings
from .ta_view import TAView

__all__ = ["ExplorerResult", "TAExplorer", "explorer_result"]


class TAExplorer(ExplorerSettings, QDWidget):
    """Explore A_ex = ΔA + A0 of a TA dataset: map, spectrum and kinetics with a delay slider.

    The map, slider, play button, ΔA/A_ex toggle, log-delay box and pump menu are in ``view``
    (a :class:`~qdwidgets.widgets.ta_view.TAView`, drawn in the browser); the wavelength, band
    and colour-limit boxes are ipywidgets below it. Every setting is a trait: ``observe`` it,
    ``traitlets.link`` it to another explorer or a control; a bad value raises a
    :class:`~qdwidgets.widgets._base.SettingError` (a ``TraitError``), shows in the banner and
    the explorer keeps its last good state.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD over ``delay`` in ps and ``wavelength`` in nm, optionally
        ``pump`` levels and ``A0`` in OD); it is validated and copied, never changed.
    wavelength : float, optional
        Wavelength (nm) of the kinetics and the zero crossing. Default: the band edge, the
        red-most peak of A0 (:func:`qdwidgets.core.gain.band_edge`).
    pump : float, optional
        A value of the ``pump`` coordinate (in its units) or a level index. Default: the
        highest level.
    delay : float, optional
        Delay (ps) of the spectrum. Default: the zero crossing of A_ex there, else where the
        signal is established after the data's own time zero.
    band_nm : float, default 0
        Average A_ex over ± ``band_nm``/2 (nm) around ``wavelength`` for the zero crossing.
    **kwargs
        Layout keywords of :class:`ipywidgets.VBox` (``layout``, ...); any other keyword
        raises ``TypeError``.

    Attributes
    ----------
    delay : float
        Trait: the settled delay (ps), snapped to a measured delay.
    wavelength : float
        Trait: the settled wavelength (nm), snapped to a measured wavelength.
    pump_index : int
        Trait: index of the pump level shown (0 … number of levels − 1).
    band_nm : float
        Trait: width (nm) over which A_ex is averaged for the zero crossing (≥ 0, at most the
        measured range).
    quantity : {'A_ex', 'dA'}
        Trait: the map shown ('A_ex' needs A0 in the dataset).
    log_delay : bool
        Trait: symmetric-log delay axis (on by default when the delays span more than 100 ps).
    vmax : float
        Trait: colour limit of the map (OD); 0 = automatic.
    result : ExplorerResult
        The current numbers (A_ex, zero crossing, gain bands) at the cursor.
    view : TAView
        The browser-drawn map, spectrum and kinetics.

    Examples
    --------
    >>> import traitlets
    >>> from qdwidgets import examples
    >>> from qdwidgets.widgets.ta_explorer import TAExplorer
    >>> ex = TAExplorer(examples.ta(), pump=100.0)
    >>> ex.wavelength, ex.quantity
    (639.0, 'A_ex')
    >>> other = TAExplorer(examples.ta())
    >>> link = traitlets.link((ex, "delay"), (other, "delay"))
    >>> ex.delay = 2.0  # settles on the nearest measured delay, in both explorers
    >>> ex.delay, other.delay
    (1.98, 1.98)
    >>> round(ex.result.crossing, 1)
    2.3
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
        # the data's own array (no copy); the view's float32 buffer shares it when it is float32
        self._dA = ds["dA"].transpose("pump", "delay", "wavelength").values
        self._has_a0 = "A0" in ds.data_vars
        self._a0 = ds["A0"].values.astype(float) if self._has_a0 else None
        self._pumps = ds["pump"].values.astype(float)
        self._pump_units = str(ds["pump"].attrs.get("units", ""))
        self._occ = (
            ds["occupancy"].values.astype(float)
            if "occupancy" in ds.coords
            else np.full(self._pumps.size, np.nan)
        )
        self._noise = gain.spectral_noise(self._t, self._dA)
        self._cross = np.full(self._pumps.size, np.nan)
        self._cross_err = np.full(self._pumps.size, np.nan)
        self._centre = float("nan")

        self.view = TAView()
        self.view.set_data(
            self._dA,
            self._t,
            self._wl,
            A0=self._a0,
            pump_labels=self._labels(),
            noise=self._noise,
            gain_k=gain.GAIN_K,
        )
        step = float(np.median(np.diff(self._wl))) if self._wl.size > 1 else 1.0
        self._wl_digits = max(1, -math.floor(math.log10(step))) if step > 0 else 1
        self.wavelength_box = W.BoundedFloatText(
            description="λ (nm)",
            min=round(float(self._wl[0]), self._wl_digits) - step,
            max=round(float(self._wl[-1]), self._wl_digits) + step,
            step=round(step, self._wl_digits) or step,
            value=round(float(self._wl[0]), self._wl_digits),
            layout=W.Layout(width="190px"),
        )
        self.wavelength_box.add_class("qd-wavelength")
        self.band_box = W.BoundedFloatText(
            description="band (nm)",
            min=0.0,
            max=round(float(self._wl[-1] - self._wl[0]), self._wl_digits),
            step=round(step, self._wl_digits) or step,
            value=0.0,
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
        self._controls = W.HBox([self.wavelength_box, self.band_box, self.vmax_box])
        self._controls.add_class("qd-explorer-controls")
        self.children = [self.error, self.view, self._controls, self.code_panel()]

        self._a0_message = ""
        if not self._has_a0:
            try:
                gain.a_ex(ds)
            except DatasetError as exc:  # shown in the banner for as long as the view lives
                self._a0_message = f"ΔA only: {exc}"
        self._check_settings()  # a refused value shows in the banner too (see the base)
        self._follow_view()
        self.observe(self.guarded(self._on_where), names=["wavelength", "band_nm"])
        self.observe(self.guarded(lambda _c: self._refresh_readout()), ["delay", "pump_index"])
        digits = self._wl_digits
        self.link_control(self.wavelength_box, "wavelength", to_control=lambda v: round(v, digits))
        self.link_control(self.band_box, "band_nm")
        self.link_control(self.vmax_box, "vmax")
        self._start(wavelength, pump_index_of(self._pumps, pump, self._pump_units), delay, band_nm)
        self.clear_error()

    def close(self) -> None:
        """Close the view and its controls and let go of the data (buffers, arrays, observers).

        Closing twice does nothing. The dataset the explorer was opened on is untouched.
        """
        if getattr(self, "_closed", False):
            return
        self._closed = True
        names = ("view", "wavelength_box", "band_box", "vmax_box", "_controls", "code_button")
        widgets = [w for w in (getattr(self, n, None) for n in (*names, "code_box")) if w]
        for widget in widgets:
            widget.unobserve_all()
        for widget in [*widgets, getattr(self, "error", None)]:
            if widget is not None:
                widget.close()
        empty = np.zeros((0, 0, 0), dtype=np.float32)
        view = getattr(self, "view", None)
        if view is not None:  # the comm is closed: nothing is sent
            view.set_trait("dA", to_binary(empty))
            view.set_trait("noise", to_binary(np.zeros((0, 0), dtype=np.float32)))
        self._dA = empty
        self._a0 = None
        self._noise = np.zeros((0, 0))
        self.children = []
        super().close()
        with contextlib.suppress(AttributeError):
            del self.data

    def clear_error(self) -> None:
        """Clear the banner (a dataset without A0 keeps its notice)."""
        if getattr(self, "_a0_message", ""):
            self.show_error(self._a0_message)
        else:
            super().clear_error()

    # -- set-up -------------------------------------------------------------------------------
    def _labels(self) -> list[str]:
        """Menu labels: "100 nJ (⟨N⟩ ≈ 1.2)"; a single level without a unit is "pump"."""
        out = []
        for p, n in zip(self._pumps, self._occ, strict=True):
            text = pump_level_text(p, self._pump_units)
            out.append(f"{text} (⟨N⟩ ≈ {n:.1f})" if math.isfinite(n) else text)
        return out

    def _default_delay(self, p: int) -> float:
        """The zero crossing of level p (A_ex only reaches zero once the excitation is there),
        else where the signal is established (:func:`qdwidgets.core.gain.established_delay`):
        after the data's own time zero, wherever the delay axis starts."""
        cross = float(self._cross[p])
        if math.isfinite(cross):
            return cross
        wl = float(self.wavelength)
        _, established = _detect_time_zero(self._t, self._dA, self._wl, wl, self.band_nm)
        if math.isfinite(established):
            return established
        after = self._t[self._t >= 0]
        return float(after[0] if after.size else self._t[0])

    def _start(
        self, wavelength: float | None, pump_index: int, delay: float | None, band_nm: float
    ) -> None:
        wl = gain.band_edge(self.data) if wavelength is None else float(wavelength)
        with self.view.hold_sync():
            self.pump_index = pump_index
            self.quantity = "A_ex" if self._has_a0 else "dA"
            # delays over more than two decades (fs to ns): a symmetric-log delay axis
            self.log_delay = bool(self._t[-1] - self._t[0] > 100.0 * self.view.linthresh)
            self.band_nm = band_nm
            old = self.wavelength
            self.wavelength = wl
            if self.wavelength == old:  # no change event: the crossings here
                self._update_crossings()
            self.delay = self._default_delay(pump_index) if delay is None else float(delay)
            for name in VIEW_TRAITS:  # a setting that kept its default sent no change event
                self._to_view({"name": name, "new": getattr(self, name)})
            self._refresh_readout()

    # -- callbacks (each: a few array look-ups, one small message) -------------------------------
    def _update_crossings(self) -> None:
        wl, band = float(self.wavelength), float(self.band_nm)
        if self._a0 is not None:
            cols = gain.band_columns(self._wl, wl, band)
            sub = self._dA[:, :, cols].astype(float) + self._a0[cols]  # (pump, delay, band)
            vals, errs, _, self._centre = gain.crossings_at(
                self._t, sub, self._wl[cols], wl, band_nm=band
            )
            self._cross, self._cross_err = vals, errs
        else:
            self._centre = wl
        crossings: list[Any] = [float(v) if math.isfinite(v) else None for v in self._cross]
        self.view.crossings = crossings

    def _on_where(self, change: dict[str, Any]) -> None:
        """The wavelength or the band changed: that wavelength's zero crossings, the readout."""
        with self.view.hold_sync():
            self._update_crossings()
            self._refresh_readout()

    # -- readout and result ---------------------------------------------------------------------
    def _cursor(self) -> tuple[int, int, int]:
        t_i = int(np.argmin(np.abs(self._t - self.delay)))
        w_i = int(np.argmin(np.abs(self._wl - self.wavelength)))
        return int(self.pump_index), t_i, w_i

    def _row(self, p: int, t_i: int) -> np.ndarray | None:
        """A_ex (OD) over wavelength at one pump level and delay; None without A0."""
        if self._a0 is None:
            return None
        return np.asarray(self._dA[p, t_i], dtype=float) + self._a0

    def readout_text(self) -> str:
        """The one-line summary shown in the view.

        Returns
        -------
        str
            The crossing (ps) at the wavelength (nm), and A_ex (OD) at the delay (ps) and
            pump level of the cursor, with the gain bands there.
        """
        p, t_i, w_i = self._cursor()
        row = self._row(p, t_i)
        bands = gain.gain_bands(self._wl, row, self._noise[p]) if row is not None else ()
        return readout_line(
            wavelength=float(self._wl[w_i]),
            band_nm=self.band_nm,
            delay=float(self._t[t_i]),
            occupancy=float(self._occ[p]),
            dA=float(self._dA[p, t_i, w_i]),
            a_ex=float(row[w_i]) if row is not None else None,
            crossing=float(self._cross[p]),
            crossing_stderr=float(self._cross_err[p]),
            gain_bands=bands,
        )

    def _refresh_readout(self) -> None:
        text = self.readout_text()
        if self.view.readout != text:
            self.view.readout = text

    @property
    def result(self) -> ExplorerResult:
        """The current numbers (see :class:`ExplorerResult`), as :func:`explorer_result` gives."""
        return explorer_result(
            self.data,
            wavelength=self.wavelength,
            delay=self.delay,
            pump=float(self._pumps[self.pump_index]),
            band_nm=self.band_nm,
        )

    def to_code(self, data_name: str = "ta") -> str:
        """The explorer's current numbers as Python (no widget needed).

        Parameters
        ----------
        data_name : str, default 'ta'
            The variable that names the same dataset where the code runs.

        Returns
        -------
        str
            Code that leaves :func:`explorer_result` at the explorer's wavelength (nm), delay
            (ps), pump and band (nm) in ``result``.
        """
        data_name = identifier("data_name", data_name)
        pump = float(self._pumps[self.pump_index])
        return (
            "from qdwidgets.widgets.ta_explorer import explorer_result\n\n"
            f"result = explorer_result(\n    {data_name},\n"
            f"    wavelength={self.wavelength!r},\n    delay={self.delay!r},\n"
            f"    pump={pump!r},\n    band_nm={self.band_nm!r},\n)\n"
        )
