"""Triage summaries: what a dataset holds and whether it is worth a closer look.

``summarize(ds)`` returns a JSON-serialisable dict (layout documented in the README):

TA — ``shape``, ``delay_range_ps``, ``wavelength_range_nm``, ``time_zero_ps`` (median half-rise
time zero), ``n_pre_time_zero`` (delays before it), ``noise_OD`` (median σ of those delays),
``band_edge_nm`` and ``band_edge_bleach_OD`` (the most negative ΔA there), and per pump level
(``levels``): ``gain`` (a zero crossing of A_ex at the band edge, or A_ex < −σ there at any
delay, the first one included), ``a_ex_first_OD`` and ``a_ex_min_OD`` (A_ex there at the first
delay and its minimum), ``zero_crossing_ps`` ± ``zero_crossing_stderr_ps``,
``gain_duration_ps``, ``taus_ps`` (three lifetimes at the band edge).
ASE — ``shape``, ``power_range_mW``, and per feedback condition (``feedback``): threshold in mW
and W cm⁻² with the 95 % interval, ``slope_efficiency`` (output per mW above threshold),
``linewidth_narrowing_nm`` (FWHM at the lowest power whose peak is ≥ 10 % of the highest, minus
the FWHM at the highest power; negative when the line broadens).
Both — ``flags``: short strings such as "missing A0", "no gain", "no threshold", "saturation",
"no time zero", "no pre-time-zero data" (only when ``n_pre_time_zero`` is 0), "kinetics fit
failed".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from ..data.contract import validate
from ..errors import QDError
from ._masked import masked_columns, note

PREVIEW_SHAPE = (24, 48)


def _f(x: Any) -> float | None:
    """A float for JSON (None for NaN or inf)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _preview(values: np.ndarray, shape: tuple[int, int] = PREVIEW_SHAPE) -> list[list[float]]:
    """A block-averaged thumbnail of a 2-D array (rows × cols at most ``shape``)."""
    out = np.asarray(values, dtype=float)
    for axis, n in enumerate(shape):
        size = out.shape[axis]
        if size > n:
            edges = np.linspace(0, size, n + 1).astype(int)
            out = np.add.reduceat(out, edges[:-1], axis=axis)
            shape_ = [1, 1]
            shape_[axis] = n
            out = out / np.diff(edges).reshape(shape_)
    return [[round(float(v), 7) for v in row] for row in out]


def _saturated(values: np.ndarray) -> bool:
    """Clipping: the extreme value repeated in ≥ 0.5 % (and ≥ 3) of the samples."""
    flat = np.asarray(values, dtype=float).ravel()
    for extreme in (flat.max(), flat.min()):
        hits = int(np.count_nonzero(flat == extreme))
        if hits >= max(3, int(0.005 * flat.size)):
            return True
    return False


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Summary of a TA or ASE dataset (see the module docstring); never modifies ``ds``.

    Parameters
    ----------
    ds : xarray.Dataset
        A validated TA or ASE dataset.

    Returns
    -------
    dict
        Plain JSON-ready values (the layout in the module docstring): ``kind``, ``shape``, the
        ranges (``delay_range_ps``, ``wavelength_range_nm`` or ``power_range_mW``), per pump
        level or feedback the gain, crossing, lifetimes (ps) or threshold (mW, W cm⁻²),
        ``preview`` and ``flags``.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.summary import summarize
    >>> row = summarize(qdwidgets.examples.ta())
    >>> row["kind"], row["band_edge_nm"], row["shape"]
    ('ta', 639.0, {'pump': 2, 'delay': 286, 'wavelength': 281})
    """
    data = validate(ds)
    if data.attrs["qd_kind"] == "ta":
        return _summarize_ta(data)
    return _summarize_ase(data)


def _summarize_ta(ds: xr.Dataset) -> dict[str, Any]:
    from . import chirp, gain
    from .kinetics import fit_kinetics

    flags: list[str] = []
    masked = masked_columns(ds)
    if masked.any():  # masked (all-NaN) columns are left out of everything below, and said
        flags.append(note(ds))
        ds = ds.isel(wavelength=np.flatnonzero(~masked))
    delay, wl, da = ds["delay"].values, ds["wavelength"].values, ds["dA"].values
    out: dict[str, Any] = {
        "kind": "ta",
        "source": str(ds.attrs.get("source", "")),
        "shape": {str(k): int(v) for k, v in ds["dA"].sizes.items()},
        "delay_range_ps": [_f(delay[0]), _f(delay[-1])],
        "wavelength_range_nm": [_f(wl[0]), _f(wl[-1])],
    }
    try:
        out["time_zero_ps"] = _f(np.median(chirp.estimate(ds, method="half-rise").values))
    except QDError:
        out["time_zero_ps"] = None
        flags.append("no time zero")
    _noise(ds, out, flags)
    if _saturated(da):
        flags.append("saturation")
    edge = gain.band_edge(ds)
    i_edge = int(np.argmin(np.abs(wl - edge)))
    out["band_edge_nm"] = _f(edge)
    out["band_edge_bleach_OD"] = _f(da[:, :, i_edge].min())
    levels: list[dict[str, Any]] = [
        {
            "pump": _f(p),
            "occupancy": _f(ds["occupancy"].values[i]) if "occupancy" in ds.coords else None,
        }
        for i, p in enumerate(ds["pump"].values)
    ]
    if "A0" not in ds.data_vars:
        flags.append("missing A0")
    else:
        crossing = gain.zero_crossing(ds, edge)
        window = gain.gain_window(ds, edge)
        trace = gain.a_ex(ds).isel(wavelength=i_edge).values  # (pump, delay)
        for i, level in enumerate(levels):
            level["zero_crossing_ps"] = _f(crossing.values[i])
            level["zero_crossing_stderr_ps"] = _f(crossing["zero_crossing_stderr"].values[i])
            level["a_ex_first_OD"] = _f(trace[i, 0])
            level["a_ex_min_OD"] = _f(trace[i].min())
            level["gain"] = _has_gain(crossing.values[i], trace[i], crossing["noise"].values[i])
            level["gain_duration_ps"] = (
                _f(delay[-1] - window.onset.values[i])
                if window.lasts_to_end.values[i]
                else _f(window.duration.values[i])
            )
        if not any(level["gain"] for level in levels):
            flags.append("no gain")
    try:
        fits = fit_kinetics(ds, wavelength=edge, n_components=3, offset=True)  # as Table 1
        for level, fit in zip(levels, getattr(fits, "fits", (fits,)), strict=True):
            level["taus_ps"] = [_f(t) for t in fit.taus]
            level["kinetics_converged"] = bool(fit.converged)
            level["kinetics_warnings"] = list(fit.warnings)
            if not fit.converged or fit.warnings:
                why = fit.warnings[0] if fit.warnings else fit.message
                flags.append(f"kinetics doubtful (pump {level['pump']}): {why}"[:160])
    except QDError as exc:
        flags.append(f"kinetics fit failed: {exc}".split(". Fix")[0][:120])
    out["levels"] = levels
    out["preview"] = _preview(da[-1].T[::-1])  # wavelength (long → short) × delay
    out["flags"] = flags
    return out


def _noise(ds: xr.Dataset, out: dict[str, Any], flags: list[str]) -> None:
    """noise_OD from the delays before time zero; the flags say why when there is none."""
    from .gain import NOISE_BEFORE_PS, noise_level

    delay = ds["delay"].values
    t0 = out.get("time_zero_ps")
    zero = t0 if t0 is not None else 0.0
    n_pre = int(np.sum(delay < zero))
    out["n_pre_time_zero"] = n_pre
    out["noise_OD"] = None
    if n_pre == 0:
        flags.append("no pre-time-zero data")
        return
    for before in dict.fromkeys((min(NOISE_BEFORE_PS, zero), zero)):
        try:
            out["noise_OD"] = _f(np.median(noise_level(ds, before=before).values))
            return
        except QDError:
            continue
    flags.append(f"only {n_pre} delay(s) before time zero: no noise estimate")


def _has_gain(crossing: float, trace: np.ndarray, sigma: float) -> bool:
    """Gain at some delay: a zero crossing, or A_ex below −σ (below 0 without a noise
    estimate) anywhere, the first delay included (gain already at the first delay)."""
    if np.isfinite(crossing):
        return True
    margin = float(sigma) if np.isfinite(sigma) else 0.0
    return bool(np.any(trace < -margin))


def _summarize_ase(ds: xr.Dataset) -> dict[str, Any]:
    from .threshold import fit_threshold, linewidth, peak_output

    flags: list[str] = []
    power = ds["power"].values
    out: dict[str, Any] = {
        "kind": "ase",
        "source": str(ds.attrs.get("source", "")),
        "shape": {str(k): int(v) for k, v in ds["emission"].sizes.items()},
        "power_range_mW": [_f(power[0]), _f(power[-1])],
        "spot_diameter_mm": _f(ds.attrs.get("spot_diameter_mm")),
        "beam_profile": str(ds.attrs.get("beam_profile", "")),
    }
    if _saturated(ds["emission"].values):
        flags.append("saturation")
    widths, peaks = linewidth(ds), peak_output(ds)
    conditions: list[dict[str, Any]] = []
    for label in (str(v) for v in ds["feedback"].values):
        entry: dict[str, Any] = {"feedback": label}
        w = widths.sel(feedback=label).values
        peak = peaks.sel(feedback=label).values
        clear = np.flatnonzero(np.isfinite(w) & (peak >= 0.1 * np.nanmax(peak)))
        # FWHM where the emission first stands clear of the noise, minus FWHM at full power
        entry["linewidth_narrowing_nm"] = _f(w[clear[0]] - w[-1]) if clear.size else None
        if label != "none" and "none" in ds["feedback"].values:
            try:
                fit = fit_threshold(ds, feedback=label)
            except QDError as exc:
                fit = None
                entry["note"] = str(exc)
            if fit is not None and fit.warnings:
                flags.append(f"threshold doubtful ({label}): {fit.warnings[0]}"[:160])
            if fit is not None and fit.converged:
                entry.update(
                    threshold_mW=_f(fit.threshold_mW),
                    ci_mW=[_f(c) for c in fit.ci_mW],
                    threshold_W_cm2=_f(fit.threshold_W_cm2),
                    ci_W_cm2=[_f(c) for c in fit.ci_W_cm2],
                    slope_efficiency=_f(fit.above_line.slope) if fit.above_line else None,
                )
            elif fit is not None:
                entry["note"] = fit.message
        conditions.append(entry)
    if not any("threshold_mW" in c for c in conditions):
        flags.append("no threshold")
    out["feedback"] = conditions
    out["preview"] = _preview(peaks.values)
    out["flags"] = flags
    return out


def table_row(summary: dict[str, Any]) -> dict[str, Any]:
    """The flat columns of the triage table for one summary (see ``qdwidgets.batch.COLUMNS``)."""
    row: dict[str, Any] = {
        "kind": summary["kind"],
        "flags": ", ".join(summary["flags"]),
        "shape": " × ".join(f"{k} {v}" for k, v in summary["shape"].items()),
    }
    if summary["kind"] == "ta":
        levels = summary["levels"]
        crossings = [lv.get("zero_crossing_ps") for lv in levels]
        found = [c for c in crossings if c is not None]
        durations = [lv.get("gain_duration_ps") for lv in levels if lv.get("gain")]
        row.update(
            noise=summary["noise_OD"],
            gain=f"{sum(bool(lv.get('gain')) for lv in levels)}/{len(levels)} levels",
            first_crossing_ps=min(found) if found else None,
            gain_duration_ps=max((d for d in durations if d is not None), default=None),
            tau_ps=", ".join(f"{t:.3g}" for t in levels[-1].get("taus_ps", []) if t is not None),
        )
    else:
        fits = [c for c in summary["feedback"] if c.get("threshold_mW") is not None]
        if fits:
            row.update(
                threshold_mW=", ".join(f"{c['feedback']} {c['threshold_mW']:.4g}" for c in fits),
                threshold_W_cm2=", ".join(
                    f"{c['feedback']} {c['threshold_W_cm2']:.4g}"
                    for c in fits
                    if c.get("threshold_W_cm2") is not None
                ),
            )
    return row
