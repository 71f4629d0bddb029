"""ASE datasets → curves vs pump power: peak output, feedback enhancement, linewidth; fits on them.

The dataset follows the contract (``qdwidgets.data.validate``): ``emission`` over
(feedback, power, wavelength), power in mW, wavelength in nm, ``feedback="none"`` the reference.
"""

from __future__ import annotations

import math
import weakref

import numpy as np
import xarray as xr
from scipy import signal

from ... import _args
from ..._choices import OUTPUT_METHODS, THRESHOLD_SIGNALS, OutputMethod, ThresholdSignal
from ...data.contract import validate
from ...errors import DatasetError
from .._noise import MAD_TO_SIGMA

SIGNALS = THRESHOLD_SIGNALS
METHODS = OUTPUT_METHODS


# Datasets validated here and passed on internally (never returned to the caller), so that
# one public call validates its input once, not once per helper it calls.
_CHECKED: weakref.WeakValueDictionary[int, xr.Dataset] = weakref.WeakValueDictionary()


def _ase(ase: xr.Dataset, wavelength_range: tuple[float, float] | None = None) -> xr.Dataset:
    ds = ase if _CHECKED.get(id(ase)) is ase else validate(ase, "ase")
    if wavelength_range is not None:
        lo, hi = _args.interval(
            "wavelength_range", wavelength_range, unit="nm", allow_none_ends=False
        )
        ds = ds.sel(wavelength=slice(lo, hi))
        if ds.sizes["wavelength"] < 2:
            wl = ase["wavelength"].values
            raise DatasetError(
                f"wavelength_range=({lo:g}, {hi:g}) holds {ds.sizes['wavelength']} "
                f"wavelength(s). Fix: choose a window inside {np.min(wl):g}–{np.max(wl):g} nm "
                "with ≥ 2 points"
            )
    _CHECKED[id(ds)] = ds
    return ds


def default_feedback(ase: xr.Dataset) -> str:
    """The feedback condition used when none is named: the first label that is not ``"none"``.

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset (validated here).

    Returns
    -------
    str
        A label of the ``feedback`` coordinate (never a paper's "lamp" unless the data say so).

    Raises
    ------
    DatasetError
        The dataset holds no feedback condition besides ``"none"``.

    Examples
    --------
    >>> import qdwidgets
    >>> default_feedback(qdwidgets.examples.ase())
    'lamp'
    """
    ds = _ase(ase)
    labels = [str(v) for v in ds["feedback"].values]
    others = [s for s in labels if s != "none"]
    if not others:
        raise DatasetError(
            f"coordinate 'feedback': {labels} holds no condition besides 'none', so there is no "
            "enhancement to fit. Fix: add a measurement with feedback (e.g. 'lamp' or 'mirror')"
        )
    return others[0]


def _feedback(ds: xr.Dataset, feedback: str | None) -> str:
    """``feedback`` checked against the dataset (None: :func:`default_feedback`)."""
    if feedback is None:
        feedback = default_feedback(ds)
    labels = [str(v) for v in ds["feedback"].values]
    if "none" not in labels:
        raise DatasetError(
            f"coordinate 'feedback': no reference 'none' among {labels}, so the enhancement "
            "(with feedback − without) is undefined. Fix: label the measurement without lamp or "
            "mirror 'none'"
        )
    if feedback not in labels or feedback == "none":
        others = [s for s in labels if s != "none"] or ["(none measured)"]
        raise DatasetError(
            f"feedback {feedback!r}: not a feedback condition of this dataset. Fix: use one of "
            f"{others}"
        )
    return str(feedback)


@_args.renamed(window_nm="wavelength_range")
def peak_output(
    ase: xr.Dataset,
    *,
    method: OutputMethod = "max",
    wavelength_range: tuple[float, float] | None = None,
) -> xr.DataArray:
    """Emission output per spectrum, over (feedback, power).

    ``"max"``: the spectrum's maximum (emission units; biased upwards by noise where the peak is
    weak); ``"at_peak"``: the emission at the wavelength where that condition's spectra, summed
    over power, peak (linear in the data, so noise averages out); ``"integrated"``: the integral
    over wavelength (emission units × nm). ``wavelength_range=(lo, hi)`` restricts the wavelengths.

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset (``emission`` over feedback, ``power`` in mW, ``wavelength`` in nm).
    method : {"max", "at_peak", "integrated"}, default "max"
        How the output is read from each spectrum.
    wavelength_range : (float, float), optional
        Wavelength range (nm) read.

    Returns
    -------
    xarray.DataArray
        The output over ``(feedback, power)``, in the emission's units (× nm when integrated).
    """
    method = _args.choice("method", method, METHODS)
    ds = _ase(ase, wavelength_range)
    em = ds["emission"]
    unit = str(em.attrs.get("units", "a.u."))
    if method == "max":
        out = em.max("wavelength")
        out.attrs = {"units": unit, "long_name": "peak emission"}
    elif method == "at_peak":
        idx = em.sum("power").argmax("wavelength")
        out = em.isel(wavelength=idx).drop_vars("wavelength")
        out.attrs = {"units": unit, "long_name": "emission at the peak wavelength"}
    else:
        out = em.integrate("wavelength")
        out.attrs = {"units": f"{unit} nm", "long_name": "spectrally integrated emission"}
    named: xr.DataArray = out.rename("output")
    return named


@_args.renamed(window_nm="wavelength_range")
def enhancement(
    ase: xr.Dataset,
    feedback: str | None = None,
    *,
    method: OutputMethod = "max",
    wavelength_range: tuple[float, float] | None = None,
) -> xr.DataArray:
    """Output with ``feedback`` minus output without (``"none"``), over power (as in Fig. 3c, e).

    ``feedback`` defaults to the first condition that is not "none" (:func:`default_feedback`).

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset with a ``"none"`` feedback condition (``power`` in mW).
    feedback : str, optional
        The condition compared with "none"; default the first that is not "none".
    method, wavelength_range
        As :func:`peak_output` (window in nm).

    Returns
    -------
    xarray.DataArray
        ``enhancement`` over ``power`` (mW), in the emission's units.

    Raises
    ------
    DatasetError
        When the dataset has no "none" condition or ``feedback`` is not one of its labels.
    """
    ds = _ase(ase, wavelength_range)
    feedback = _feedback(ds, feedback)
    out = peak_output(ds, method=method)
    enh = out.sel(feedback=feedback, drop=True) - out.sel(feedback="none", drop=True)
    enh.attrs = {"units": out.attrs["units"], "long_name": f"enhancement ({feedback} − none)"}
    named: xr.DataArray = enh.rename("enhancement")
    return named


def _fwhm(wl: np.ndarray, s: np.ndarray) -> float:
    i = int(np.argmax(s))
    half = s[i] / 2.0
    if not s[i] > 0:
        return float("nan")
    left = np.flatnonzero(s[:i] < half)
    right = np.flatnonzero(s[i:] < half)
    if left.size == 0 or right.size == 0:
        return float("nan")
    j = int(left[-1])
    x_left = wl[j] + (half - s[j]) * (wl[j + 1] - wl[j]) / (s[j + 1] - s[j])
    k = i + int(right[0])
    x_right = wl[k - 1] + (half - s[k - 1]) * (wl[k] - wl[k - 1]) / (s[k] - s[k - 1])
    return float(x_right - x_left)


@_args.renamed(window_nm="wavelength_range")
def linewidth(
    ase: xr.Dataset, *, wavelength_range: tuple[float, float] | None = None
) -> xr.DataArray:
    """Full width at half maximum (nm) of each spectrum, over (feedback, power).

    Half of the spectrum's maximum (above zero), crossings interpolated linearly. NaN where the
    spectrum does not fall below half maximum on both sides inside the measured range.
    """
    ds = _ase(ase, wavelength_range)
    em = ds["emission"]
    wl = ds["wavelength"].values
    vals = np.asarray(em.values, dtype=float)
    out = np.array([[_fwhm(wl, s) for s in row] for row in vals])
    return xr.DataArray(
        out,
        dims=("feedback", "power"),
        coords={"feedback": ds["feedback"], "power": ds["power"]},
        name="linewidth",
        attrs={"units": "nm", "long_name": "emission linewidth (FWHM)"},
    )


@_args.renamed(window_nm="wavelength_range")
def spectral_snr(
    ase: xr.Dataset, *, wavelength_range: tuple[float, float] | None = None
) -> xr.DataArray:
    """Peak over noise of each spectrum, over (feedback, power) (dimensionless).

    Noise: the robust (MAD) standard deviation of the residual from a Savitzky–Golay smooth
    (cubic, 9 points) along wavelength, corrected for the filter (÷ sqrt(1 − c₀)); smooth
    spectral structure does not count as noise.

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset (``wavelength`` in nm).
    wavelength_range : (float, float), optional
        Wavelength range (nm) used.

    Returns
    -------
    xarray.DataArray
        The signal-to-noise ratio over ``(feedback, power)``.
    """
    ds = _ase(ase, wavelength_range)
    em = np.asarray(ds["emission"].values, dtype=float)
    n = em.shape[-1]
    win = min(9, n if n % 2 else n - 1)
    if win < 5:
        raise DatasetError(
            f"wavelength: {n} points are too few to estimate the spectral noise (need ≥ 5)"
        )
    resid = em - signal.savgol_filter(em, win, 3, axis=-1)
    c0 = float(signal.savgol_coeffs(win, 3)[win // 2])
    mad = np.median(np.abs(resid - np.median(resid, axis=-1, keepdims=True)), axis=-1)
    sigma = MAD_TO_SIGMA * mad / math.sqrt(1.0 - c0)
    with np.errstate(divide="ignore", invalid="ignore"):
        snr = np.where(sigma > 0, em.max(axis=-1) / sigma, np.inf)
    return xr.DataArray(
        snr,
        dims=("feedback", "power"),
        coords={"feedback": ds["feedback"], "power": ds["power"]},
        name="snr",
        attrs={"units": "1", "long_name": "spectrum peak / noise"},
    )


@_args.renamed(window_nm="wavelength_range")
def signal_curve(
    ase: xr.Dataset,
    feedback: str | None = None,
    signal: ThresholdSignal = "enhancement",
    *,
    method: OutputMethod = "max",
    wavelength_range: tuple[float, float] | None = None,
) -> xr.DataArray:
    """The curve to fit: "enhancement", "output" (with feedback) or "reference" (none).

    ``feedback`` defaults to the first condition that is not "none" (:func:`default_feedback`).
    """
    signal = _args.choice("signal", signal, SIGNALS)
    ds = _ase(ase, wavelength_range)
    if signal == "enhancement":
        return enhancement(ds, feedback, method=method)
    label = "none" if signal == "reference" else _feedback(ds, feedback)
    labels = [str(v) for v in ds["feedback"].values]
    if label not in labels:
        raise DatasetError(f"feedback {label!r}: not in this dataset. Fix: use one of {labels}")
    curve: xr.DataArray = peak_output(ds, method=method).sel(feedback=label, drop=True)
    return curve


__all__ = [
    "default_feedback",
    "enhancement",
    "linewidth",
    "peak_output",
    "signal_curve",
    "spectral_snr",
]
