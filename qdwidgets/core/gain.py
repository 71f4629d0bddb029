"""Optical gain from transient absorption: A_ex = ΔA + A0, its zero crossing, gain spectra.

Paper Eq. 1 / Fig. 2b–c: A_ex(t, λ) = ΔA(t, λ) + A0(λ) (OD) is the absorbance of the excited
sample; A_ex < 0 means gain. Delays are in ps, wavelengths in nm, signals in OD.

Noise-robustness rule of :func:`zero_crossing` (also used by :func:`gain_window`): a candidate
crossing is a step from a sample above zero to a sample at or below zero (after time zero). It is
rejected when the mean of the next ``confirm`` samples (default 5) lies above k·σ/√confirm (default
k = 1: one standard error of that mean), σ being the noise of the trace from pre-time-zero data:
one noisy sample dipping below zero does not count when the samples after it are back above the
noise, and a trace that only grazes zero within the noise does not count either. The crossing
delay is the linear interpolation between the bracketing samples (``window=1``) or the root of a
straight line fitted to ``2·window`` samples around it; its standard error propagates σ through
that line.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from scipy import signal

from .. import _args
from ..errors import DatasetError
from ._gain_spectrum import (
    GAIN_K,
    GainSpectrum,
    _need_a0,
    _ta,
    gain_bands,
    gain_spectrum,
    gain_spectrum_of,
    spectral_noise,
    with_units,
)
from ._gain_window import GainWindow, gain_window
from ._masked import masked_columns, nan_quiet
from ._time_zero import detect as _detect_time_zero
from ._traces import (
    NOISE_BEFORE_PS,
    band_trace,
    first_crossing,
    negative_regions,
    spectrum_summary,
    trace_noise,
)

__all__ = [
    "GAIN_K",
    "NOISE_BEFORE_PS",
    "GainSpectrum",
    "GainWindow",
    "a_ex",
    "band_columns",
    "band_edge",
    "band_trace",
    "crossings_at",
    "established_delay",
    "first_crossing",
    "gain_bands",
    "gain_spectrum",
    "gain_spectrum_of",
    "gain_window",
    "negative_regions",
    "noise_level",
    "spectral_noise",
    "spectrum_summary",
    "time_zero",
    "trace_noise",
    "with_units",
    "zero_crossing",
]


def a_ex(ta: xr.Dataset) -> xr.DataArray:
    """A_ex = ΔA + A0 (OD) over (pump, delay, wavelength); negative values mean gain.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (validated on the way in) with ``dA`` and ``A0`` in OD.

    Returns
    -------
    xarray.DataArray
        ``A_ex`` in OD over ``(pump, delay, wavelength)``; delays in ps, wavelengths in nm.

    Raises
    ------
    DatasetError
        When the dataset is not a valid TA dataset or has no ``A0``.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import a_ex
    >>> aex = a_ex(qdwidgets.examples.ta())
    >>> aex.dims, aex.attrs["units"]
    (('pump', 'delay', 'wavelength'), 'OD')
    """
    ds = _ta(ta)
    _need_a0(ds)
    out: xr.DataArray = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength")
    out.name = "A_ex"
    out.attrs = {"units": "OD", "long_name": "excited-state absorbance A_ex = ΔA + A0"}
    return out


def band_edge(ta: xr.Dataset) -> float:
    """The band-edge wavelength (nm): the longest-wavelength absorption band of A0 (the 1S
    transition, 639 nm in the paper), found as the red-most peak of −d²A0/dλ² (a band on a
    sloping background keeps its centre there); without A0, where the late ΔA bleach is
    deepest.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``A0`` in OD over ``wavelength`` in nm, or ``dA`` without it).

    Returns
    -------
    float
        The band-edge wavelength (nm), one of the dataset's wavelengths.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import band_edge
    >>> band_edge(qdwidgets.examples.ta())  # nm
    639.0
    """
    ds = _ta(ta)
    wl = ds["wavelength"].values
    if "A0" in ds.data_vars and wl.size >= 5:
        a0 = ds["A0"].values.astype(float)
        win = min(9, wl.size if wl.size % 2 else wl.size - 1)
        curv = -signal.savgol_filter(a0, win, 3 if win > 3 else 2, deriv=2)
        span = float(np.ptp(curv))
        peaks, _ = signal.find_peaks(curv, prominence=0.05 * span if span > 0 else None)
        if peaks.size:
            return float(wl[peaks[-1]])
        return float(wl[int(np.argmax(a0))])
    if "A0" in ds.data_vars:
        return float(wl[int(np.argmax(ds["A0"].values))])
    da = ds["dA"].values
    with nan_quiet():  # NaN (masked columns, a chirp-corrected column's ends) left out
        late = np.nanmean(da[:, da.shape[1] // 2 :, :], axis=(0, 1))
    return float(wl[int(np.nanargmin(late))])


def noise_level(ta: xr.Dataset, *, before: float = NOISE_BEFORE_PS) -> xr.DataArray:
    """Noise σ of ΔA (OD) per (pump, wavelength): standard deviation over delays < ``before`` ps
    (the pre-time-zero rule of ``trace_noise``, which the zero crossing and gain spectra use).

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD, ``delay`` in ps).
    before : float, default NOISE_BEFORE_PS
        Delays before this (ps) are taken as signal-free.

    Returns
    -------
    xarray.DataArray
        ``noise`` (OD) over ``(pump, wavelength)``.

    Raises
    ------
    DatasetError
        When fewer than 3 delays lie before ``before``.
    """
    before = _args.number("before", before, unit="ps")
    ds = _ta(ta)
    pre = ds["delay"].values < before
    if int(pre.sum()) < 3:
        raise DatasetError(
            f"delay: only {int(pre.sum())} delay(s) before {before:g} ps, at least 3 are needed "
            "to estimate the noise. Fix: pass before= a later delay (still before the pump "
            "arrives), or record a few delays before time zero"
        )
    sigma: xr.DataArray = ds["dA"].isel(delay=pre).std("delay", ddof=1)
    sigma.name = "noise"
    sigma.attrs = {"units": "OD", "long_name": f"noise σ of ΔA (delays < {before:g} ps)"}
    return sigma


def _t0_pair(ta: xr.Dataset, wavelength: float | None, band_nm: float) -> tuple[float, float]:
    ds = _ta(ta)
    band_nm = _args.non_negative("band_nm", band_nm, unit="nm")
    wl = band_edge(ds) if wavelength is None else _args.number("wavelength", wavelength, unit="nm")
    da = ds["dA"].transpose("pump", "delay", "wavelength").values
    if wavelength is None:  # a default inside a masked band: the nearest unmasked wavelength
        grid, masked = ds["wavelength"].values, masked_columns(ds)
        if masked.any() and masked[int(np.argmin(np.abs(grid - wl)))]:
            wl = float(grid[~masked][int(np.argmin(np.abs(grid[~masked] - wl)))])
    return _detect_time_zero(ds["delay"].values, da, ds["wavelength"].values, wl, band_nm)


def time_zero(ta: xr.Dataset, wavelength: float | None = None, *, band_nm: float = 0.0) -> float:
    """Time zero (ps) detected in the data: the half-rise of ``|ΔA|`` at ``wavelength`` nm.

    ``wavelength`` defaults to :func:`band_edge`; ΔA is averaged over ± band_nm/2. The most
    strongly excited pump level decides. NaN when the trace shows no signal above its noise.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD, ``delay`` in ps).
    wavelength : float, optional
        Probe wavelength (nm); default :func:`band_edge`.
    band_nm : float, default 0
        Width (nm) of the wavelength band averaged around ``wavelength``.

    Returns
    -------
    float
        Time zero in ps (NaN without signal).

    Examples
    --------
    >>> import qdwidgets
    >>> t0 = time_zero(qdwidgets.examples.ta())
    >>> 0.0 < t0 < 1.5  # the bleach at the band edge rises with the cooling (≈ 0.5 ps)
    True
    """
    return _t0_pair(ta, wavelength, band_nm)[0]


def established_delay(
    ta: xr.Dataset, wavelength: float | None = None, *, band_nm: float = 0.0
) -> float:
    """The first grid delay (ps) after :func:`time_zero` where the signal is established.

    That is where the 3-point running mean of ``|ΔA|`` at ``wavelength`` nm (default
    :func:`band_edge`) first reaches 80 % of its maximum: the default delay of widgets and
    functions that need "a delay with signal" (never a paper's value). NaN without signal.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD, ``delay`` in ps).
    wavelength : float, optional
        Probe wavelength (nm); default :func:`band_edge`.
    band_nm : float, default 0
        Width (nm) of the wavelength band averaged around ``wavelength``.

    Returns
    -------
    float
        The delay (ps), or NaN.
    """
    return _t0_pair(ta, wavelength, band_nm)[1]


def band_columns(wavelengths: np.ndarray, wavelength: float, band_nm: float = 0.0) -> np.ndarray:
    """Indices of the wavelengths averaged at ``wavelength`` ± band_nm/2 (at least the nearest),
    as :func:`band_trace` averages them; raises DatasetError outside the measured range."""
    wl = np.asarray(wavelengths, dtype=float)
    band_trace(wl[None, :], wl, float(wavelength), band_nm)  # range and band checks
    sel = np.flatnonzero(np.abs(wl - wavelength) <= band_nm / 2.0)
    return sel if sel.size else np.array([int(np.argmin(np.abs(wl - wavelength)))])


# -- zero crossing -------------------------------------------------------------------------------


def crossings_at(
    t: np.ndarray,
    a_ex: np.ndarray,
    wavelengths: np.ndarray,
    wavelength: float,
    *,
    band_nm: float = 0.0,
    after: float = 0.0,
    k: float = 1.0,
    confirm: int = 5,
    window: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Array form of :func:`zero_crossing` on A_ex (pump, delay, wavelength) already computed.

    Returns (crossing ps, stderr ps, noise σ OD) per pump level and the centre wavelength (nm).
    Work is O(pump × delay) for one wavelength: fit for a slider callback.
    """
    trace, centre = band_trace(a_ex, wavelengths, float(wavelength), band_nm)
    sigma = trace_noise(t, trace)
    vals, errs = np.full(trace.shape[0], np.nan), np.full(trace.shape[0], np.nan)
    for p in range(trace.shape[0]):
        vals[p], errs[p], _ = first_crossing(
            t, trace[p], float(sigma[p]), after=after, k=k, confirm=confirm, window=window
        )
    return vals, errs, sigma, centre


def zero_crossing(
    ta: xr.Dataset,
    wavelength: float,
    *,
    band_nm: float = 0.0,
    after: float = 0.0,
    k: float = 1.0,
    confirm: int = 5,
    window: int = 1,
) -> xr.DataArray:
    """First delay (ps) after ``after`` ps at which A_ex at ``wavelength`` nm goes from > 0 to ≤ 0.

    A_ex is averaged over ± band_nm/2 (the nearest wavelength when band_nm = 0). Result: a
    DataArray over ``pump`` (a scalar when the input had no pump dimension) named
    ``zero_crossing`` in ps, NaN where A_ex never reaches zero, with coordinate
    ``zero_crossing_stderr`` (ps, one standard error from the pre-time-zero noise σ) and
    ``noise`` (OD). The noise rule (k, confirm) is in the module docstring.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset with ``dA`` and ``A0`` (OD).
    wavelength : float
        Probe wavelength (nm), e.g. :func:`band_edge`.
    band_nm : float, default 0
        Width (nm) of the wavelength band averaged around ``wavelength``.
    after : float, default 0
        Only crossings after this delay (ps) count.
    k : float, default 1
        A candidate crossing is rejected when the mean of the next ``confirm`` samples lies
        above k·σ/√confirm (σ: the trace's noise, OD).
    confirm : int, default 5
        Samples after a candidate crossing that must confirm it.
    window : int, default 1
        1: linear interpolation between the bracketing samples; n > 1: the root of a straight
        line fitted to 2·n samples around the crossing.

    Returns
    -------
    xarray.DataArray
        ``zero_crossing`` (ps) over ``pump``, with ``zero_crossing_stderr`` (ps) and ``noise``
        (OD) coordinates (and ``occupancy`` when the dataset has it).

    Raises
    ------
    DatasetError
        When the dataset has no ``A0``, or ``wavelength`` lies outside the measured range.
    ArgumentError
        When an option is not finite or out of its range (``window`` ≥ 1, ``confirm`` ≥ 0).

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.gain import zero_crossing
    >>> zc = zero_crossing(qdwidgets.examples.ta(), 639.0)
    >>> zc.attrs["units"], zc.round(1).values.tolist()  # at <N> = 1.2 and 3.0
    ('ps', [2.3, 0.8])
    """
    band_nm = _args.non_negative("band_nm", band_nm, unit="nm")
    after = _args.number("after", after, unit="ps")
    k = _args.non_negative("k", k)
    confirm = _args.integer("confirm", confirm, lo=0, hi=10_000)
    window = _args.integer("window", window, lo=1, hi=10_000)
    ds = _ta(ta)
    _need_a0(ds)
    wl = ds["wavelength"].values
    cols = band_columns(wl, float(wavelength), band_nm)
    part = ds.isel(wavelength=cols)  # A_ex only where it is averaged; lazy data stay lazy
    x = (part["dA"] + part["A0"]).transpose("pump", "delay", "wavelength").data
    vals, errs, sigma, centre = crossings_at(
        ds["delay"].values,
        x,
        wl[cols],
        float(wavelength),
        band_nm=band_nm,
        after=after,
        k=k,
        confirm=confirm,
        window=window,
    )
    out = xr.DataArray(
        np.asarray(vals),
        dims=("pump",),
        coords={
            "pump": ds["pump"],
            "zero_crossing_stderr": (
                "pump",
                np.asarray(errs),
                {"units": "ps", "long_name": "standard error of the zero crossing"},
            ),
            "noise": ("pump", np.asarray(sigma), {"units": "OD", "long_name": "noise σ"}),
        },
        name="zero_crossing",
        attrs={
            "units": "ps",
            "long_name": f"first zero crossing of A_ex at {centre:.4g} nm",
            "wavelength_nm": centre,
            "band_nm": float(band_nm),
        },
    )
    if "occupancy" in ds.coords:
        out = out.assign_coords(occupancy=ds["occupancy"])
    if "dA" in ta.data_vars and "pump" not in ta["dA"].dims:
        out = out.isel(pump=0, drop=True)
    return out
