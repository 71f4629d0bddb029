"""Background (the signal before time zero) and solvent (coherent artefact) subtraction."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr

from ...data.contract import validate
from ...errors import DatasetError
from .. import _args
from .._masked import masked_columns
from ._record import INPUT, finish


def _default_before(ta: xr.Dataset) -> float:
    """The data's own pre-time-zero limit (ps): time zero mirrored over its rise, i.e.
    t0 − (established − t0), the last delay before the rise begins."""
    from ..gain import _t0_pair

    try:
        t0, est = _t0_pair(ta, None, 0.0)
    except DatasetError:
        t0, est = float("nan"), float("nan")
    if not np.isfinite(t0):
        raise DatasetError(
            "background: no time zero detected in the data (no clear rise at the band edge). "
            "Fix: pass before= the delay (ps) before which the pump has not arrived"
        )
    return float(t0 - max(est - t0, 0.0))


def subtract_background(ds: xr.Dataset, before: float | None = None) -> xr.Dataset:
    """ΔA minus its mean over the delays before ``before`` (ps), per pump level and wavelength.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset with delays before time zero.
    before : float, optional
        Delays (ps) below this hold no pump signal. Default: from the data, the detected time
        zero (:func:`qdwidgets.core.gain.time_zero`) minus its rise time; recorded as a number.

    Returns
    -------
    xarray.Dataset
        The dataset with the background removed.

    Raises
    ------
    ArgumentError
        When ``before`` is not a finite number; DatasetError with fewer than 2 delays before it.
    """
    if before is not None:
        before = _args.number("before", before, unit="ps")
    ta = validate(ds, "ta")
    if before is None:
        before = _default_before(ta)
    pre = ta["delay"].values < before
    if int(pre.sum()) < 2:
        raise DatasetError(
            f"delay: only {int(pre.sum())} delay(s) before {before:g} ps; at least 2 are needed "
            "to estimate the background. Fix: pass before= a later delay still before time zero"
        )
    bg = ta["dA"].isel(delay=np.flatnonzero(pre)).mean("delay", skipna=False)
    out = ta.copy()
    out["dA"] = (ta["dA"] - bg).transpose(*ta["dA"].dims).astype(ta["dA"].dtype)
    out["dA"].attrs = dict(ta["dA"].attrs)
    line = f"background: mean ΔA over {int(pre.sum())} delays < {before:g} ps subtracted"
    return finish(out, "subtract_background", {"before": float(before)}, line)


def _solvent(ta: xr.Dataset, solvent: Any) -> tuple[xr.DataArray, Any]:
    if isinstance(solvent, (str, os.PathLike)):
        from ...data.io import open_dataset

        record: Any = os.fspath(solvent)
        solvent = open_dataset(solvent)
    else:
        record = {INPUT: "solvent"}
    if not isinstance(solvent, xr.Dataset):
        raise _args.ArgumentError(
            f"solvent must be a TA dataset or a file path, not {type(solvent).__name__}"
        )
    sv = validate(solvent, "ta")
    for dim in ("delay", "wavelength"):
        a, b = ta[dim].values, sv[dim].values
        if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-6 * max(np.ptp(a), 1)):
            raise DatasetError(
                f"solvent: its {dim} axis ({b.size} points, {b[0]:g}…{b[-1]:g}) differs from the "
                f"data's ({a.size} points, {a[0]:g}…{a[-1]:g}). Fix: measure or crop both on "
                f"the same grid, e.g. solvent.interp({dim}=ds.{dim})"
            )
    if sv.sizes["pump"] not in (1, ta.sizes["pump"]):
        raise DatasetError(
            f"solvent: {sv.sizes['pump']} pump levels, the data have {ta.sizes['pump']}. Fix: "
            "give one solvent scan, or one per pump level"
        )
    s = sv["dA"].transpose("pump", "delay", "wavelength").values.astype(float)
    s = np.broadcast_to(s, (ta.sizes["pump"], *s.shape[1:]))
    return xr.DataArray(s, dims=("pump", "delay", "wavelength")), record


def _fit_scale(ta: xr.Dataset, s: np.ndarray) -> list[float]:
    """Least-squares scale per pump level over the delays where the solvent signal lives (its
    RMS over wavelengths above a fifth of its maximum: the artefact around time zero) and the
    sample's own signal has not yet risen (before its detected rise, when 2 delays or more)."""
    x = ta["dA"].transpose("pump", "delay", "wavelength").values.astype(float)
    cols = ~masked_columns(ta)
    t = ta["delay"].values
    try:
        start = _default_before(ta)
    except DatasetError:
        start = -np.inf
    scales = []
    for p in range(x.shape[0]):
        rms = np.sqrt(np.mean(s[p][:, cols] ** 2, axis=1))
        if not rms.max() > 0:
            raise DatasetError("solvent: the solvent scan is zero everywhere; nothing to fit")
        win = rms >= 0.2 * rms.max()
        early = win & (t < start)  # the artefact's leading edge, before the sample responds
        if early.sum() >= 2:
            win = early
        a, b = s[p][win][:, cols], x[p][win][:, cols]
        scales.append(float(np.sum(a * b) / np.sum(a * a)))
    return scales


def subtract_solvent(ds: xr.Dataset, solvent: Any, scale: Any = "auto") -> xr.Dataset:
    """ΔA minus the solvent scan (the coherent artefact) times ``scale``.

    Parameters
    ----------
    ds : xarray.Dataset
        A TA dataset.
    solvent : xarray.Dataset or path
        The solvent scan on the same delay and wavelength grid (one pump level, or one per level
        of ``ds``). A path is recorded and read again on replay; a dataset given in memory must
        be passed again to ``Pipeline.apply(raw, solvent=...)``.
    scale : "auto", float or list of float
        ``"auto"``: fitted per pump level by least squares over the delays where the solvent
        signal lives (around time zero), before the sample's own rise where there are 2 such
        delays or more; when the sample rises under the artefact the fit can be off by a few
        per cent (pass a number then). Recorded as the numbers used.

    Returns
    -------
    xarray.Dataset
        The dataset with the scaled solvent signal removed.
    """
    ta = validate(ds, "ta")
    s, record = _solvent(ta, solvent)
    n = ta.sizes["pump"]
    if isinstance(scale, str):
        _args.choice("scale", scale, ("auto",))
        scales = _fit_scale(ta, s.values)
    else:
        vals = _args.finite_array("scale", scale)
        if vals.size not in (1, n):
            raise _args.ArgumentError(f"scale has {vals.size} values; give 1 or {n} (per pump)")
        scales = [float(v) for v in np.broadcast_to(vals, (n,))]
    factor = xr.DataArray(np.asarray(scales), dims="pump")
    out = ta.copy()
    dims = ta["dA"].dims
    s = s.assign_coords(pump=ta["pump"], delay=ta["delay"], wavelength=ta["wavelength"])
    out["dA"] = (ta["dA"] - factor * s).transpose(*dims).astype(ta["dA"].dtype)
    out["dA"].attrs = dict(ta["dA"].attrs)
    line = "solvent subtracted with scale " + ", ".join(f"{v:.4g}" for v in scales)
    return finish(out, "subtract_solvent", {"solvent": record, "scale": scales}, line)
