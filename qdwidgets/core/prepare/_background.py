"""Background (the signal before time zero) and solvent (coherent artefact) subtraction."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import xarray as xr

from ... import _args
from ...data.contract import validate
from ...errors import DatasetError
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
    """Least-squares scale per pump level of the solvent artefact in the data.

    Per wavelength, the delays where the solvent signal stands above its noise (3σ, σ from
    neighbouring delays) and above 5 % of its peak are the artefact; the delays before it give
    each wavelength's offset in the data and in the solvent scan (a baseline, before or after
    ``subtract_background``), removed first. The sample's own signal rises under the
    artefact, so each wavelength weighs 1 / (σ² + m²), m the sample's signal just after the
    artefact: the wavelengths where the sample does not absorb (the artefact alone) decide.
    The solvent scan's noise power is taken out of the normal equation (errors in variables).
    NaN are left out.
    """
    from ..kinetics.trust import column_noise

    x = ta["dA"].transpose("pump", "delay", "wavelength").values.astype(float)
    cols = ~masked_columns(ta)
    num, den = np.zeros(x.shape[0]), np.zeros(x.shape[0])
    for p in range(x.shape[0]):
        sp, xp = s[p][:, cols], x[p][:, cols]
        sig_s, sig_x = column_noise(sp), column_noise(xp)
        for j in range(sp.shape[1]):
            ok = np.isfinite(sp[:, j]) & np.isfinite(xp[:, j])
            sj, xj = sp[ok, j], xp[ok, j]
            if sj.size < 5 or not (np.isfinite(sig_s[j]) and np.isfinite(sig_x[j])):
                continue
            smooth = np.convolve(np.abs(sj), np.ones(3) / 3.0, mode="same")
            # above the noise, and above a twentieth of the peak (a noise-free solvent scan)
            live = smooth > max(3.0 * sig_s[j] / np.sqrt(3.0), 0.05 * float(smooth.max()))
            if not live.any():
                continue
            first, last = int(np.argmax(live)), int(live.size - 1 - np.argmax(live[::-1]))
            cx = float(np.median(xj[:first])) if first >= 2 else 0.0
            cs = float(np.median(sj[:first])) if first >= 2 else 0.0
            after = xj[last + 1 : last + 6] - cx
            m = float(np.median(np.abs(after))) if after.size else 0.0
            w = 1.0 / (sig_x[j] ** 2 + m**2)
            a, b = sj[live] - cs, xj[live] - cx
            num[p] += w * float(a @ b)
            den[p] += w * (float(a @ a) - int(live.sum()) * float(sig_s[j]) ** 2)
        if not den[p] > 0:
            raise DatasetError(
                "solvent: the solvent scan shows no artefact above its noise at any wavelength; "
                "nothing to fit. Fix: pass scale= a number, or check the solvent scan"
            )
    return [float(v) for v in num / den]


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
        signal stands above its noise (around time zero), each wavelength's offset removed and
        the wavelengths where the sample itself is weak weighted most (there the artefact is
        alone); independent of whether the background was subtracted first. With an artefact
        of only a few noise σ it can be off by 10 % (pass a number then). Recorded as the
        numbers used.

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
