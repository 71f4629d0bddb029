"""``deconvolve(spectrum, bands)``: least-squares band fit in photon energy with lmfit."""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from typing import Any

import lmfit
import numpy as np
import xarray as xr

from ... import _args
from ...errors import FitError
from .. import _status
from . import _shapes as S
from . import _trust as T
from ._band import Band, evaluate
from ._result import BandFit, build_model


def check_bands(bands: Sequence[Band], lo: float, hi: float) -> tuple[Band, ...]:
    """The bands as a tuple, or FitError: none, not Bands, clashing names, or a centre outside
    ``lo``–``hi`` nm."""
    if isinstance(bands, Band):
        bands = (bands,)
    bands = tuple(bands)
    if not bands:
        raise FitError("no bands to fit; give at least one Band (see initial_bands(ta, delay))")
    for b in bands:
        if not isinstance(b, Band):
            raise FitError(f"expected Band objects, got {type(b).__name__}")
    prefixes = [b.prefix for b in bands]
    dup = sorted({p for p in prefixes if prefixes.count(p) > 1})
    if dup:
        raise FitError(f"band names must be distinct (clash on {dup[0][:-1]!r}); rename one")
    for b in bands:
        if not lo <= b.center_nm <= hi:
            raise FitError(
                f"band {b.name!r} is centred at {b.center_nm:.1f} nm, outside the fitted range "
                f"{lo:.1f}–{hi:.1f} nm; move it inside, remove it, or widen wavelength_range"
            )
    return bands


def _spectrum(spectrum: Any, wavelength_range: tuple[float, float] | None) -> xr.DataArray:
    if not isinstance(spectrum, xr.DataArray):
        raise FitError(
            f"spectrum must be an xarray.DataArray over 'wavelength', got {type(spectrum).__name__}"
            "; take one from a TA dataset with spectrum_at(ta, delay)"
        )
    da: xr.DataArray = spectrum.squeeze(drop=False)
    if da.dims != ("wavelength",):
        raise FitError(
            f"spectrum must be one curve over ('wavelength',), got dims {da.dims}; select one "
            "delay and pump level first, e.g. ta['dA'].sel(delay=2.3, method='nearest')"
        )
    if "wavelength" not in da.coords:
        raise FitError("spectrum has no wavelength coordinate (nm); assign_coords(wavelength=...)")
    da = da.sortby("wavelength")
    wl = np.asarray(da["wavelength"].values, dtype=float)
    if np.any(wl <= 0) or not np.all(np.isfinite(wl)):
        raise FitError("spectrum wavelengths must be positive, finite numbers (nm)")
    if wavelength_range is not None:
        lo, hi = _args.interval(
            "wavelength_range", wavelength_range, unit="nm", allow_none_ends=False
        )
        da = da.sel(wavelength=slice(lo, hi))
        if da.size == 0:
            raise FitError(
                f"wavelength_range {lo:g}–{hi:g} nm holds no data points (data cover "
                f"{wl.min():g}–{wl.max():g} nm)"
            )
    if not np.all(np.isfinite(np.asarray(da.values, dtype=float))):
        raise FitError("spectrum has NaN or infinite values; drop them (da.dropna('wavelength'))")
    return da


def _params(
    model: Any, bands: Sequence[Band], e_lo: float, e_hi: float, step: float
) -> lmfit.Parameters:
    params = model.make_params()
    for b in bands:
        p = b.prefix
        f_min = step
        if b.shape == "template":
            assert b.template is not None
            f_min = max(step, S.template_fwhm(b.template))
        f_max = max(2.0 * (e_hi - e_lo), 2 * f_min)
        amp = params[p + "amplitude"]
        amp.set(value=b.amplitude, vary="amplitude" in b.vary)
        if b.amplitude < 0:
            amp.set(max=0.0)
        elif b.amplitude > 0:
            amp.set(min=0.0)
        center = min(max(b.center_ev, e_lo), e_hi)
        params[p + "center"].set(value=center, min=e_lo, max=e_hi, vary="center_nm" in b.vary)
        # start a little off the lower bound, where the fit could not move the width
        fwhm = min(max(b.fwhm_ev, 1.02 * f_min if b.shape == "template" else f_min), f_max)
        params[p + "fwhm"].set(value=fwhm, min=f_min, max=f_max, vary="fwhm_nm" in b.vary)
    _keep_order(params, bands, e_hi - e_lo)
    return params


def _keep_order(params: lmfit.Parameters, bands: Sequence[Band], span: float) -> None:
    """Same-sign bands with free centres keep their starting energy order (no label switching):
    each centre is the previous one plus a non-negative step ``<prefix>dcenter``."""
    for sign in (-1.0, 1.0):
        group = [b for b in bands if "center_nm" in b.vary and np.sign(b.amplitude) == sign]
        group.sort(key=lambda b: params[b.prefix + "center"].value)
        for prev, band in itertools.pairwise(group):
            gap = params[band.prefix + "center"].value - params[prev.prefix + "center"].value
            name = band.prefix + "dcenter"
            params.add(name, value=max(gap, 1e-6 * span), min=0.0, max=span)
            params[band.prefix + "center"].set(expr=f"{prev.prefix}center + {name}")


def _fitted_band(band: Band, result: Any, cov: np.ndarray, scale: float) -> Band:
    """The fitted band with one-standard-error uncertainties propagated from ``cov`` (the
    covariance of ``result.var_names``; numerical Jacobian through the constraints)."""
    values = T.band_values(band, T.evaluator(result.params, {}))
    errors = T.band_errors(band, result.params, list(result.var_names), cov, scale)
    return dataclasses.replace(
        band,
        center_nm=float(values[0]),
        fwhm_nm=float(values[1]),
        amplitude=float(values[2]),
        center_nm_err=float(errors[0]),
        fwhm_nm_err=float(errors[1]),
        amplitude_err=float(errors[2]),
        area_err=float(errors[3]),
    )


def _converged(result: Any) -> bool:
    """lmfit's success, plus MINPACK's ier 6–8 ("tolerance too small: no further reduction in
    the sum of squares is possible"), which means converged to machine precision (noise-free
    data), not a failure."""
    return bool(result.success) or getattr(result, "ier", 0) in (6, 7, 8)


def _restart(
    result: Any, params: lmfit.Parameters, stuck: list[str], height: float, from_start: bool
) -> lmfit.Parameters:
    trial = result.params.copy()
    for prefix in stuck:
        sign = -1.0 if params[prefix + "amplitude"].max == 0.0 else 1.0
        trial[prefix + "amplitude"].set(value=sign * height)
        if not from_start:
            continue
        trial[prefix + "fwhm"].set(value=params[prefix + "fwhm"].value)
        center = trial[prefix + "center"]
        if center.expr is None:
            center.set(value=params[prefix + "center"].value)
        else:  # centre = previous centre + step: restart the step
            step = center.expr.split("+")[-1].strip()
            trial[step].set(value=params[step].value)
    return trial


def _fit_with_restarts(
    model: Any, y: np.ndarray, params: lmfit.Parameters, energy: np.ndarray, max_nfev: int | None
) -> Any:
    """Least squares (leastsq). When a band's free height ends stuck at zero (its sign bound),
    the fit is restarted from the result with that height at 10 % of the data's scale, once where
    the band ended and once from its starting centre and width; the lowest χ² is kept (up to two
    rounds)."""
    result = model.fit(y, params, x=energy, max_nfev=max_nfev)
    scale = float(np.max(np.abs(y))) or 1.0
    for _ in range(2):
        if not _converged(result):
            break
        stuck = [
            name[: -len("amplitude")]
            for name, par in result.params.items()
            if name.endswith("amplitude") and par.vary and abs(par.value) < 1e-6 * scale
        ]
        if not stuck:
            break
        best = result
        for from_start in (False, True):
            trial = _restart(result, params, stuck, 0.1 * scale, from_start)
            again = model.fit(y, trial, x=energy, max_nfev=max_nfev)
            if _converged(again) and again.chisqr < best.chisqr:
                best = again
        if best is result:
            break
        result = best
    return result


@_args.renamed(x_range="wavelength_range")
def deconvolve(
    spectrum: xr.DataArray,
    bands: Sequence[Band],
    *,
    wavelength_range: tuple[float, float] | None = None,
    max_nfev: int | None = None,
) -> BandFit:
    """Fit ``bands`` (starting values, locks) to a ΔA ``spectrum`` (OD over wavelength in nm).

    The fit runs in photon energy (lmfit ``leastsq``, composite model with one prefix per band);
    ``wavelength_range`` (nm, low < high) restricts it and ``max_nfev`` (≥ 1) caps the evaluations.
    Constraints: a height keeps the sign it starts with; centres stay inside the range; same-sign
    bands with free centres keep their starting energy order (no label switching between GSB
    and SE); widths are at least one grid step (a template band's: its own width). A free height
    stuck at zero is restarted (see ``_fit_with_restarts``).

    Uncertainties are one standard error from :func:`qdwidgets.core._status.covariance` (the
    Jacobian at the optimum, scaled by the reduced χ²), propagated to nm, OD and OD·eV; a
    parameter the data cannot determine gets an infinite error.

    Parameters
    ----------
    spectrum : xarray.DataArray
        ΔA (OD) over ``wavelength`` (nm), e.g. from :func:`spectrum_at`.
    bands : sequence of Band
        Starting bands (centre nm, FWHM, height OD, shape, locks), e.g. from
        :func:`initial_bands`.
    wavelength_range : (float, float), optional
        Wavelength range fitted (nm, low < high); default the whole spectrum (was ``x_range``).
    max_nfev : int, optional
        Most model evaluations (≥ 1).

    Returns
    -------
    BandFit
        With ``converged`` (the solver converged and every free parameter is determined),
        ``message``, ``nfev`` and ``warnings``: a band pushed to the edge of the fitted range, a
        width at its limit, a band fitted to zero height, a small band whose height is within
        two standard errors of zero, undetermined parameters, bands that cancel, a residual well
        above the noise.

    Raises
    ------
    FitError
        No or clashing bands, a band outside the fitted range, too few points, or a fit whose
        model is not finite.
    ArgumentError
        ``wavelength_range`` or ``max_nfev`` out of range.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.bands import deconvolve, initial_bands, spectrum_at
    >>> ta = qdwidgets.examples.ta()
    >>> fit = deconvolve(spectrum_at(ta, 2.3), initial_bands(ta, 2.3))
    >>> fit.converged, [band.name for band in fit.bands][:2], round(sum(fit.shares.values()))
    (True, ['GSB', 'SE'], 100)
    """
    if max_nfev is not None:
        max_nfev = _args.integer("max_nfev", max_nfev, lo=1, hi=10**9)
    da = _spectrum(spectrum, wavelength_range)
    wl = np.asarray(da["wavelength"].values, dtype=float)
    lo, hi = float(wl.min()), float(wl.max())
    bands = check_bands(bands, lo, hi)
    energy = S.HC / wl
    e_lo, e_hi = S.HC / hi, S.HC / lo
    step = float(np.min(np.abs(np.diff(energy)))) if wl.size > 1 else 1e-3
    model = build_model(bands)
    params = _params(model, bands, e_lo, e_hi, step)
    n_free = sum(1 for p in params.values() if p.vary)
    limits = {b.name: (params[b.prefix + "fwhm"].min, params[b.prefix + "fwhm"].max) for b in bands}
    if n_free == 0:
        raise FitError(
            "every parameter of every band is locked: nothing to fit; unlock one (Band.vary), "
            "or draw the bands as they are with evaluate(bands, wavelength)"
        )
    if wl.size <= n_free:
        raise FitError(
            f"{n_free} free parameters but only {wl.size} data points in "
            f"{lo:g}–{hi:g} nm; widen wavelength_range, remove bands or lock parameters"
        )
    y = np.asarray(da.values, dtype=float)
    try:
        with np.errstate(all="ignore"):
            result = _fit_with_restarts(model, y, params, energy, max_nfev)
    except (ValueError, TypeError, RuntimeError) as exc:
        raise FitError(f"the band fit failed: {exc}; try other starting values") from exc
    if not np.all(np.isfinite(result.best_fit)):
        raise FitError(
            f"the band fit gave a non-finite model ({result.message.strip()}); start from "
            "initial_bands(ta, delay), lock a centre or width, or narrow wavelength_range"
        )
    scale = float(np.max(np.abs(y))) or 1.0
    names = list(result.var_names)
    jac = T.jacobian(bands, result.params, names, energy, scale)
    cov = _status.covariance(jac, float(result.chisqr), wl.size - len(names))
    fitted = tuple(_fitted_band(b, result, cov, scale) for b in bands)
    resid_values = y - np.asarray(result.best_fit, dtype=float)
    warnings = T.band_warnings(fitted, result.params, (e_lo, e_hi), limits, y, resid_values)
    if da.attrs.get("masked"):  # spectrum_at left masked wavelengths out
        warnings.append(str(da.attrs["masked"]))
    solver_ok = _converged(result)
    determined = bool(np.all(np.isfinite(_status.stderr(cov))))
    if not solver_ok:
        message = f"did not converge: {result.message.strip()}"
        warnings.insert(
            0,
            f"the band fit did not converge ({result.message.strip()}); start from "
            "initial_bands(ta, delay), lock a centre or width, or narrow wavelength_range",
        )
    elif not determined:
        message = "the solver converged, but the data do not determine every parameter"
    else:
        message = "converged"
    comps = evaluate(fitted, wl)
    best = xr.DataArray(
        result.best_fit,
        dims=("wavelength",),
        coords={"wavelength": da["wavelength"]},
        attrs={"units": "OD", "long_name": "sum of fitted bands"},
        name="best_fit",
    )
    resid = (da - best).rename("residual")
    resid.attrs = {"units": "OD", "long_name": "residual (data − fit)"}
    spec = da.copy()
    spec.attrs.setdefault("units", "OD")
    fit = BandFit(
        bands=fitted,
        spectrum=spec,
        components=comps,
        best_fit=best,
        residual=resid,
        wavelength_range=(lo, hi),
        chisqr=float(result.chisqr),
        redchi=float(result.redchi),
        rsquared=float(getattr(result, "rsquared", math.nan)),
        nfev=int(result.nfev),
        message=message,
        converged=solver_ok and determined,
        warnings=tuple(warnings),
    )
    object.__setattr__(fit, "_lmfit", result)
    return fit
