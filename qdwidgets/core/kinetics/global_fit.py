"""Global analysis: lifetimes shared by every wavelength (and pump level); DAS / EAS; SVD.

The data matrix Y (delays × columns) enters the variable-projection residual only through
``C = Y Yᵀ``; when there are more columns than delays the fit runs on ``L`` with ``L Lᵀ = C``
(n_t × n_t) — the same residual norm and Jacobian inner products, exactly — so a 400 × 1024 fit
costs what a 400 × 400 one does. The spectra are then solved on the full data.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import scipy.linalg
import xarray as xr

from ... import _args
from ..._choices import KINETICS_MODELS, KineticsModel
from ...data.contract import validate
from ...errors import FitError
from .._masked import drop_masked, full_grid, reinsert
from .._status import covariance_normal
from . import model as M
from ._global_assemble import _assemble
from ._global_assemble import sequential_matrix as sequential_matrix
from ._inputs import _n_components
from ._options import fit_options, windows
from .dispersion import fit_dispersion
from .params import _start, to_internal
from .projection import _qr_solve
from .results import GlobalFit, SVDResult
from .varpro import batch_fit


def _matrix(
    ta: Any, pump: Any, delay_range: Any, wavelength_range: Any
) -> tuple[xr.DataArray, np.ndarray, np.ndarray]:
    """dA as (delay, pump, wavelength), its delays (ps) and the (delay × columns) matrix."""
    if isinstance(ta, xr.DataArray):
        ta = ta.to_dataset(name="dA")
    ds = validate(ta, "ta")
    da = ds["dA"]
    if pump is not None:
        da = da.sel(pump=[pump] if np.isscalar(pump) else pump, method="nearest")
    if delay_range is not None:
        da = da.sel(delay=slice(*delay_range))
    if wavelength_range is not None:
        da = da.sel(wavelength=slice(*wavelength_range))
    da = drop_masked(da.transpose("delay", "pump", "wavelength"))  # masked columns left out
    if da.sizes["delay"] < 3 or da.sizes["wavelength"] < 1:
        raise FitError(
            f"after selection the data hold {da.sizes['delay']} delays × "
            f"{da.sizes['wavelength']} wavelengths; widen delay_range/wavelength_range"
        )
    t = np.asarray(da["delay"].values, dtype=float)
    y = np.asarray(da.values, dtype=float).reshape(len(t), -1)
    return da, t, y


def _root(y: np.ndarray) -> np.ndarray:
    """A matrix L with L Lᵀ = Y Yᵀ and at most n_t columns."""
    if y.shape[1] <= y.shape[0]:
        return y
    c = y @ y.T
    try:
        root: np.ndarray = scipy.linalg.cholesky(c, lower=True, check_finite=False)
        return root
    except np.linalg.LinAlgError:
        w, v = np.linalg.eigh(c)
        root = v * np.sqrt(np.clip(w, 0, None))
        return root


def fit_global(
    ta: Any,
    n_components: int = 3,
    *,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    chirp: Any = None,
    chirp_order: int = 3,
    coherent_artifact: bool = False,
    model: KineticsModel = "parallel",
    offset: bool = False,
    pump: Any = None,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    delay_range: tuple[float, float] | None = None,
    wavelength_range: tuple[float, float] | None = None,
) -> GlobalFit:
    """Global fit: ``n_components`` lifetimes (ps) shared by every wavelength and pump level.

    Parameters
    ----------
    ta : Dataset
        TA dataset (``dA`` in OD over pump, delay in ps, wavelength in nm) or a ``dA`` DataArray.
    n_components : int
        Number of exponential decays (1–6).
    irf_fwhm, t0 : "fit" or float
        The Gaussian IRF's FWHM and time zero (ps): fitted, or fixed at the number given.
    chirp : None, "fit", array or DataArray
        ``None``: one time zero for all wavelengths. ``"fit"``: the IRF centre is a polynomial of
        order ``chirp_order`` in (λ − λc)/100 nm (λc the centre of the wavelength range), fitted
        jointly with everything else, every wavelength on its own measured delays (nothing is
        resampled or dropped). An array (one t0 per wavelength, ps) or a DataArray over
        wavelength (e.g. from :func:`qdwidgets.core.chirp.estimate`) holds t0(λ) fixed.
    chirp_order : int
        Order of the dispersion polynomial (0–4) for ``chirp="fit"``.
    coherent_artifact : bool
        Add the coherent artefact at time zero: the IRF and its first two derivatives, with
        amplitudes per wavelength (``GlobalFit.artifact``), so that no sub-IRF lifetime is
        spent on it.
    model : {"parallel", "sequential"}
        Decay-associated (DAS) or evolution-associated spectra (EAS, 1 → 2 → …, fast → slow).
    offset : bool
        Add a non-decaying component.
    pump : float or list, optional
        Pump levels to fit (nearest); all levels jointly by default.
    initial, bounds, fixed
        Start values, bounds and fixed names among ``tau1..n``, ``irf_fwhm``, ``t0`` (ps).
    delay_range, wavelength_range : (low, high), optional
        Fit window (ps, nm).

    Returns
    -------
    GlobalFit
        Lifetimes with standard errors (infinite where the data cannot determine them),
        spectra, ``best_fit``/``residual`` on the measured grid, ``chirp`` (t0 per wavelength,
        ps), and the status fields ``converged``, ``message``, ``nfev``, ``warnings``.

    Raises
    ------
    FitError
        When an option is out of range or the data cannot carry the model.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import fit_global
    >>> fit = fit_global(qdwidgets.examples.ta(), 3, delay_range=(2, None), offset=True)
    >>> fit.converged, len(fit.taus)
    (True, 3)
    """
    if model not in KINETICS_MODELS:
        raise FitError(f"model must be one of {list(KINETICS_MODELS)}, not {model!r}")
    n = _n_components(n_components)
    windows(delay_range, wavelength_range)
    da, t, y = _matrix(ta, pump, delay_range, wavelength_range)
    full, note = full_grid(da)
    if np.isinf(y).any():
        raise FitError(
            "ΔA holds infinite values in the fit window; crop them (delay_range, "
            "wavelength_range) or mask the wavelengths out before fitting"
        )
    if np.isnan(y).any() and chirp is None:
        # a chirp-corrected dataset: each wavelength is fitted where it was measured, which
        # the dispersion engine does (one time zero for all: a polynomial of order 0)
        chirp, chirp_order = (
            ("fit", 0) if t0 == "fit" else (np.full(da.sizes["wavelength"], float(t0)), 0)
        )
    if np.nanmax(y) == np.nanmin(y):
        raise FitError("ΔA is constant: there is no kinetics to fit")
    n_free = n + int(irf_fwhm == "fit") + int(t0 == "fit")
    if len(t) <= n_free + n + int(offset) + 3 * int(coherent_artifact):
        raise FitError(
            f"{len(t)} delays are too few for {n} components; use fewer components or more delays"
        )
    if coherent_artifact:
        _check_artifact(t, y, irf_fwhm, t0, chirp)
    if chirp is None:
        core = _fit_shared(da, t, y, n, irf_fwhm, t0, offset, coherent_artifact,
                           initial, bounds, fixed)  # fmt: skip
    else:
        core = fit_dispersion(
            da, t, n, chirp=chirp, order=chirp_order, offset=offset,
            coherent=bool(coherent_artifact), irf_fwhm=irf_fwhm, initial=initial,
            bounds=bounds, fixed=fixed,
            shared=lambda d, tt, yy, **kw: _fit_shared(d, tt, yy, n, **kw),
        )  # fmt: skip
    g = _assemble(da, t, y, n, core, model=model, offset=offset, coherent=coherent_artifact)
    return _with_masked(g, full, note)


def _with_masked(g: GlobalFit, full: xr.DataArray | None, note: str) -> GlobalFit:
    """The fit's spectra, best fit and residual back on the full grid (NaN where masked)."""
    if full is None:
        return g
    put = {f: reinsert(getattr(g, f), full) for f in ("das", "best_fit", "residual", "chirp",
                                                      "artifact")}  # fmt: skip
    return dataclasses.replace(g, **put, warnings=(*g.warnings, note))


def _check_artifact(t: np.ndarray, y: np.ndarray, irf_fwhm: Any, t0: Any, chirp: Any) -> None:
    """The coherent artefact needs delays before and around time zero: at least three delays
    before the half-rise of the strongest trace."""
    from ..chirp import half_rise
    from .trust import column_noise

    col = int(np.argmax(np.nanmax(np.abs(y), axis=0)))
    x = y[:, col : col + 1]
    rise, _ = half_rise(t, x, column_noise(x))
    before = int(np.sum(t < rise[0])) if np.isfinite(rise[0]) else 0
    if before < 3:
        raise FitError(
            f"coherent_artifact=True needs delays before time zero, but only {before} delay(s) "
            "lie before the signal's rise; drop coherent_artifact or include earlier delays"
        )


def _fit_shared(
    da: xr.DataArray,
    t: np.ndarray,
    y: np.ndarray,
    n: int,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = False,
    coherent: bool = False,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    n_starts: int = 1,
) -> dict[str, Any]:
    """One time zero for every column: the fit runs on ``L`` with ``L Lᵀ = Y Yᵀ``.

    ``n_starts`` > 1: the ``n_starts`` best grid lifetime sets and a log-spaced set are all
    fitted (one batched call) and the lowest χ² is kept.
    """
    lroot = _root(y)
    spec, cands = _start(
        t, lroot, n, irf_fwhm=irf_fwhm, t0=t0, offset=offset, initial=initial, bounds=bounds,
        fixed=fixed, rise=y[:, int(np.argmax(np.max(np.abs(y), axis=0)))], n_best=n_starts,
    )  # fmt: skip
    free = [k for k, v in spec.items() if v[3]]
    x0, mask, lower, upper = to_internal(spec, n)
    m = n + int(offset) + 3 * int(coherent)
    dof = max(y.size - len(free) - m * y.shape[1], 1)
    starts = [x0]
    if cands is not None and n_starts > 1:  # the next-best grid lifetimes, and a log spread
        span = float(t[-1] - t[0])
        spread = np.geomspace(max(float(np.min(np.diff(t))), 1e-3) * 10.0, span / 2.0, n)
        for cand in [*cands[1:], spread]:
            xs = x0.copy()
            xs[:n] = np.clip(np.log(np.asarray(cand, dtype=float)), lower[:n], upper[:n])
            starts.append(xs)
    x_first = np.array(starts)
    screened = 0
    if len(starts) > 1:  # screen every start with a few iterations (one batched call)
        batch = np.broadcast_to(lroot, (len(starts), *lroot.shape))
        pre = batch_fit(t, batch, x_first, n, offset, mask, lower, upper, dof=dof,
                        coherent=coherent, max_iter=10)  # fmt: skip
        i_best = int(np.argmin(np.where(np.isfinite(pre["rss"]), pre["rss"], np.inf)))
        x_first = pre["x"][i_best : i_best + 1]
        screened = int(np.sum(pre["nfev"]))
    out = batch_fit(t, lroot[None], x_first, n, offset, mask, lower, upper, dof=dof,
                    coherent=coherent, max_iter=200)  # fmt: skip
    x = out["x"][0]
    (phi,) = M.basis(t, np.exp(x[:n]), np.exp(x[n]), np.asarray(x[n + 1]), offset,
                     coherent=coherent)  # fmt: skip
    _, amp, _res = _qr_solve(phi, y)
    return {
        "x": x,
        "cov": covariance_normal(out["h"][0], out["rss"][0], dof),
        "fitted": phi @ amp,
        "amp": amp,
        "converged": bool(out["converged"][0]),
        "message": str(out["message"][0]),
        "nfev": int(out["nfev"][0]) + screened,
        "lower": lower,
        "upper": upper,
        "mask": mask,
        "dof": dof,
        "chirp": None,
    }


def svd(ta: Any, *, pump: Any = None, n: int = 10) -> SVDResult:
    """Singular values and vectors of ΔA (delay × wavelength; pump levels side by side).

    ``noise_level`` = σ (√n_t + √n_cols), the largest singular value pure noise of standard
    deviation σ would give (σ from point-to-point differences over the last third of the delays,
    median over wavelengths);
    ``n_significant`` counts the singular values above it. On a chirp-corrected dataset (NaN
    where a wavelength has no measurement) the delays that every wavelength has are used.

    Parameters
    ----------
    ta : xarray.Dataset or xarray.DataArray
        A TA dataset (``dA`` in OD) or its ``dA``.
    pump : float or list, optional
        Pump levels used (nearest); all by default.
    n : int, default 10
        Singular values and vectors kept.

    Returns
    -------
    SVDResult
        ``singular_values`` (OD), the kinetic and spectral vectors, ``noise_level`` (OD) and
        ``n_significant``.
    """
    with fit_options():
        n = _args.integer("n", n, lo=1, hi=10_000)
    da, _t, y = _matrix(ta, pump, None, None)
    full, note = full_grid(da)
    if np.isinf(y).any():
        raise FitError("ΔA holds infinite values; crop or mask them before the SVD")
    if np.isnan(y).any():  # a chirp-corrected dataset: the delays every wavelength has
        rows = np.isfinite(y).all(axis=1)
        if int(rows.sum()) < 3:
            raise FitError(
                "fewer than 3 delays are measured at every wavelength; narrow the wavelengths "
                "(qdwidgets.core.prepare.crop) before the SVD"
            )
        da, y = da.isel(delay=np.flatnonzero(rows)), y[rows]
    u, s, vt = np.linalg.svd(y, full_matrices=False)
    k = min(n, len(s))
    vals = np.asarray(da.values, dtype=float)  # (delay, pump, wavelength)
    late = vals[-max(3, vals.shape[0] // 3) :]
    d1 = np.diff(late, axis=0) / math.sqrt(2.0)  # slow signal at late delays: mostly noise
    sigma = float(np.median(np.std(d1, axis=0))) if d1.size else 0.0
    level = sigma * (math.sqrt(y.shape[0]) + math.sqrt(y.shape[1]))
    comp = np.arange(1, k + 1)
    spectra = vt[:k].reshape(k, da.sizes["pump"], da.sizes["wavelength"])
    spec_da = xr.DataArray(
        spectra,
        dims=("component", "pump", "wavelength"),
        coords={"component": comp, "pump": da["pump"], "wavelength": da["wavelength"]},
        attrs={"units": "1", "long_name": "right singular vector"},
    )
    if da.sizes["pump"] == 1:
        spec_da = spec_da.isel(pump=0)
    if full is not None:  # back on the full grid, NaN where masked, and said
        spec_da = reinsert(spec_da, full)
        spec_da.attrs["masked"] = note
    return SVDResult(
        singular_values=xr.DataArray(
            s[:k],
            dims=("component",),
            coords={"component": comp},
            attrs={"units": "OD", "long_name": "singular value"},
        ),
        kinetics=xr.DataArray(
            u[:, :k],
            dims=("delay", "component"),
            coords={"delay": da["delay"], "component": comp},
            attrs={"units": "1", "long_name": "left singular vector"},
        ),
        spectra=spec_da,
        noise_level=level,
        n_significant=int(np.sum(s > level)),
    )
