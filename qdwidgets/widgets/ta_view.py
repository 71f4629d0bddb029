"""TAView: the TA map anywidget (canvas map, colour bar, spectrum and kinetics panels, slider).

A view that only holds arrays and numbers; no science happens here. The browser draws and
scrubs from the float32 buffers already sent; only the settled cursor (``delay``,
``wavelength``) comes back to Python. ``TAExplorer`` builds one from a dataset and computes the
``readout`` and ``crossings``. Colours: diverging RdBu_r, blue negative, red positive.
"""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import numpy as np
import traitlets as T

from ..errors import DatasetError
from ._base import to_binary

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"
BUNDLE = STATIC / "ta_view.js"
BUILD_HINT = (
    "run `npm --prefix js ci && npm --prefix js run build` in the qdwidgets source tree, "
    "or reinstall qdwidgets (`pip install -e .` builds it)"
)


def _bundle() -> pathlib.Path:
    if not BUNDLE.is_file():
        raise FileNotFoundError(f"the TAView JavaScript bundle {BUNDLE} is missing: {BUILD_HINT}")
    return BUNDLE


def _empty(ndim: int) -> dict[str, Any]:
    return to_binary(np.zeros((0,) * ndim, dtype=np.float32))


def _shared_binary(values: Any) -> dict[str, Any]:
    """Like ``to_binary``, but a C-ordered float32 array is sent from its own memory (no copy):
    the view of a large map then holds no second copy of the data."""
    arr = np.ascontiguousarray(values, dtype=np.float32)
    if arr.size == 0:
        return to_binary(arr)
    return {"view": arr.data.cast("B"), "dtype": "float32", "shape": list(arr.shape)}


def _nearest(grid: list[float], value: float) -> float:
    """The grid value nearest to ``value`` (grid increasing); ``value`` when the grid is empty."""
    if not grid or not np.isfinite(value):
        return value
    arr = np.asarray(grid, dtype=float)
    return float(arr[int(np.argmin(np.abs(arr - value)))])


def _finite(proposal: dict[str, Any]) -> float:
    value = float(proposal["value"])
    if not np.isfinite(value):
        raise T.TraitError(f"{proposal['trait'].name} must be finite, got {value}")
    return value


class TAView(anywidget.AnyWidget):
    """TA map + spectrum + kinetics drawn in the browser from ``dA`` [P, D, W] and ``A0`` [W].

    A view that holds arrays and numbers only (no science): the browser draws and scrubs from
    float32 buffers sent once (:meth:`set_data`); only the settled cursor comes back. Every
    setting is a synced trait (``observe`` and ``traitlets.link`` work, the front end moves
    them too); fixed choices are ``Enum`` traits. ``noise`` [P, W] (OD) and ``gain_k``: the
    spectrum panel shades gain where A_ex < −k·σ, the rule of
    :func:`qdwidgets.core.gain.gain_spectrum`; without ``noise`` where A_ex < 0. ``readout``:
    Python's line for the settled cursor; while the user scrubs, the browser rewrites its part
    after " · " for the cursor it shows.

    Parameters
    ----------
    **kwargs
        Initial values of the traits below (e.g. ``height=400``).

    Attributes
    ----------
    delays : list of float
        Trait: the delay axis (ps), increasing.
    wavelengths : list of float
        Trait: the wavelength axis (nm), increasing.
    delay : float
        Trait: the settled delay (ps), snapped to ``delays``.
    wavelength : float
        Trait: the settled wavelength (nm), snapped to ``wavelengths``.
    pump_index : int
        Trait: index of the pump level shown (≥ 0).
    quantity : {'dA', 'A_ex'}
        Trait: the map shown.
    log_delay : bool
        Trait: symmetric-log delay axis, linear within ± ``linthresh`` (ps, > 0).
    vmax : float
        Trait: colour limit (OD, ≥ 0); 0 = the 99.5th percentile of the map's magnitude.
    colormap : {'RdBu_r'}
        Trait: diverging, blue negative, red positive.
    crossings : list of float or None
        Trait: the zero crossing (ps) of each pump level, None where there is none.
    gain_k : float
        Trait: the gain threshold in noise σ (≥ 0).
    playing : bool
        Trait: the play button runs the delay forward every ``play_step_ms`` (ms, > 0).
    height : int
        Trait: the height of the view (px, > 0).

    Examples
    --------
    >>> import numpy as np
    >>> from qdwidgets.widgets.ta_view import TAView
    >>> view = TAView(height=300)
    >>> view.set_data(np.zeros((2, 3, 4)), [0.0, 1.0, 2.0], [600.0, 610.0, 620.0, 630.0])
    >>> view.delay = 1.2  # snapped to the delay axis
    >>> view.delay
    1.0
    """

    # The bundle's text, read in __init__: a missing bundle gives a clear error at construction
    # instead of breaking ``import qdwidgets`` (anywidget would read a class-level path at import).
    _esm = T.Unicode("").tag(sync=True)

    dA = T.Dict(default_value=_empty(3)).tag(sync=True)
    A0 = T.Dict(default_value=_empty(1)).tag(sync=True)
    noise = T.Dict(default_value=_empty(2)).tag(sync=True)
    gain_k = T.Float(3.0, help="gain threshold in noise σ").tag(sync=True)
    delays = T.List(T.Float(), default_value=[], help="delay axis (ps)").tag(sync=True)
    wavelengths = T.List(T.Float(), default_value=[], help="wavelength axis (nm)").tag(sync=True)
    pump_labels = T.List(T.Unicode(), default_value=[]).tag(sync=True)
    pump_index = T.Int(0, help="index of the pump level shown").tag(sync=True)
    quantity = T.Enum(("dA", "A_ex"), default_value="dA", help="the map shown").tag(sync=True)
    delay = T.Float(0.0, help="settled delay (ps)").tag(sync=True)
    wavelength = T.Float(0.0, help="settled wavelength (nm)").tag(sync=True)
    log_delay = T.Bool(False, help="symmetric-log delay axis").tag(sync=True)
    linthresh = T.Float(1.0, help="linear part of the log axis (ps)").tag(sync=True)
    vmax = T.Float(0.0, help="colour limit (OD); 0 = automatic").tag(sync=True)
    colormap = T.Enum(("RdBu_r",), default_value="RdBu_r").tag(sync=True)
    crossings = T.List(T.Float(allow_none=True), default_value=[]).tag(sync=True)
    readout = T.Unicode("").tag(sync=True)
    playing = T.Bool(False, help="the delay runs forward").tag(sync=True)
    play_step_ms = T.Int(80, help="time per delay step when playing (ms)").tag(sync=True)
    height = T.Int(360, help="height of the view (px)").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_esm=_bundle().read_text(encoding="utf-8"), **kwargs)

    # -- validation (shapes and ranges only; the widget holds no science) ----------------------
    @T.validate("pump_index")
    def _check_pump(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise T.TraitError(f"pump_index must be >= 0, got {value}")
        return value

    @T.validate("delay")
    def _snap_delay(self, proposal: dict[str, Any]) -> float:
        return _nearest(self.delays, _finite(proposal))

    @T.validate("wavelength")
    def _snap_wavelength(self, proposal: dict[str, Any]) -> float:
        return _nearest(self.wavelengths, _finite(proposal))

    @T.validate("linthresh", "play_step_ms", "height")
    def _positive(self, proposal: dict[str, Any]) -> Any:
        if not proposal["value"] > 0:
            raise T.TraitError(f"{proposal['trait'].name} must be > 0, got {proposal['value']}")
        return proposal["value"]

    @T.validate("crossings")
    def _crossings(self, proposal: dict[str, Any]) -> list[float | None]:
        # NaN is not valid JSON: "no crossing" travels as None (null)
        return [None if v is None or not np.isfinite(v) else float(v) for v in proposal["value"]]

    @T.validate("gain_k")
    def _gain_k(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not (np.isfinite(value) and value >= 0):
            raise T.TraitError(f"gain_k must be a finite value >= 0, got {value}")
        return value

    @T.validate("vmax")
    def _vmax(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not (np.isfinite(value) and value >= 0):
            raise T.TraitError(f"vmax must be a finite value >= 0 (0 = automatic), got {value}")
        return value

    # -- convenience ---------------------------------------------------------------------------
    def set_data(
        self,
        dA: Any,
        delays: Any,
        wavelengths: Any,
        *,
        A0: Any = None,
        pump_labels: list[str] | None = None,
        noise: Any = None,
        gain_k: float | None = None,
    ) -> None:
        """Send new arrays in one message (a float32 ``dA`` is sent without a copy).

        Parameters
        ----------
        dA : array_like
            ΔA (OD), shaped (pump, delay, wavelength), or (delay, wavelength) for one level.
        delays : array_like
            Delays (ps), finite and strictly increasing.
        wavelengths : array_like
            Wavelengths (nm), finite and strictly increasing.
        A0 : array_like, optional
            Ground-state absorbance (OD), one per wavelength; without it only ΔA is shown.
        pump_labels : list of str, optional
            One menu label per pump level (default "pump 0", "pump 1", ...).
        noise : array_like, optional
            σ of ΔA (OD), shaped (pump, wavelength), for the gain shading.
        gain_k : float, optional
            The gain threshold in σ (keeps the current one when None).

        Raises
        ------
        DatasetError
            A shape does not match, or an axis is not finite and increasing.
        """
        arr = np.asarray(dA, dtype=np.float32)
        if arr.ndim == 2:
            arr = arr[None]
        d = np.asarray(delays, dtype=float).ravel()
        w = np.asarray(wavelengths, dtype=float).ravel()
        if arr.ndim != 3 or arr.shape[1:] != (d.size, w.size):
            raise DatasetError(
                f"dA has shape {arr.shape}; expected (pump, {d.size} delays, {w.size} wavelengths)"
                " — pass dA ordered (pump, delay, wavelength)"
            )
        for name, axis in (("delays", d), ("wavelengths", w)):
            if not np.all(np.isfinite(axis)) or np.any(np.diff(axis) <= 0):
                raise DatasetError(f"{name} must be finite and strictly increasing; sort the data")
        a0 = None if A0 is None else np.asarray(A0, dtype=np.float32).ravel()
        if a0 is not None and a0.size != w.size:
            raise DatasetError(f"A0 has {a0.size} values; expected one per wavelength ({w.size})")
        sig = None if noise is None else np.asarray(noise, dtype=np.float32)
        if sig is not None and sig.shape != (arr.shape[0], w.size):
            raise DatasetError(
                f"noise has shape {sig.shape}; expected ({arr.shape[0]} pump levels, {w.size} "
                "wavelengths)"
            )
        labels = (
            list(pump_labels) if pump_labels is not None else [f"pump {i}" for i in range(len(arr))]
        )
        if len(labels) != len(arr):
            raise DatasetError(f"{len(labels)} pump labels for {len(arr)} pump levels")
        with self.hold_sync():
            self.delays = d.tolist()
            self.wavelengths = w.tolist()
            self.dA = _shared_binary(arr)
            self.A0 = to_binary(a0) if a0 is not None else _empty(1)
            self.noise = to_binary(sig) if sig is not None else _empty(2)
            if gain_k is not None:
                self.gain_k = float(gain_k)
            self.pump_labels = labels
            self.crossings = [None] * len(arr)
            if self.pump_index >= len(arr):
                self.pump_index = 0
            if a0 is None:
                self.quantity = "dA"
            self.delay = _nearest(self.delays, self.delay)
            self.wavelength = _nearest(self.wavelengths, self.wavelength)
