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

import dataclasses

import numpy as np
import xarray as xr
from scipy import ndimage, signal

from ..data.contract import validate
from ..errors import DatasetError
from ..results import Result
from . import _args
from ._time_zero import detect as _detect_time_zero
from ._traces import (
    NOISE_BEFORE_PS,
    band_trace,
    first_crossing,
    negative_regions,
    return_above,
    spectrum_summary,
    trace_noise,
)

__all__ = [
    "NOISE_BEFORE_PS",
    "GainSpectrum",
    "GainWindow",
    "a_ex",
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
    "zero_crossing",
]

GAIN_K = 3.0
"""Default k of the gain threshold: a wavelength has gain where A_ex < −k·σ (σ: noise of ΔA)."""


def _ta(ta: xr.Dataset) -> xr.Dataset:
    return validate(ta, "ta")


def _need_a0(ds: xr.Dataset) -> None:
    if "A0" not in ds.data_vars:
        raise DatasetError(
            "dataset: A_ex = ΔA + A0 needs the steady-state absorbance 'A0', which this dataset "
            "lacks. Fix: attach it with qdwidgets.data.attach_absorbance(ta, source) or "
            "ta['A0'] = ('wavelength', values) with attrs units='OD'"
        )


def a_ex(ta: xr.Dataset) -> xr.DataArray:
    """A_ex = ΔA + A0 (OD) over (pump, delay, wavelength); negative values mean gain."""
    ds = _ta(ta)
    _need_a0(ds)
    out = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength")
    out.name = "A_ex"
    out.attrs = {"units": "OD", "long_name": "excited-state absorbance A_ex = ΔA + A0"}
    return out


def band_edge(ta: xr.Dataset) -> float:
    """The band-edge wavelength (nm): the longest-wavelength absorption band of A0 (the 1S
    transition, 639 nm in the paper), found as the red-most peak of −d²A0/dλ² (a band on a
    sloping background keeps its centre there); without A0, where the late ΔA bleach is
    deepest."""
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
    late = da[:, da.shape[1] // 2 :, :].mean(axis=(0, 1))
    return float(wl[int(np.argmin(late))])


def noise_level(ta: xr.Dataset, *, before: float = NOISE_BEFORE_PS) -> xr.DataArray:
    """Noise σ of ΔA (OD) per (pump, wavelength): standard deviation over delays < ``before`` ps.

    Raises DatasetError when fewer than 3 pre-time-zero delays exist.
    """
    ds = _ta(ta)
    pre = ds["delay"].values < before
    if int(pre.sum()) < 3:
        raise DatasetError(
            f"delay: only {int(pre.sum())} delay(s) before {before:g} ps, at least 3 are needed "
            "to estimate the noise. Fix: pass before= a later delay (still before the pump "
            "arrives), or record a few delays before time zero"
        )
    sigma = ds["dA"].isel(delay=pre).std("delay", ddof=1)
    sigma.name = "noise"
    sigma.attrs = {"units": "OD", "long_name": f"noise σ of ΔA (delays < {before:g} ps)"}
    return sigma


def _t0_pair(ta: xr.Dataset, wavelength: float | None, band_nm: float) -> tuple[float, float]:
    ds = _ta(ta)
    band_nm = _args.non_negative("band_nm", band_nm, unit="nm")
    wl = band_edge(ds) if wavelength is None else _args.number("wavelength", wavelength, unit="nm")
    da = ds["dA"].transpose("pump", "delay", "wavelength").values
    return _detect_time_zero(ds["delay"].values, da, ds["wavelength"].values, wl, band_nm)


def time_zero(ta: xr.Dataset, wavelength: float | None = None, *, band_nm: float = 0.0) -> float:
    """Time zero (ps) detected in the data: the half-rise of |ΔA| at ``wavelength`` nm.

    ``wavelength`` defaults to :func:`band_edge`; ΔA is averaged over ± band_nm/2. The most
    strongly excited pump level decides. NaN when the trace shows no signal above its noise.

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

    That is where the 3-point running mean of |ΔA| at ``wavelength`` nm (default
    :func:`band_edge`) first reaches 80 % of its maximum: the default delay of widgets and
    functions that need "a delay with signal" (never a paper's value). NaN without signal.
    """
    return _t0_pair(ta, wavelength, band_nm)[1]


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
    """
    ds = _ta(ta)
    _need_a0(ds)
    x = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength").data  # lazy stays lazy
    vals, errs, sigma, centre = crossings_at(
        ds["delay"].values,
        x,
        ds["wavelength"].values,
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


# -- gain spectrum and window --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainSpectrum(Result):
    """Where A_ex < −k·σ at one delay (σ: the noise of ΔA at each wavelength and pump level).

    delay: the grid delay used (ps). pump: pump levels. a_ex: A_ex (OD) over (pump, wavelength).
    bands: per pump level, the (start, end) wavelengths (nm) of each region where
    A_ex < −k·σ, edges linearly interpolated to that threshold. peak_wavelength / depth: where
    A_ex is most negative inside those regions (nm) and its value (OD) per pump level, NaN
    without gain. width: total gain width (nm). k: the threshold in units of σ; noise: σ (OD)
    over (pump, wavelength) (None: no threshold, A_ex < 0).
    """

    delay: float
    pump: tuple[float, ...]
    a_ex: xr.DataArray
    bands: tuple[tuple[tuple[float, float], ...], ...]
    peak_wavelength: tuple[float, ...]
    depth: tuple[float, ...]
    width: tuple[float, ...]
    k: float = GAIN_K
    noise: xr.DataArray | None = None

    _summary_fields = ("delay", "pump", "bands", "peak_wavelength", "depth", "width", "k")

    @property
    def has_gain(self) -> tuple[bool, ...]:
        """Whether A_ex < −k·σ anywhere, per pump level."""
        return tuple(bool(b) for b in self.bands)


def spectral_noise(t: np.ndarray, dA: np.ndarray) -> np.ndarray:
    """Noise σ (OD) of ΔA (pump, delay, wavelength) per (pump, wavelength).

    From the delays before ``NOISE_BEFORE_PS`` (at least 3), else from the scatter of successive
    differences over the last fifth of the delays (see :func:`trace_noise`); then a running
    median over 9 neighbouring wavelengths, since a few samples per wavelength give a noisy σ
    (10 samples: ±25 %) and noise varies slowly with wavelength.
    """
    arr = np.asarray(dA)  # no copy: one pump level at a time, as (wavelength, delay) views
    t = np.asarray(t, dtype=float)
    sigma = np.stack([np.asarray(trace_noise(t, level.T), dtype=float) for level in arr])
    w = arr.shape[2]
    return np.asarray(ndimage.median_filter(sigma, size=(1, min(9, w)), mode="nearest"))


def gain_bands(
    wl: np.ndarray, a_ex: np.ndarray, noise: np.ndarray | None = None, k: float = GAIN_K
) -> tuple[tuple[float, float], ...]:
    """(start, end) nm of each region of one spectrum where A_ex < −k·σ (edges interpolated)."""
    y = np.asarray(a_ex, dtype=float)
    floor = 0.0 if noise is None else k * np.asarray(noise, dtype=float)
    return negative_regions(np.asarray(wl, dtype=float), y + floor)


def gain_spectrum(ta: xr.Dataset, delay: float, *, k: float = GAIN_K) -> GainSpectrum:
    """Where A_ex < −k·σ at the grid delay nearest ``delay`` (ps), per pump level.

    σ is the noise of ΔA at each wavelength and pump level (:func:`spectral_noise`: from the
    pre-time-zero delays); ``k`` (default 3) keeps noise dipping below zero from counting as
    gain (k = 0: every A_ex < 0). TAExplorer shades the same regions.
    """
    ds = _ta(ta)
    _need_a0(ds)
    k = _args.non_negative("k", k)
    t = ds["delay"].values
    delay = _args.number("delay", delay, unit="ps")
    if delay < t[0] or delay > t[-1]:
        raise DatasetError(
            f"delay: {delay!r} ps lies outside the measured range {t[0]:g}–{t[-1]:g} ps. "
            "Fix: choose a delay inside it"
        )
    i = int(np.argmin(np.abs(t - delay)))
    spec = (ds["dA"].isel(delay=i) + ds["A0"]).transpose("pump", "wavelength").values
    noise = spectral_noise(t, ds["dA"].transpose("pump", "delay", "wavelength").values)
    return gain_spectrum_of(float(t[i]), ds["pump"], ds["wavelength"], spec, noise=noise, k=k)


def gain_spectrum_of(
    delay: float,
    pump: xr.DataArray,
    wavelength: xr.DataArray,
    a_ex: np.ndarray,
    *,
    noise: np.ndarray | None = None,
    k: float = GAIN_K,
) -> GainSpectrum:
    """:class:`GainSpectrum` from an A_ex array (pump, wavelength) in OD at ``delay`` ps.

    ``noise``: σ (OD) over (pump, wavelength), see :func:`spectral_noise`; None: threshold 0.
    """
    spec = xr.DataArray(
        np.asarray(a_ex, dtype=float),
        dims=("pump", "wavelength"),
        coords={"pump": pump, "wavelength": wavelength},
        name="A_ex",
        attrs={"units": "OD", "long_name": f"A_ex = ΔA + A0 at {delay:.4g} ps"},
    )
    sigma = None
    if noise is not None:
        sigma = xr.DataArray(
            np.broadcast_to(np.asarray(noise, dtype=float), spec.shape).copy(),
            dims=("pump", "wavelength"),
            coords={"pump": pump, "wavelength": wavelength},
            name="noise",
            attrs={"units": "OD", "long_name": "noise σ of ΔA"},
        )
    wl = np.asarray(wavelength.values, dtype=float)
    parts: list[tuple[tuple[tuple[float, float], ...], float, float, float]] = []
    for p, row in enumerate(spec.values):
        floor = 0.0 if sigma is None else k * sigma.values[p]
        bands = negative_regions(wl, row + floor)
        if not bands:
            parts.append(((), float("nan"), float("nan"), 0.0))
            continue
        j = int(np.argmin(np.where(row + floor < 0, row, np.inf)))
        parts.append((bands, float(wl[j]), float(row[j]), float(sum(b - a for a, b in bands))))
    return GainSpectrum(
        delay=float(delay),
        pump=tuple(float(p) for p in pump.values),
        a_ex=spec,
        bands=tuple(p[0] for p in parts),
        peak_wavelength=tuple(p[1] for p in parts),
        depth=tuple(p[2] for p in parts),
        width=tuple(p[3] for p in parts),
        k=float(k),
        noise=sigma,
    )


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainWindow(Result):
    """When A_ex < 0 at one wavelength, per pump level (all delays in ps).

    onset: first robust zero crossing (as :func:`zero_crossing`); onset_stderr its error.
    end: the first return above zero after the onset past which A_ex is clearly positive (the
    mean of the next samples above one standard error; NaN when A_ex is still ≤ 0 at the last
    delay, or without gain); duration = end − onset (NaN when either is NaN);
    lasts_to_end: True where the gain persists to the last measured delay.
    """

    wavelength: float
    pump: tuple[float, ...]
    onset: tuple[float, ...]
    onset_stderr: tuple[float, ...]
    end: tuple[float, ...]
    duration: tuple[float, ...]
    lasts_to_end: tuple[bool, ...]


def gain_window(
    ta: xr.Dataset, wavelength: float, *, band_nm: float = 0.0, k: float = 1.0, confirm: int = 5
) -> GainWindow:
    """Onset, end and duration (ps) of A_ex < 0 at ``wavelength`` nm per pump level."""
    ds = _ta(ta)
    _need_a0(ds)
    t = ds["delay"].values
    x = (ds["dA"] + ds["A0"]).transpose("pump", "delay", "wavelength").values
    trace, centre = band_trace(x, ds["wavelength"].values, float(wavelength), band_nm)
    sigma = trace_noise(t, trace)
    onset, err, end, lasts = [], [], [], []
    for p in range(trace.shape[0]):
        root, e, j = first_crossing(t, trace[p], float(sigma[p]), k=k, confirm=confirm)
        onset.append(root)
        err.append(e)
        if j < 0:
            end.append(float("nan"))
            lasts.append(False)
            continue
        back = return_above(t, trace[p], j, float(sigma[p]), k, confirm)
        end.append(back)
        lasts.append(bool(np.isnan(back)))
    return GainWindow(
        wavelength=centre,
        pump=tuple(float(v) for v in ds["pump"].values),
        onset=tuple(onset),
        onset_stderr=tuple(err),
        end=tuple(end),
        duration=tuple(b - a for a, b in zip(onset, end, strict=True)),
        lasts_to_end=tuple(lasts),
    )
