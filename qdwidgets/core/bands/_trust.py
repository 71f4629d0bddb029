"""Whether to trust a band fit: standard errors through the one covariance routine, and warnings.

The covariance of the free parameters comes from :func:`qdwidgets.core._status.covariance` on
the Jacobian of the model at the optimum, taken in the parameters' own units (not lmfit's
internal bounded coordinates, whose Jacobian vanishes at a bound); a parameter the data cannot
determine gets an infinite standard error, never 0. Uncertainties of each band's centre (nm),
width (nm), height (OD) and area (OD·eV) are propagated from it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _status
from .._noise import noise_estimate
from . import _shapes as S
from ._band import Band, band_area

Value = Callable[[str], float]


def evaluator(params: Any, override: dict[str, float]) -> Value:
    """``value(name)``: a parameter's value with ``override`` applied to the free ones, resolving
    the constraints of ``_fit._keep_order`` ("<a> + <b>") without copying Parameters."""

    def value(name: str) -> float:
        expr = params[name].expr
        if expr is None:
            return float(override.get(name, params[name].value))
        a, b = (t.strip() for t in expr.split("+"))
        return value(a) + value(b)

    return value


def band_values(band: Band, value: Value) -> np.ndarray:
    """(centre nm, FWHM nm, height OD, area OD·eV) of ``band`` for the parameter values."""
    p = band.prefix
    amp, cen, fw = value(p + "amplitude"), value(p + "center"), value(p + "fwhm")
    area = band_area(band.shape, amp, fw, band.template)
    return np.array([S.HC / cen, S.fwhm_ev_to_nm(cen, fw), amp, area])


def _model(bands: Sequence[Band], energy: np.ndarray, value: Value) -> np.ndarray:
    total = np.zeros_like(energy)
    for b in bands:
        p = b.prefix
        total = total + b.profile()(
            energy, value(p + "amplitude"), value(p + "center"), value(p + "fwhm")
        )
    return total


def _step(name: str, v: float, scale: float) -> float:
    typical = scale if name.endswith("amplitude") else 1e-2  # OD, or eV for centres and widths
    return 1e-6 * max(abs(v), typical)


def jacobian(
    bands: Sequence[Band], params: Any, names: Sequence[str], energy: np.ndarray, scale: float
) -> np.ndarray:
    """d model / d parameter (central differences) at ``params``, one column per free name."""
    jac = np.zeros((energy.size, len(names)))
    for k, name in enumerate(names):
        v = float(params[name].value)
        h = _step(name, v, scale)
        up = _model(bands, energy, evaluator(params, {name: v + h}))
        down = _model(bands, energy, evaluator(params, {name: v - h}))
        jac[:, k] = (up - down) / (2 * h)
    return jac


def band_errors(
    band: Band, params: Any, names: Sequence[str], cov: np.ndarray, scale: float
) -> np.ndarray:
    """One standard error of (centre, FWHM, height, area): locked ones 0, undetermined inf."""
    jb = np.zeros((4, len(names)))
    for k, name in enumerate(names):
        v = float(params[name].value)
        h = _step(name, v, scale)
        up = band_values(band, evaluator(params, {name: v + h}))
        down = band_values(band, evaluator(params, {name: v - h}))
        jb[:, k] = (up - down) / (2 * h)
    out = np.zeros(4)
    for r in range(4):
        used = jb[r] != 0
        if not used.any():
            continue  # the quantity does not depend on any free parameter (locked)
        sub = cov[np.ix_(used, used)]
        if not np.all(np.isfinite(sub)):
            out[r] = math.inf
            continue
        var = float(jb[r, used] @ sub @ jb[r, used])
        out[r] = float(_status.stderr(np.array([[var]]))[0])
    return out


def noise_of(y: np.ndarray) -> float:
    """Point-to-point noise σ of a smooth spectrum (:func:`~qdwidgets.core._noise.noise_estimate`
    along wavelength); 0 with fewer than 5 points."""
    sigma = noise_estimate(y)
    return sigma if math.isfinite(sigma) else 0.0


def band_warnings(
    fitted: Sequence[Band],
    params: Any,
    edges: tuple[float, float],
    width_limits: dict[str, tuple[float, float]],
    y: np.ndarray,
    residual: np.ndarray,
) -> list[str]:
    """Named problems of a band fit, in words: a band pushed to the edge of the fitted range, a
    width at its limit, a height fitted to zero, a small band whose height is within two
    standard errors of zero, undetermined parameters, bands that cancel, a residual well above
    the noise (3× the point-to-point noise of the spectrum)."""
    e_lo, e_hi = edges
    out: list[str] = []
    tol = 1e-4 * (e_hi - e_lo)
    scale = float(np.max(np.abs(y))) or 1.0
    for b in fitted:
        par = params[b.prefix + "center"]
        free = par.vary or par.expr is not None
        e0 = S.HC / b.center_nm
        if free and (e0 - e_lo < tol or e_hi - e0 < tol):
            out.append(
                f"the fit pushed band {b.name!r} to the edge of the fitted range "
                f"({b.center_nm:.1f} nm): the data do not support it there; remove it, lock its "
                "centre, or widen wavelength_range"
            )
        lo, hi = width_limits[b.name]
        if "fwhm_nm" in b.vary:
            fw = b.fwhm_ev
            if fw - lo <= 1e-3 * lo:
                out.append(
                    f"band {b.name!r} ended at its narrowest allowed width ({b.fwhm_nm:.3g} nm): "
                    "it fits a single point or noise; remove it or lock its width"
                )
            elif hi - fw <= 1e-3 * hi:
                out.append(
                    f"band {b.name!r} ended at its widest allowed width ({b.fwhm_nm:.3g} nm): it "
                    "stands in for a background; remove it, lock its width, or narrow "
                    "wavelength_range"
                )
    vanished = [b.name for b in fitted if "amplitude" in b.vary and abs(b.amplitude) < 1e-6 * scale]
    if vanished:
        out.append(
            f"band(s) {', '.join(vanished)} fitted to zero height: the other bands took their "
            "place; move them closer to the data's features (or lock a width) and fit again"
        )
    # a small band (< 5 % of the summed |areas|) whose height is not significant: noise fitted.
    # (A large band with a wide error is a split between overlapping bands; its error says so.)
    total = sum(abs(b.area) for b in fitted) or 1.0
    faint = [
        b.name
        for b in fitted
        if "amplitude" in b.vary
        and b.name not in vanished
        and math.isfinite(b.amplitude_err)
        and abs(b.amplitude) < 2 * b.amplitude_err
        and abs(b.area) < 0.05 * total
    ]
    if faint:
        out.append(
            f"band(s) {', '.join(faint)}: height within two standard errors of zero, the data do "
            "not need them; remove them or move them to a feature of the spectrum"
        )
    names, errors = [], []
    for b in fitted:
        for key, label in (("center_nm", "centre"), ("fwhm_nm", "width"), ("amplitude", "height")):
            if key in b.vary and b.name not in vanished:
                names.append(f"{b.name} {label}")
                errors.append(getattr(b, key + "_err"))
    out += _status.undetermined(names, errors)
    out += _status.cancelling([b.amplitude for b in fitted], scale)
    rms = float(np.sqrt(np.mean(residual**2))) if residual.size else math.nan
    out += _status.residual_above_noise(rms, noise_of(y), factor=3.0)
    return out
