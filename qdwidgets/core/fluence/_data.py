"""The band-edge traces of a fluence series, the checks of what they can determine, and starts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ... import _args
from ...data.contract import validate
from ...errors import FitError
from .._traces import trace_noise
from ..kinetics._options import fit_options
from ..kinetics.dataset import extract_trace


@dataclass(frozen=True)
class Series:
    """Band-edge traces (levels × delays, OD) of a validated TA dataset, pump increasing."""

    trace: xr.DataArray  # ΔA over (pump, delay) at the band edge
    t: np.ndarray  # delays (ps)
    y: np.ndarray  # levels × delays (OD)
    pump: np.ndarray  # pump levels
    pump_units: str
    wavelength: float
    band_nm: float
    noise: np.ndarray  # per level (OD)
    occupancy: np.ndarray | None  # the dataset's ⟨N⟩ per level, when it has one


def series(ta: xr.Dataset, wavelength: Any, band_nm: Any, *, min_levels: int = 3) -> Series:
    """Validate ``ta`` and read ΔA at ``wavelength`` (default the band edge) per pump level.

    Raises FitError when there are fewer than ``min_levels`` pump levels, when the pump has no
    units or is not positive, or when the trace holds no bleach above its noise.
    """
    from ..gain import band_edge

    with fit_options():
        band_nm = _args.non_negative("band_nm", band_nm, unit="nm")
        if wavelength is not None:
            wavelength = _args.number("wavelength", wavelength, unit="nm")
    ds = validate(ta, "ta")
    if "pump" not in ds["dA"].dims or ds.sizes["pump"] < min_levels:
        n = ds.sizes.get("pump", 1) if "pump" in ds["dA"].dims else 1
        raise FitError(
            f"a fluence series needs at least {min_levels} pump levels; this dataset has {n}. "
            "Fix: measure (or combine into one dataset) more pump fluences"
        )
    units = str(ds["pump"].attrs.get("units", "")).strip()
    if not units:
        raise FitError(
            "the pump coordinate has no units, so σ (in 1/pump unit) would mean nothing. Fix: "
            "ta['pump'].attrs['units'] = 'nJ' (or µJ cm⁻², photons cm⁻², …)"
        )
    pump = np.asarray(ds["pump"].values, dtype=float)
    if not np.all(np.isfinite(pump)) or np.any(pump <= 0):
        raise FitError(
            f"pump levels must be positive (got {pump.tolist()}); drop the unpumped reference "
            "or shift the scale"
        )
    wl = band_edge(ds) if wavelength is None else float(wavelength)
    trace = extract_trace(ds, wl, band_nm=band_nm).transpose("pump", "delay")
    order = np.argsort(pump)
    trace = trace.isel(pump=order)
    pump = pump[order]
    t = np.asarray(trace["delay"].values, dtype=float)
    y = np.asarray(trace.values, dtype=float)
    if not np.all(np.isfinite(y)):
        raise FitError("the band-edge traces hold NaN or inf; mask or drop those delays first")
    noise = trace_noise(t, y)
    noise = np.where(np.isfinite(noise) & (noise > 0), noise, np.nanmax(np.abs(y)) * 1e-3)
    occ = None
    if "occupancy" in trace.coords:
        occ = np.asarray(trace["occupancy"].values, dtype=float)
        if not np.all(np.isfinite(occ)) or np.any(occ <= 0):
            occ = None
    out = Series(trace, t, y, pump, units, float(trace["wavelength"].values), band_nm, noise, occ)
    _check_bleach(out)
    return out


def smooth(y: np.ndarray, width: int = 5) -> np.ndarray:
    """Running mean along the last axis (edges by shrinking windows)."""
    k = np.ones(width) / width
    pad = width // 2
    yp = np.pad(y, [(0, 0)] * (y.ndim - 1) + [(pad, pad)], mode="edge")
    return np.apply_along_axis(lambda r: np.convolve(r, k, mode="valid"), -1, yp)


def _check_bleach(s: Series) -> None:
    ys = smooth(s.y)
    top = ys[-1]
    neg, pos = -float(top.min()), float(top.max())
    if neg <= 5.0 * float(s.noise[-1]) or pos > neg:
        raise FitError(
            f"no bleach at {s.wavelength:g} nm: the strongest level's ΔA "
            f"{'rises to +' + format(pos, '.3g') if pos > neg else 'stays within the noise'}"
            " OD. The cascade is read from the band-edge ground-state bleach; pass the band-edge "
            "wavelength (qdwidgets.core.gain.band_edge(ta)) or a wider band_nm"
        )
    peaks = -ys.min(axis=1)
    err = 3.0 * np.hypot(s.noise[1:], s.noise[:-1]) / np.sqrt(5.0)
    bad = np.flatnonzero(peaks[1:] < peaks[:-1] - err - 0.05 * peaks[:-1])
    if bad.size:
        i = int(bad[0])
        raise FitError(
            f"the bleach does not grow with the pump: {s.pump[i]:g} → {s.pump[i + 1]:g} "
            f"{s.pump_units} gives a peak bleach {peaks[i]:.3g} → {peaks[i + 1]:.3g} OD. Are the "
            "pump values assigned to the right measurements (and in one unit)?"
        )


def starts(s: Series) -> dict[str, float]:
    """Start values read from the data: t0, IRF, cooling, τ_X (the lowest level's late decay)."""
    t, ys = s.t, smooth(s.y)
    top = -ys[-1]
    i_pk = int(np.argmax(top))
    pk = float(top[i_pk])
    before = np.flatnonzero(top[: i_pk + 1] < 0.5 * pk)
    t50 = float(t[before[-1]]) if before.size else float(t[0])
    t10 = t[np.flatnonzero(top[: i_pk + 1] < 0.1 * pk)]
    t90 = t[i_pk:][0] if i_pk < t.size else t[-1]
    above = np.flatnonzero(top[: i_pk + 1] >= 0.9 * pk)
    t90 = float(t[above[0]]) if above.size else float(t90)
    t10v = float(t10[-1]) if t10.size else float(t[0])
    dt = float(np.min(np.diff(t)))
    rise = max(t90 - t10v, 2.0 * dt)
    low = -ys[0]
    j_pk = int(np.argmax(low))
    late = low[-max(3, t.size // 20) :].mean()
    span = float(t[-1] - t[j_pk])
    ratio = float(np.clip(late / max(float(low[j_pk]), 1e-300), 1e-3, 0.98))
    return {
        "t0": t50 - 0.3 * rise,
        "irf_fwhm": max(0.4 * rise, 2.0 * dt),
        "tau_cool": max(0.3 * rise, dt),
        "tau_x": max(-span / math.log(ratio), 10.0 * dt),
    }
