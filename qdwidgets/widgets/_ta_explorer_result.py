"""The TAExplorer's result and readout line (plain values; units ps, nm, OD)."""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

from ..core.gain import GainSpectrum
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
