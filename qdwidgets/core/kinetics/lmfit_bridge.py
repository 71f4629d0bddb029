"""lmfit objects for kinetics results, built on request (``fit.to_lmfit()``), never stored.

The data of a result are ``best_fit + residual``; the problem is rebuilt from them and lmfit's
``least_squares`` is run from the fitted values, so its report describes the same optimum.
"""

from __future__ import annotations

import math
from typing import Any

import lmfit
import numpy as np

from . import model as M
from .projection import Projection, _qr_solve


def _params(taus: Any, irf_fwhm: float, t0: float, stderr: dict[str, float]) -> lmfit.Parameters:
    p = lmfit.Parameters()
    for i, tau in enumerate(taus):
        p.add(f"tau{i + 1}", value=float(tau), min=1e-6)  # ps: lifetimes stay positive
    # a parameter whose standard error is NaN was held fixed in the fit
    p.add("irf_fwhm", value=irf_fwhm, min=0.0, vary=not math.isnan(stderr.get("irf_fwhm", 0.0)))
    p.add("t0", value=t0, vary=not math.isnan(stderr.get("t0", 0.0)))
    return p


def trace_to_lmfit(fit: Any) -> Any:
    """lmfit ``MinimizerResult`` for a :class:`KineticsFit`."""
    data = np.asarray(fit.best_fit + fit.residual, dtype=float)
    t = np.asarray(fit.best_fit["delay"].values, dtype=float)
    ok = np.isfinite(data)
    proj = Projection(t[ok], data[ok][:, None], len(fit.taus), bool(fit.has_offset))
    params = _params(fit.taus, fit.irf_fwhm, fit.t0, fit.stderr)
    from .fit import _lmfit_minimize

    return _lmfit_minimize(proj, params, [k for k in params if params[k].vary])


def global_to_lmfit(fit: Any) -> Any:
    """lmfit ``MinimizerResult`` for a :class:`GlobalFit` (with or without dispersion)."""
    da = (fit.best_fit + fit.residual).transpose("delay", "pump", "wavelength")
    t = np.asarray(da["delay"].values, dtype=float)
    y = np.asarray(da.values, dtype=float)  # (delay, pump, wavelength)
    n = len(fit.taus)
    coherent = fit.artifact is not None
    params = _params(fit.taus, fit.irf_fwhm, fit.t0, fit.stderr)
    chirp = fit.chirp
    coef = list(chirp.attrs.get("coefficients", [])) if chirp is not None else []
    fitted_poly = chirp is not None and chirp.attrs.get("method") == "fitted"
    if chirp is not None:
        params["t0"].vary = False
        if fitted_poly:
            for i, c in enumerate(coef):
                params.add(f"chirp_c{i}", value=float(c))
    wl = np.asarray(da["wavelength"].values, dtype=float)
    if fitted_poly:
        x = (wl - float(chirp.attrs["wavelength_center"])) / float(chirp.attrs["wavelength_scale"])
    base = np.asarray(chirp.values, dtype=float) if chirp is not None and not fitted_poly else None

    def residual(p: lmfit.Parameters) -> np.ndarray:
        taus = np.array([p[f"tau{i + 1}"].value for i in range(n)])
        sigma = M.sigma_from_fwhm(p["irf_fwhm"].value)
        if chirp is None:
            t0 = np.full(wl.size, p["t0"].value)
        elif fitted_poly:
            t0 = np.polynomial.polynomial.polyval(
                x, [p[f"chirp_c{i}"].value for i in range(len(coef))]
            )
        else:
            assert base is not None
            t0 = base
        (phi,) = M.basis(t, np.tile(taus, (wl.size, 1)), np.full(wl.size, sigma), t0,
                         fit.offset, coherent=coherent)  # fmt: skip
        _, _, res = _qr_solve(phi, np.moveaxis(y, 2, 0))
        return np.asarray(res).ravel()

    return lmfit.minimize(residual, params, method="least_squares", x_scale="jac")
