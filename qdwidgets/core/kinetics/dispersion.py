"""Global fit with dispersion inside the model: each wavelength on its own measured delays.

The IRF centre of wavelength λ_j is ``t0_j = base_j + Σ_k c_k x_j^k`` with
``x_j = (λ_j − λc) / 100 nm`` (λc the centre of the wavelength range; pyglotaran's
parametrisation), ``base`` a fixed t0(λ) (zero when the polynomial is fitted). Every wavelength
keeps the measured delays: its basis Φ_j (delays × m) is evaluated at ``t − t0_j``, so nothing
is resampled and nothing is dropped.

The spectra are solved linearly per wavelength (variable projection, one batched QR for all
wavelengths); the nonlinear parameters ``[ln τ_1..n, ln σ, c_0..c_K]`` are shared. The Gauss–Newton
matrices of the wavelengths, computed in one vectorised call, are summed through the chain rule
``∂t0_j/∂c_k = x_j^k`` into the global ``JᵀJ`` and ``Jᵀr``; no Jacobian of size
(delays·wavelengths) × p is ever built.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .lm import levenberg_marquardt
from .varpro import _batch_state

SCALE_NM = 100.0  # x = (λ − λc) / SCALE_NM
BLOCK = 64  # wavelengths per vectorised block (arrays that stay in cache)


def powers(wavelength: np.ndarray, order: int, centre: float) -> np.ndarray:
    """``x^k`` for k = 0..order, x = (λ − centre)/100 nm: shape (n_wavelengths, order + 1)."""
    x = (np.asarray(wavelength, dtype=float) - centre) / SCALE_NM
    return np.vander(x, order + 1, increasing=True)


class DispersionProblem:
    """The variable-projection problem of :func:`fit_global` with t0 per wavelength.

    ``t`` (n_t,) delays (ps); ``y`` (n_wl, n_t, k) data, k pump levels; ``pw`` (n_wl, K+1) the
    powers of x (K = -1: no polynomial, t0 = ``base``); ``base`` (n_wl,) fixed t0 (ps); ``w``
    (n_wl, n_t), optional: 0 where a wavelength has no measurement (``y`` 0 there), else 1.
    Global vector ``x = [ln τ_1..n, ln σ, c_0..c_K]``.
    """

    def __init__(
        self,
        t: np.ndarray,
        y: np.ndarray,
        n: int,
        offset: bool,
        coherent: bool,
        pw: np.ndarray,
        base: np.ndarray,
        w: np.ndarray | None = None,
    ) -> None:
        self.t, self.y, self.n, self.offset, self.coherent = t, y, n, offset, coherent
        self.pw, self.base, self.w = pw, base, w
        self.n_wl = y.shape[0]

    def rows(self, xg: np.ndarray) -> np.ndarray:
        """Per-wavelength internal vectors ``[ln τ, ln σ, t0_j]`` (n_wl, n + 2)."""
        n = self.n
        xr_ = np.empty((self.n_wl, n + 2))
        xr_[:, : n + 1] = xg[: n + 1]
        xr_[:, n + 1] = self.base + self.pw @ xg[n + 1 :]
        return xr_

    def state(
        self, xg: np.ndarray, *, keep: bool = False
    ) -> tuple[float, np.ndarray, np.ndarray, Any]:
        """χ², the global JᵀJ and Jᵀr, and with ``keep`` (amplitudes, basis) per wavelength.

        Blocks of wavelengths are reduced as they are computed (nothing of size
        wavelengths × delays is kept unless ``keep``).
        """
        n, pw = self.n, self.pw
        s = n + 1  # shared parameters
        p = s + pw.shape[1]
        hg = np.zeros((p, p))
        gg = np.zeros(p)
        cost = 0.0
        rows = self.rows(xg)
        kept: list[tuple[np.ndarray, np.ndarray]] = []
        for i in range(0, self.n_wl, BLOCK):
            sl = slice(i, i + BLOCK)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                # a trial step may overflow; its χ² is then not finite and the step is refused
                res, h, g, a, phi, _ = _batch_state(
                    self.t, self.y[sl], rows[sl], n, self.offset, coherent=self.coherent,
                    w=None if self.w is None else self.w[sl],
                )  # fmt: skip
            cost += float(np.einsum("bi,bi->", res, res))
            pb = pw[sl]
            hg[:s, :s] += h[:, :s, :s].sum(axis=0)
            cross = np.einsum("ja,jk->ak", h[:, :s, s], pb)
            hg[:s, s:] += cross
            hg[s:, :s] += cross.T
            hg[s:, s:] += np.einsum("j,jk,jl->kl", h[:, s, s], pb, pb)
            gg[:s] += g[:, :s].sum(axis=0)
            gg[s:] += pb.T @ g[:, s]
            if keep:
                kept.append((a, phi))
        extra = None
        if keep:
            extra = (np.concatenate([k[0] for k in kept]), np.concatenate([k[1] for k in kept]))
        return cost, hg, gg, extra


def _shift_traces(t: np.ndarray, y3: np.ndarray, t0: np.ndarray) -> np.ndarray:
    """Each wavelength's traces sampled at t + t0_j (start values only; edges held)."""
    out = np.empty_like(y3)
    for j in range(y3.shape[0]):
        for p in range(y3.shape[2]):
            out[j, :, p] = np.interp(t + t0[j], t, y3[j, :, p])
    return out


def _start_chirp(t: np.ndarray, y3: np.ndarray, pw: np.ndarray) -> np.ndarray:
    """Start coefficients of t0(λ): a robust (S/N-weighted, MAD-clipped) polynomial through the
    half-rise times of the strongest pump level; a constant when too few rises are clear."""
    from ..chirp import _robust_polyfit, half_rise
    from .trust import column_noise

    k = int(np.argmax(np.max(np.abs(y3), axis=(0, 1))))
    x = y3[:, :, k].T
    t0, snr = half_rise(t, x, column_noise(x))
    use = np.isfinite(t0) & (snr >= 5.0)
    order = pw.shape[1] - 1
    if use.sum() < order + 2:
        coef = np.zeros(order + 1)
        coef[0] = float(np.nanmedian(t0)) if np.isfinite(t0).any() else float(t[0])
        return coef
    xs = pw[:, 1] if order >= 1 else np.zeros(len(t0))
    c_high, _ = _robust_polyfit(xs, t0, np.minimum(snr, 100.0), use, order)
    return np.asarray(c_high[::-1], dtype=float)  # increasing powers


def fit_dispersion(
    da: Any,
    t: np.ndarray,
    n: int,
    *,
    chirp: Any,
    order: int,
    offset: bool,
    coherent: bool,
    irf_fwhm: Any,
    initial: Any,
    bounds: Any,
    fixed: Any,
    shared: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    """The ``chirp="fit"`` / fixed-chirp branch of ``fit_global`` (see the module docstring).

    ``shared(da, t, y, **options)`` is the one-time-zero global fit, run once on traces shifted
    by the start t0(λ) to get start lifetimes and IRF width.
    """
    import xarray as xr

    from ...errors import FitError
    from .. import _status

    wl = np.asarray(da["wavelength"].values, dtype=float)
    nwl, npump = wl.size, da.sizes["pump"]
    y3 = np.ascontiguousarray(np.asarray(da.transpose("wavelength", "delay", "pump").values, float))
    # NaN at a wavelength's ends (chirp-corrected data): those rows weigh 0
    measured = np.isfinite(y3).all(axis=2)
    w = None if measured.all() else measured.astype(float)
    if w is not None:
        y3 = np.where(measured[:, :, None], y3, 0.0)
        common = measured.all(axis=0)
        if int(common.sum()) < n + 4:
            raise FitError(
                f"only {int(common.sum())} delays are measured at every wavelength, too few to "
                f"start a {n}-component fit; narrow wavelength_range or use fewer components"
            )
    centre = float((wl[0] + wl[-1]) / 2.0)
    fit_poly = isinstance(chirp, str)
    if fit_poly:
        if chirp != "fit":
            raise FitError(
                f"chirp must be None, 'fit', or time zero (ps) per wavelength, not {chirp!r}"
            )
        if (
            isinstance(order, bool)
            or not isinstance(order, (int, np.integer))
            or not (0 <= order <= 4)
        ):
            raise FitError(f"chirp_order must be an integer from 0 to 4, not {order!r}")
        if nwl < order + 2:
            raise FitError(
                f"a dispersion polynomial of order {order} needs at least {order + 2} "
                f"wavelengths; the data have {nwl}. Use a lower chirp_order or more wavelengths"
            )
        pw = powers(wl, int(order), centre)
        base = np.zeros(nwl)
        coef = _start_chirp(t, y3, pw)
        start_t0 = pw @ coef
    else:
        base = _fixed_chirp(chirp, da["wavelength"], FitError)
        pw = np.zeros((nwl, 0))
        coef = np.zeros(0)
        start_t0 = base
    # start lifetimes and IRF from the one-time-zero fit of the traces aligned on a common
    # time zero t_ref (the median start t0, so the rise stays inside the measured delays);
    # its time zero is free even for a fixed chirp (held at t_ref, the multi-start screening
    # can settle in a worse basin on real data) and only its lifetimes and IRF are kept then
    t_ref = float(np.median(start_t0))
    ts, ys = (t, y3) if w is None else (t[common], y3[:, common])
    ys = _shift_traces(ts, ys, start_t0 - t_ref)
    ys2 = ys.transpose(1, 2, 0).reshape(len(ts), -1)
    first = shared(
        da, ts, ys2, irf_fwhm=irf_fwhm, t0="fit", offset=offset,
        coherent=coherent, initial=initial, bounds=bounds, fixed=fixed, n_starts=4,
    )  # fmt: skip
    x_sh = first["x"]
    if fit_poly:
        coef = coef.copy()
        coef[0] += float(x_sh[n + 1]) - t_ref
    x0 = np.concatenate([x_sh[: n + 1], coef])
    mask = np.concatenate([first["mask"][: n + 1], np.ones(coef.size, dtype=bool)])
    lower = np.concatenate([first["lower"][: n + 1], np.full(coef.size, -np.inf)])
    upper = np.concatenate([first["upper"][: n + 1], np.full(coef.size, np.inf)])
    problem = DispersionProblem(t, y3, n, offset, coherent, pw, base, w)
    n_data = y3.size if w is None else int(w.sum()) * npump
    # a tighter floor than the per-trace fits: thousands of points share these few parameters
    out = levenberg_marquardt(
        problem.state, x0, mask, lower, upper, n_data=n_data, noise_floor=1e-3,
        probe=_limit_probe(n, mask, lower, max(n_data - y3.shape[0] * npump * (n + 1), 1)),
    )  # fmt: skip

    x = out["x"]
    cost, h, _, (a, phi) = problem.state(x, keep=True)
    m = a.shape[1]
    fidx = np.flatnonzero(mask)
    dof = max(n_data - fidx.size - m * nwl * npump, 1)
    cov = _status.covariance_normal(h[np.ix_(fidx, fidx)], cost, dof)
    fitted = np.einsum("jtm,jmk->jtk", phi, a)
    if w is not None:  # no model where nothing was measured
        fitted = np.where(measured[:, :, None], fitted, np.nan)
    # the chirp curve and its standard error
    t0_wl = base + pw @ x[n + 1 :]
    k_c = coef.size
    if k_c:
        ci = [int(np.flatnonzero(fidx == n + 1 + i)[0]) for i in range(k_c)]
        cov_c = cov[np.ix_(ci, ci)]
        with np.errstate(invalid="ignore"):
            var = np.einsum("wi,ij,wj->w", pw, np.nan_to_num(cov_c, nan=np.inf), pw)
        curve_err = np.sqrt(np.where(np.isfinite(var) & (var >= 0), var, np.inf))
        coef_err = _status.stderr(cov_c)
    else:
        curve_err = np.zeros(nwl)
        coef_err = np.zeros(0)
    names = {f"chirp_c{i}": float(e) for i, e in enumerate(coef_err)}
    chirp_da = xr.DataArray(
        t0_wl,
        dims=("wavelength",),
        coords={
            "wavelength": da["wavelength"],
            "chirp_stderr": (
                "wavelength",
                curve_err,
                {"units": "ps", "long_name": "standard error"},
            ),
        },
        name="chirp",
        attrs={
            "units": "ps",
            "long_name": "time zero per wavelength (IRF centre)",
            "method": "fitted" if fit_poly else "fixed",
            "order": int(order) if fit_poly else -1,
            "coefficients": [float(c) for c in x[n + 1 :]],
            "coefficients_stderr": [float(e) for e in coef_err],
            "wavelength_center": centre,
            "wavelength_scale": SCALE_NM,
        },
    )
    t0_centre = float(base[np.argmin(np.abs(wl - centre))] + (x[n + 1] if k_c else 0.0))
    return {
        "x": np.concatenate([x[: n + 1], [t0_centre]]),
        "cov": cov,
        "mask": mask,
        "lower": lower,
        "upper": upper,
        "fitted": fitted.transpose(1, 2, 0).reshape(len(t), -1),
        "amp": a.transpose(1, 2, 0).reshape(m, -1),
        "converged": out["converged"],
        "message": out["message"],
        "nfev": out["nfev"] + int(first["nfev"]),
        "dof": dof,
        "chirp": chirp_da,
        "chirp_stderr_by_name": names,
        "t0": t0_centre,
        "t0_stderr": float(coef_err[0]) if k_c else float("nan"),
    }


def _limit_probe(n: int, mask: np.ndarray, lower: np.ndarray, dof: int) -> Callable[..., Any]:
    """A probe for the LM loop: a lifetime far below the IRF width (τ < σ/10) whose ln τ the data
    do not determine (standard error > 3) is on its way to the limit τ → 0, where its column is
    the IRF itself and χ² is lowest; the loop would crawl there. It is sent to its lower bound
    and held (once per lifetime); its error stays infinite in the result."""
    from .trust import LN_ERR_MAX

    tried: set[int] = set()

    def probe(x: np.ndarray, h: np.ndarray, cost: float) -> Any:
        free = mask.copy()
        free[list(tried)] = False
        fidx = np.flatnonzero(free)
        sigma = math.exp(x[n])
        with np.errstate(all="ignore"):
            inv = np.linalg.pinv(h[np.ix_(fidx, fidx)], hermitian=True)
            var = cost / dof * np.diagonal(inv)
        for k in range(n):
            if k in tried or not mask[k] or math.exp(x[k]) >= sigma / 10.0:
                continue
            i = int(np.flatnonzero(fidx == k)[0])
            if 0.0 < var[i] < LN_ERR_MAX**2:  # determined: the data hold it
                continue
            tried.add(k)
            xt = x.copy()
            xt[k] = lower[k]
            free[k] = False
            return xt, free
        return None

    return probe


def _fixed_chirp(chirp: Any, wl_coord: Any, error: type[Exception]) -> np.ndarray:
    """A fixed t0 per wavelength (ps) from an array or a DataArray over wavelength."""
    import xarray as xr

    wl = np.asarray(wl_coord.values, dtype=float)
    if isinstance(chirp, xr.DataArray):
        if "wavelength" not in chirp.dims:
            raise error("a chirp DataArray must be over 'wavelength' (t0 in ps per wavelength)")
        src = np.asarray(chirp["wavelength"].values, dtype=float)
        vals = np.asarray(chirp.values, dtype=float)
        if src.size < 1 or wl.min() < src.min() - 1e-9 or wl.max() > src.max() + 1e-9:
            raise error(
                f"the chirp covers {src.min():g}–{src.max():g} nm but the data "
                f"{wl.min():g}–{wl.max():g} nm; estimate it on the same wavelengths"
            )
        c = vals if np.array_equal(src, wl) else np.interp(wl, src, vals)
    else:
        try:
            c = np.asarray(chirp, dtype=float)
        except (TypeError, ValueError):
            raise error(f"chirp must be numbers (t0 in ps per wavelength), not {chirp!r}") from None
        if c.ndim == 0:
            c = np.full(wl.size, float(c))
        if c.shape != (wl.size,):
            raise error(
                f"chirp has {c.size} values but the data have {wl.size} wavelengths; give one "
                "time zero (ps) per wavelength"
            )
    if not np.all(np.isfinite(c)):
        raise error("chirp holds NaN or infinite values; give a finite t0 (ps) per wavelength")
    return c
