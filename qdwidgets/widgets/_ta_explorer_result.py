"""The TAExplorer's result and readout line (plain values; units ps, nm, OD).

:func:`explorer_result` computes the result from a dataset and the explorer's settings with
``qdwidgets.core`` only (no widget): the widget's ``result`` and its ``to_code()`` both use it.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from .. import _args
from ..core import gain
from ..core.gain import GainSpectrum
from ..data.contract import validate
from ..errors import DatasetError
from ..results import Result


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class ExplorerResult(Result):
    """The numbers under the explorer's cursor.

    delay (ps), wavelength (nm, the grid value), band_nm (averaging width, nm), pump (pump
    coordinate value) with pump_units, pump_index, occupancy ⟨N⟩ (NaN when unknown); dA and
    a_ex (OD) at the cursor for that pump level (a_ex NaN without A0); crossing ± crossing_stderr
    (ps) for that level and crossings / crossings_stderr for every level (NaN: A_ex never
    reaches zero, or no A0); gain: the :class:`~qdwidgets.core.gain.GainSpectrum` at the delay
    (None without A0).
    """

    delay: float
    wavelength: float
    band_nm: float
    pump: float
    pump_units: str
    pump_index: int
    occupancy: float
    dA: float
    a_ex: float
    crossing: float
    crossing_stderr: float
    crossings: tuple[float, ...]
    crossings_stderr: tuple[float, ...]
    gain: GainSpectrum | None

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "delay",
        "wavelength",
        "pump",
        "occupancy",
        "dA",
        "a_ex",
        "crossing",
        "crossing_stderr",
        "crossings",
    )
    _units: ClassVar[dict[str, str]] = {
        "delay": "ps",
        "wavelength": "nm",
        "band_nm": "nm",
        "dA": "OD",
        "a_ex": "OD",
        "crossing": "ps",
        "crossing_stderr": "ps",
        "crossings": "ps",
        "crossings_stderr": "ps",
    }

    def _fields_for_display(self) -> list[tuple[str, Any]]:
        rows = gain.with_units(super()._fields_for_display(), self._units)
        return [(f"pump ({self.pump_units})" if n == "pump" else n, v) for n, v in rows]


def pump_index_of(pumps: np.ndarray, pump: Any, units: str = "") -> int:
    """Index of ``pump`` among the levels ``pumps`` (a level value, else a level index);
    the highest level for None."""
    if pump is None:
        return int(pumps.size - 1)
    value = _args.number("pump", pump)
    hit = np.flatnonzero(np.isclose(pumps, value, rtol=1e-9, atol=0.0))
    if hit.size:
        return int(hit[0])
    if isinstance(pump, (int, np.integer)) and 0 <= int(pump) < pumps.size:
        return int(pump)
    levels = ", ".join(f"{p:g}" for p in pumps)
    raise DatasetError(
        f"pump: {pump!r} is neither a pump level ({levels} {units}) nor a level "
        f"index 0…{pumps.size - 1}. Fix: pass one of them"
    )


def explorer_result(
    ta: xr.Dataset,
    *,
    wavelength: float,
    delay: float,
    pump: float | None = None,
    band_nm: float = 0.0,
    k: float = gain.GAIN_K,
) -> ExplorerResult:
    """The numbers TAExplorer shows at ``wavelength`` nm, ``delay`` ps and pump level ``pump``.

    Both are snapped to the nearest grid value; ``pump`` is a pump coordinate value (default the
    highest level); ``band_nm`` the averaging width of the zero crossing (nm); ``k`` the gain
    threshold in units of the noise σ (:func:`qdwidgets.core.gain.gain_spectrum`).

    Returns
    -------
    ExplorerResult
        The same object as ``TAExplorer(ta, ...).result``.
    """
    ds = validate(ta, "ta")
    band = _args.non_negative("band_nm", band_nm, unit="nm")
    t = ds["delay"].values.astype(float)
    wl = ds["wavelength"].values.astype(float)
    pumps = ds["pump"].values.astype(float)
    units = str(ds["pump"].attrs.get("units", ""))
    p = pump_index_of(pumps, pump, units)
    t_i = int(np.argmin(np.abs(t - _args.number("delay", delay, unit="ps"))))
    w_i = int(np.argmin(np.abs(wl - _args.number("wavelength", wavelength, unit="nm"))))
    gain.band_trace(wl[None, :], wl, float(wavelength), band)  # range check, names the fix
    occ = ds["occupancy"].values.astype(float) if "occupancy" in ds.coords else None
    da = float(ds["dA"].values[p, t_i, w_i])
    nan = float("nan")
    cross = err = np.full(pumps.size, nan)
    spectrum, a_ex = None, nan
    if "A0" in ds.data_vars:
        zc = gain.zero_crossing(ds, float(wl[w_i]), band_nm=band)
        cross, err = zc.values.astype(float), zc["zero_crossing_stderr"].values.astype(float)
        spectrum = gain.gain_spectrum(ds, float(t[t_i]), k=k)
        a_ex = float(da + float(ds["A0"].values[w_i]))
    return ExplorerResult(
        delay=float(t[t_i]),
        wavelength=float(wl[w_i]),
        band_nm=band,
        pump=float(pumps[p]),
        pump_units=units,
        pump_index=p,
        occupancy=float(occ[p]) if occ is not None else nan,
        dA=da,
        a_ex=a_ex,
        crossing=float(cross[p]),
        crossing_stderr=float(err[p]),
        crossings=tuple(float(v) for v in cross),
        crossings_stderr=tuple(float(v) for v in err),
        gain=spectrum,
    )


def _fmt_err(value: float, err: float) -> str:
    if not math.isfinite(err):
        return f"{value:.2f} ps"
    if err < 0.005:
        return f"{value:.3f} ± {err:.3f} ps"
    return f"{value:.2f} ± {err:.2f} ps"


def readout_line(
    *,
    wavelength: float,
    band_nm: float,
    delay: float,
    occupancy: float,
    dA: float,
    a_ex: float | None,
    crossing: float,
    crossing_stderr: float,
    gain_bands: tuple[tuple[float, float], ...],
) -> str:
    """E.g. "A_ex(639 nm) crosses zero at 2.31 ± 0.05 ps (⟨N⟩ ≈ 1.0) · at 2.3 ps: A_ex =
    −0.0012 OD, gain 630–652 nm" (the widest gain band); "ΔA(...) ... · A_ex needs A0" when
    ``a_ex`` is None."""
    occ = f" (⟨N⟩ ≈ {occupancy:.1f})" if math.isfinite(occupancy) else ""
    band = f" ± {band_nm / 2:g}" if band_nm > 0 else ""
    if a_ex is None:
        return (
            f"ΔA({wavelength:.4g}{band} nm) = {dA:+.4f} OD at {delay:.3g} ps{occ} · A_ex needs A0"
        )
    if math.isfinite(crossing):
        head = (
            f"A_ex({wavelength:.4g}{band} nm) crosses zero at "
            f"{_fmt_err(crossing, crossing_stderr)}{occ}"
        )
    else:
        head = f"A_ex({wavelength:.4g}{band} nm) does not reach zero{occ}"
    tail = f" · at {delay:.3g} ps: A_ex = {a_ex:+.4f} OD"
    if gain_bands:
        lo, hi = max(gain_bands, key=lambda b: b[1] - b[0])
        tail += f", gain {lo:.0f}–{hi:.0f} nm"
    return head + tail
