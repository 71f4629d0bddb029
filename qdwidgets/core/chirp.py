"""Chirp (group-velocity dispersion of the probe): time zero t0(λ) per wavelength, and its removal.

:func:`estimate` fits t0(λ) as a polynomial in λ: globally, with IRF-convolved exponentials
that all start at t0(λ) (default), or through the per-wavelength half-rise of ``|ΔA|``.
:func:`correct` shifts every wavelength's trace by −t0(λ) (linear interpolation) onto a delay
axis that keeps every measured delay, NaN only where a wavelength has no measurement, and stores
``chirp`` (ps) in the dataset; :func:`uncorrect` undoes it (both in ``_chirp_shift``). Delays in
ps, wavelengths in nm, signals in OD.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from .. import _args
from ..data.contract import validate
from ..errors import DatasetError, QDError
from ._chirp_shift import CORRECTED as CORRECTED
from ._chirp_shift import MEASURED_DELAYS as MEASURED_DELAYS
from ._chirp_shift import _history as _history
from ._chirp_shift import _t0_on_grid as _t0_on_grid
from ._chirp_shift import correct as correct
from ._chirp_shift import uncorrect as uncorrect
from ._noise import MAD_TO_SIGMA, column_noise
from .gain import NOISE_BEFORE_PS
from .kinetics.dispersion import SCALE_NM
from .kinetics.model import FWHM_PER_SIGMA


def half_rise(t: np.ndarray, x: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half-rise time (ps) of ``|signal|`` per column of ``x`` (delays, wavelengths) and its S/N.

    The peak is the first delay where the 3-point running mean of sign·x reaches 80 % of its
    maximum; t0 is the last crossing of half that maximum before the peak, interpolated.
    """
    w = x.shape[1]
    kernel = np.ones(3) / 3.0
    t0 = np.full(w, np.nan)
    snr = np.zeros(w)
    for j in range(w):
        col, tc, d = x[:, j], t, x.shape[0]
        ok = np.isfinite(col)
        if not ok.all():  # NaN at the ends of a chirp-corrected column
            col, tc = col[ok], t[ok]
            d = col.size
            if d < 3:
                continue
        m = int(np.argmax(np.abs(col)))
        ys = col * np.sign(col[m] or 1.0)
        smooth = np.convolve(ys, kernel, mode="same")
        amp = float(smooth[1:-1].max()) if d > 2 else float(ys.max())
        snr[j] = amp / sigma[j] if sigma[j] > 0 else np.inf
        if amp <= 0:
            continue
        peak = int(np.argmax(smooth >= 0.8 * amp))
        below = np.flatnonzero(ys[: peak + 1] < amp / 2.0)
        if below.size == 0 or below[-1] >= d - 1:
            continue
        i = int(below[-1])
        a, b = ys[i], ys[i + 1]
        t0[j] = tc[i] + (tc[i + 1] - tc[i]) * (amp / 2.0 - a) / (b - a) if b != a else tc[i]
    return t0, snr


def rise_times(t: np.ndarray, x: np.ndarray, min_snr: float = 5.0) -> np.ndarray:
    """Half-rise time (ps) per column of ``x`` (delays, columns); NaN where S/N < ``min_snr``.

    The noise comes from neighbouring delays (:func:`~qdwidgets.core.kinetics.trust.column_noise`),
    so the result moves with the delay axis: relabel
    t → t + c and every rise time moves by c.
    """
    sigma = column_noise(x)
    t0, snr = half_rise(t, x, sigma)
    return np.where(snr >= min_snr, t0, np.nan)


def estimate(
    ta: xr.Dataset,
    *,
    order: int = 3,
    pump: int | None = None,
    min_snr: float = 5.0,
    method: str = "fit",
    taus: tuple[float, ...] = (0.5, 5.0),
    max_wavelengths: int = 32,
    window_ps: float = 10.0,
) -> xr.DataArray:
    """Time zero t0(λ) (ps) per wavelength as a polynomial of degree ``order`` in λ.

    ``method="fit"`` (default): :func:`qdwidgets.core.kinetics.fit_global` with
    ``chirp="fit"`` on up to ``max_wavelengths`` wavelengths with S/N ≥ ``min_snr`` and the
    delays up to ``window_ps`` after the latest rise: ``len(taus)`` lifetimes (fitted from
    automatic starts; only the count of ``taus`` is used) and an offset, convolved with a
    Gaussian IRF whose centre is the polynomial — every wavelength on its own measured delays.
    Slow rises (cooling) therefore do not bias t0. ``method="half-rise"``: the polynomial
    through the per-wavelength half-rise times (fast, biased late where the signal builds up
    slowly). Noise and S/N come from neighbouring delays, so the estimate does not depend on
    where zero sits on the delay axis: relabel t → t + c and t0(λ) moves by c.

    ``pump`` picks the pump level (index; default the one with the largest ``|ΔA|``). Returns the
    DataArray ``chirp`` over wavelength (ps) with coordinates ``chirp_stderr`` (ps, NaN for
    half-rise) and ``t0_half_rise`` (per-wavelength half-rise, NaN where unused), and attrs
    ``coefficients`` (highest power first, in x = (λ − wavelength_center) / wavelength_scale,
    wavelength_scale = 100 nm), ``irf_sigma_ps`` (NaN for half-rise), ``taus_ps`` (fit only),
    ``method`` and ``rms_ps`` (half-rise scatter about the fit).

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD, ``delay`` in ps, ``wavelength`` in nm) with the rise.
    order : int, default 3
        Degree of the polynomial t0(λ).
    pump : int, optional
        Index of the pump level used; default the one with the largest ``|ΔA|``.
    min_snr : float, default 5
        Wavelengths whose signal-to-noise ratio is below this are left out.
    method : {"fit", "half-rise"}, default "fit"
        The joint dispersion fit, or a polynomial through per-wavelength half-rise times.
    taus : tuple of float, default (0.5, 5.0)
        Only its length is used: the number of lifetimes of the joint fit.
    max_wavelengths : int, default 32
        Most wavelengths in the joint fit.
    window_ps : float, default 10
        Delays (ps) after the latest rise included in the joint fit.

    Returns
    -------
    xarray.DataArray
        ``chirp``: t0 (ps) over ``wavelength``, with ``chirp_stderr`` and ``t0_half_rise``
        (ps) coordinates and the polynomial in ``attrs``.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core import chirp
    >>> t0 = chirp.estimate(qdwidgets.examples.ta())
    >>> t0.dims, t0.attrs["units"]
    (('wavelength',), 'ps')
    """
    try:
        _args.choice("method", method, ("fit", "half-rise"))
        order = _args.integer("order", order, lo=0, hi=6)
        min_snr = _args.positive("min_snr", min_snr)
        max_wavelengths = _args.integer("max_wavelengths", max_wavelengths, lo=order + 2, hi=10**6)
        window_ps = _args.positive("window_ps", window_ps, unit="ps")
        if len(taus) < 1:
            raise _args.ArgumentError("taus must name at least one lifetime")
    except _args.ArgumentError as exc:
        raise DatasetError(f"chirp: {exc}") from None
    ds = validate(ta, "ta")
    t, wl = ds["delay"].values, ds["wavelength"].values
    da = ds["dA"].transpose("pump", "delay", "wavelength").values
    p = int(np.argmax(np.abs(da).max(axis=(1, 2)))) if pump is None else int(pump)
    if not -da.shape[0] <= p < da.shape[0]:
        raise DatasetError(f"pump: index {p} out of range (the dataset has {da.shape[0]} levels)")
    x = da[p]
    sigma = column_noise(x)  # noise from neighbouring delays: independent of the axis origin
    t0, snr = half_rise(t, x, sigma)
    use = np.isfinite(t0) & (snr >= min_snr)
    if int(use.sum()) < order + 2:
        raise DatasetError(
            f"chirp: only {int(use.sum())} wavelength(s) have a clear rise (S/N >= {min_snr:g}); "
            f"a degree-{order} polynomial needs at least {order + 2}. Fix: lower order= or "
            "min_snr=, or give a dataset that covers time zero"
        )
    centre = float((wl[0] + wl[-1]) / 2.0)
    scale = 100.0  # nm: x = (λ − centre) / 100 nm, as in fit_global(chirp="fit")
    xs = (wl - centre) / scale
    coef, use = _robust_polyfit(xs, t0, np.minimum(snr, 100.0), use, order)
    attrs: dict[str, Any] = {"method": method, "irf_sigma_ps": float("nan")}
    stderr = np.full(wl.size, np.nan)
    if method == "fit":
        coef, stderr, attrs = _joint_fit(ds, p, xs, use, order, len(taus), max_wavelengths,
                                         window_ps, t0)  # fmt: skip
    fit = np.polyval(coef, xs)
    rms = float(np.sqrt(np.mean((t0[use] - fit[use]) ** 2)))
    return xr.DataArray(
        fit,
        dims=("wavelength",),
        coords={
            "wavelength": ds["wavelength"],
            "chirp_stderr": ("wavelength", stderr, {"units": "ps", "long_name": "standard error"}),
            "t0_half_rise": (
                "wavelength",
                np.where(use, t0, np.nan),
                {"units": "ps", "long_name": "half-rise time per wavelength"},
            ),
        },
        name="chirp",
        attrs={
            "units": "ps",
            "long_name": "time zero per wavelength (chirp)",
            "coefficients": [float(c) for c in coef],
            "wavelength_center": centre,
            "wavelength_scale": scale,
            "order": int(order),
            "rms_ps": rms,
            "pump_index": p,
            **attrs,
        },
    )


def _robust_polyfit(
    xs: np.ndarray, t0: np.ndarray, weight: np.ndarray, use: np.ndarray, order: int
) -> tuple[np.ndarray, np.ndarray]:
    coef = np.zeros(order + 1)
    for _ in range(4):
        coef = np.polyfit(xs[use], t0[use], order, w=weight[use])
        resid = t0 - np.polyval(coef, xs)
        mad = MAD_TO_SIGMA * float(np.median(np.abs(resid[use])))
        keep = use & (np.abs(resid) <= max(3.0 * mad, 0.01))
        if keep.sum() < order + 2 or np.array_equal(keep, use):
            break
        use = keep
    return coef, use


def _joint_fit(
    ds: xr.Dataset,
    p: int,
    xs: np.ndarray,
    use: np.ndarray,
    order: int,
    n_tau: int,
    max_wl: int,
    window: float,
    t0_rough: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """t0(λ) from ``fit_global(chirp="fit")`` on the wavelengths with a clear rise (at most
    ``max_wl``) and the delays up to ``window`` ps after the latest rise: ``n_tau`` lifetimes and
    an offset, every wavelength on its own measured delays. Returns the polynomial (highest
    power first, in ``xs`` units), its standard error per wavelength and attrs."""
    from .kinetics.global_fit import fit_global

    idx = np.flatnonzero(use)
    if idx.size > max_wl:
        idx = idx[np.round(np.linspace(0, idx.size - 1, max_wl)).astype(int)]
    t = ds["delay"].values
    late = float(np.nanmax(t0_rough[idx])) + window
    sub = ds.isel(pump=[p], wavelength=idx, delay=np.flatnonzero(t <= late))
    try:
        g = fit_global(sub, n_tau, chirp="fit", chirp_order=order, offset=True)
    except QDError as exc:
        raise DatasetError(
            f"chirp: the time-zero fit failed ({exc}). Fix: try method='half-rise'"
        ) from None
    assert g.chirp is not None
    wl = ds["wavelength"].values.astype(float)
    sub_c = g.chirp.attrs
    x_sub = (wl - float(sub_c["wavelength_center"])) / float(sub_c["wavelength_scale"])
    t0_all = np.polynomial.polynomial.polyval(x_sub, sub_c["coefficients"])
    coef = np.polyfit(xs, t0_all, order)  # the same polynomial about this dataset's centre
    err_used = g.chirp["chirp_stderr"].values
    stderr = np.interp(wl, wl[idx], err_used)
    attrs = {
        "method": "fit",
        "irf_sigma_ps": float(g.irf_fwhm / FWHM_PER_SIGMA),
        "taus_ps": [float(v) for v in g.taus],
        "converged": int(g.converged),
    }
    return coef, stderr, attrs


def subtract_background(ta: xr.Dataset, *, before: float = NOISE_BEFORE_PS) -> xr.Dataset:
    """ΔA minus its mean over delays < ``before`` ps, per pump level and wavelength.

    Forwards to :func:`qdwidgets.core.prepare.subtract_background` (the one implementation,
    which also records the step); only the default ``before`` differs.
    """
    from .prepare import subtract_background as _subtract

    try:
        return _subtract(ta, before=before)
    except _args.ArgumentError as exc:
        raise DatasetError(f"background: {exc}") from None


def through_points(
    points: Any, wavelength: Any, order: int = 3, *, centre: float | None = None
) -> np.ndarray:
    """t0(λ) (ps) through hand-placed points: the least-squares polynomial of degree
    ``min(order, len(points) − 1)`` in x = (λ − centre) / 100 nm, as :func:`estimate` writes it.

    Parameters
    ----------
    points : sequence of (float, float)
        ``(wavelength nm, t0 ps)`` pairs, e.g. read off the map.
    wavelength : array-like
        Wavelengths (nm) where t0 is wanted.
    order : int, default 3
        Polynomial order (0–4); fewer points lower it.
    centre : float, optional
        λc (nm); default the middle of ``wavelength``.

    Returns
    -------
    numpy.ndarray
        t0 (ps) at each wavelength, for :func:`correct` or
        :func:`qdwidgets.core.prepare.correct_chirp`.

    Raises
    ------
    DatasetError
        No point, a point that is not two finite numbers, or an order outside 0–4.

    Examples
    --------
    >>> through_points([(500.0, 0.9), (600.0, 0.5), (700.0, 0.3)], [500.0, 650.0], order=1)
    array([0.86666667, 0.41666667])
    """
    try:
        order = _args.integer("order", order, lo=0, hi=4)
        pts = np.asarray(points, dtype=float)
    except _args.ArgumentError as exc:
        raise DatasetError(f"chirp: {exc}") from None
    except (TypeError, ValueError):
        pts = np.empty((0,))
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] < 1 or not np.isfinite(pts).all():
        raise DatasetError(
            f"chirp: points must be finite (wavelength nm, t0 ps) pairs, not {points!r}. "
            "Fix: e.g. [(500, 0.9), (600, 0.5)]"
        )
    wl = np.asarray(wavelength, dtype=float)
    c = float((wl.min() + wl.max()) / 2.0) if centre is None else float(centre)
    degree = max(min(order, pts.shape[0] - 1), 0)
    coef = np.polyfit((pts[:, 0] - c) / SCALE_NM, pts[:, 1], degree)
    return np.asarray(np.polyval(coef, (wl - c) / SCALE_NM), dtype=float)
