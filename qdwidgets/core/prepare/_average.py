"""Several scans of one measurement averaged, with robust rejection of bad points and scans."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr

from ... import _args
from ...data.contract import validate
from ...errors import DatasetError
from .._noise import MAD_TO_SIGMA
from ._record import INPUT, finish

AUTO_Z = 5.0
"""reject="auto": a point is rejected beyond 5 robust standard deviations from the others."""
SCAN_NOISE_FACTOR = 2.0
"""A whole scan is rejected when its robust noise exceeds twice the median scan's."""


def _read(scans: Any, reader_options: dict[str, Any]) -> tuple[list[xr.Dataset], Any]:
    if isinstance(scans, (str, os.PathLike, xr.Dataset)):
        raise _args.ArgumentError("scans must be a list of datasets or file paths (at least 2)")
    try:
        items = list(scans)
    except TypeError:
        raise _args.ArgumentError(
            f"scans must be a list of datasets or file paths, not {type(scans).__name__}"
        ) from None
    if len(items) < 2:
        raise _args.ArgumentError(f"scans: give at least 2 scans to average, got {len(items)}")
    paths = all(isinstance(s, (str, os.PathLike)) for s in items)
    if paths:
        from ...data.io import open_dataset

        return [open_dataset(p, **reader_options) for p in items], [os.fspath(p) for p in items]
    if not all(isinstance(s, xr.Dataset) for s in items):
        raise _args.ArgumentError("scans must all be datasets or all be file paths")
    return [validate(s, "ta") for s in items], {INPUT: "scans"}


def _common_grid(
    scans: list[xr.Dataset],
) -> tuple[list[np.ndarray], list[str], dict[str, np.ndarray]]:
    """Every scan's dA (pump, delay, wavelength) on the first scan's grid within the overlap."""
    first = scans[0]
    notes: list[str] = []
    for s in scans[1:]:
        if s.sizes["pump"] != first.sizes["pump"] or not np.allclose(
            s["pump"].values, first["pump"].values
        ):
            raise DatasetError(
                "scans: the pump levels differ between scans. Fix: average the scans of one "
                "pump level set (select them with ds.sel(pump=...))"
            )
    grid = {}
    for dim in ("delay", "wavelength"):
        lo = max(float(s[dim].values[0]) for s in scans)
        hi = min(float(s[dim].values[-1]) for s in scans)
        v = first[dim].values
        keep = (v >= lo - 1e-9) & (v <= hi + 1e-9)
        if lo >= hi or keep.sum() < 2:
            raise DatasetError(
                f"scans: their {dim} axes do not overlap (common range {lo:g}…{hi:g}). Fix: "
                "average scans of the same measurement"
            )
        grid[dim] = v[keep]
        if keep.sum() < v.size:
            notes.append(f"{dim} cropped to the range every scan covers ({lo:g}…{hi:g})")
    out = []
    for i, s in enumerate(scans):
        da = s["dA"].transpose("pump", "delay", "wavelength")
        same = all(s.sizes[d] == grid[d].size and np.allclose(s[d].values, grid[d]) for d in grid)
        if not same:
            da = da.interp(delay=grid["delay"], wavelength=grid["wavelength"])
            notes.append(f"scan {i} interpolated onto the grid of scan 0")
        else:
            da = da.sel(delay=grid["delay"], wavelength=grid["wavelength"], method="nearest")
        out.append(np.asarray(da.values, dtype=float))
    return out, notes, grid


def _threshold(reject: Any) -> float:
    if reject is None or (isinstance(reject, str) and reject == "none"):
        return np.inf
    if isinstance(reject, str):
        _args.choice("reject", reject, ("auto", "none"))
        return AUTO_Z
    return _args.number("reject", reject, lo=1.0, unit="robust σ")


def _reject(x: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points kept (k, …), scans kept (k,), pooled σ per (pump, 1, wavelength)).

    Each scan is compared with the median of the *other* scans, so an outlier cannot hide in
    its own reference. σ per (pump, wavelength) is the MAD over scans and delays, floored
    per point by the MAD over scans alone (noise that varies with delay)."""
    k = x.shape[0]
    with np.errstate(invalid="ignore"):
        others = np.stack([np.median(np.delete(x, i, axis=0), axis=0) for i in range(k)])
        dev = np.abs(x - others)
        inflate = np.sqrt(1.0 + np.pi / (2.0 * (k - 1)))  # spread of a median of k−1 samples
        pooled = MAD_TO_SIGMA * np.median(dev, axis=(0, 2), keepdims=True)[0] / inflate
        point = MAD_TO_SIGMA * np.median(dev, axis=0) / inflate
        sigma = np.maximum(pooled, point)
        keep = ~(dev > z * inflate * sigma)
        noise = MAD_TO_SIGMA * np.median(dev, axis=(1, 2, 3)) / inflate
        scan_ok = np.ones(k, dtype=bool)
        if k >= 3 and np.isfinite(z):
            ref = float(np.median(noise))
            scan_ok = ~(noise > SCAN_NOISE_FACTOR * ref) if ref > 0 else scan_ok
    keep &= scan_ok[:, None, None, None]
    return keep, scan_ok, pooled


def average_scans(
    scans: Any, reject: Any = "auto", reader_options: dict[str, Any] | None = None
) -> xr.Dataset:
    """The mean of several scans with its per-point standard error, outliers rejected.

    Parameters
    ----------
    scans : list of xarray.Dataset or list of paths
        At least 2 scans of one measurement. Scans on other grids are interpolated onto the
        first scan's grid within the range all cover (said in ``qd_history``); scans that do not
        overlap are refused. Paths are recorded (replay reads them again); datasets given in
        memory are recorded as such, and ``Pipeline.apply(scans)`` needs them passed again.
    reject : "auto", "none", None or float
        Per-point rejection beyond this many robust standard deviations from the median of the
        other scans (``"auto"``: 5); a whole scan is rejected when its noise exceeds twice the
        median scan's. Needs at least 3 scans (with 2 nothing can be told apart).
    reader_options : dict, optional
        Options for :func:`qdwidgets.open_dataset` when ``scans`` are paths.

    Returns
    -------
    xarray.Dataset
        The first scan's dataset with ``dA`` the mean of the kept points, ``dA_stderr`` (OD)
        its standard error, ``n_scans`` the number of scans averaged per point, and over
        ``scan``: ``rejected_points`` (count per scan) and ``scan_rejected`` (1 when the whole
        scan was left out).
    """
    z = _threshold(reject)
    options = dict(reader_options or {})
    data, record = _read(scans, options)
    arrays, notes, grid = _common_grid(data)
    x = np.stack(arrays)
    k = x.shape[0]
    if k >= 3:
        keep, scan_ok, pooled = _reject(x, z)
    else:
        keep, scan_ok = np.ones(x.shape, dtype=bool), np.ones(k, dtype=bool)
        pooled = np.abs(x[0] - x[1]).mean(axis=1, keepdims=True) * np.sqrt(np.pi) / 2
        notes.append("only 2 scans: no rejection possible")
    n = keep.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(keep, x, 0.0).sum(axis=0) / n
        var = np.where(keep, (x - mean) ** 2, 0.0).sum(axis=0) / (n - 1)
        stderr = np.where(n >= 2, np.sqrt(var / n), pooled / np.sqrt(np.maximum(n, 1)))
    mean = np.where(n > 0, mean, np.median(x, axis=0))
    first = data[0]
    base = first.sel(delay=grid["delay"], wavelength=grid["wavelength"])
    out = base.copy()
    dims = ("pump", "delay", "wavelength")
    out["dA"] = (dims, mean.astype(first["dA"].dtype), dict(first["dA"].attrs))
    out["dA_stderr"] = (dims, stderr, {"units": "OD", "long_name": "standard error of ΔA"})
    out["n_scans"] = (dims, n.astype(np.int16), {"units": "1", "long_name": "scans averaged"})
    rejected = (~keep).sum(axis=(1, 2, 3))
    out["rejected_points"] = ("scan", rejected, {"units": "1", "long_name": "points rejected"})
    out["scan_rejected"] = ("scan", (~scan_ok).astype(np.int8), {"units": "1",
                            "long_name": "whole scan rejected (1)"})  # fmt: skip
    out = out.assign_coords(scan=("scan", np.arange(k), {"long_name": "scan index"}))
    bad = ", ".join(str(i) for i in np.flatnonzero(~scan_ok)) or "none"
    line = (
        f"averaged {k} scans; {int((~keep).sum())} point(s) rejected (reject={reject!r}), "
        f"whole scans rejected: {bad}"
    )
    for note in notes:
        line += f"; {note}"
    args = {"scans": record, "reject": reject, "reader_options": options}
    return finish(out, "average_scans", args, line)
