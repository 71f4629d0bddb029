"""Band fits on TA datasets: the spectrum at a delay, proposed bands, and pump-level comparisons."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import xarray as xr
from scipy import optimize, signal

from ... import _args
from ..._choices import GSB_SHAPES, GsbShape
from ...data.contract import validate
from ...errors import FitError
from .._masked import masked_columns, note
from . import _shapes as S
from ._band import Band, template_band
from ._fit import deconvolve
from ._result import BandFit
from ._trust import noise_of


def _ta(ta: xr.Dataset) -> xr.Dataset:
    # always through the contract (units converted, axes checked): a dataset that validate
    # returned is recognised there cheaply, a qd_kind attribute alone is never trusted
    return validate(ta, "ta")


def pick_pump(ta: xr.Dataset, pump: float | None) -> float:
    """The pump level used: ``pump`` (nearest level) or, when None, the highest level."""
    levels = np.asarray(ta["pump"].values, dtype=float)
    if pump is None:
        return float(levels[-1])
    p = _args.number("pump", pump)
    return float(levels[int(np.argmin(np.abs(levels - p)))])


def default_delay(ta: xr.Dataset) -> float:
    """The delay (ps) a band fit uses when none is given, from the data (never a paper's value).

    The first measured delay after the detected time zero where the signal at the band edge is
    established (:func:`qdwidgets.core.gain.established_delay`); when no rise is detected (e.g.
    every delay lies after time zero), the delay of the largest ``|ΔA|`` at the band edge
    (:func:`qdwidgets.core.gain.band_edge`).

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (validated here: units converted, axes checked).

    Returns
    -------
    float
        A measured delay (ps).

    Raises
    ------
    FitError
        ΔA is zero at the band edge at every delay.

    Examples
    --------
    >>> import qdwidgets
    >>> 0.5 < default_delay(qdwidgets.examples.ta()) < 3.0
    True
    """
    from ..gain import band_edge, established_delay

    ds = _ta(ta)
    d = established_delay(ds)
    if math.isfinite(d):
        return float(d)
    edge = band_edge(ds)
    trace = np.abs(ds["dA"].sel(wavelength=edge, method="nearest").values).max(axis=0)
    if not np.any(trace > 0):
        raise FitError(
            f"ΔA is zero at the band edge ({edge:.1f} nm) at every delay: no delay to fit; "
            "pass delay= explicitly"
        )
    return float(ds["delay"].values[int(np.argmax(trace))])


def spectrum_at(ta: xr.Dataset, delay: float, pump: float | None = None) -> xr.DataArray:
    """ΔA (OD) over wavelength at the measured delay nearest ``delay`` (ps) and pump level
    ``pump`` (nearest; None = the highest).

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD).
    delay : float
        Delay (ps); the nearest measured delay is used.
    pump : float, optional
        Pump level (the ``pump`` coordinate's units); default the highest.

    Returns
    -------
    xarray.DataArray
        ΔA (OD) over ``wavelength`` (nm), with the delay and pump used in ``attrs``.

    Raises
    ------
    FitError
        When ``delay`` is outside the measured delays.
    """
    ta = _ta(ta)
    delays = np.asarray(ta["delay"].values, dtype=float)
    d = _args.number("delay", delay, unit="ps")
    if d < delays.min() or d > delays.max():
        raise FitError(
            f"delay {delay!r} ps is outside the measured delays "
            f"{delays.min():g}–{delays.max():g} ps; choose a delay inside"
        )
    spec = ta["dA"].sel(pump=pick_pump(ta, pump)).sel(delay=d, method="nearest")
    out: xr.DataArray = spec.drop_vars([c for c in spec.coords if c != "wavelength"]).assign_attrs(
        delay=float(spec["delay"]), pump=float(spec["pump"])
    )
    masked = masked_columns(ta)
    if masked.any():  # masked (all-NaN) wavelengths are left out of the spectrum, and said
        out = out.isel(wavelength=np.flatnonzero(~masked))
        out.attrs["masked"] = note(ta)
    return out


def _half_width_ev(energy: np.ndarray, y: np.ndarray, i: int) -> float:
    """Half width at half maximum (eV) of the feature at index i of y(energy) (|y| used)."""
    a = np.abs(y) if y[i] >= 0 else np.abs(np.minimum(y, 0))
    half = a[i] / 2
    widths = []
    for direction in (-1, 1):
        j = i
        while 0 <= j + direction < a.size and a[j] > half:
            j += direction
        if a[j] <= half and j != i:
            widths.append(abs(energy[j] - energy[i]))
    return min(widths) if widths else 0.03


def initial_bands(
    ta: xr.Dataset,
    delay: float | None = None,
    pump: float | None = None,
    *,
    se_shift_nm: float = 15.0,
    gsb_shape: GsbShape = "gaussian",
    lock_to_spectra: bool = False,
) -> tuple[Band, ...]:
    """Starting bands proposed from the data at ``delay`` (ps; None = :func:`default_delay`) and
    ``pump`` (None = highest), each named by what the data show:

    - ``GSB`` at the band edge when A0 has an absorption band there (its lowest-energy
      transition: a peak of −d²A0/dE², width from its curvature); ``gsb_shape="template"`` shapes
      it like A0. Without such an A0 feature, the deepest negative feature, named ``band 1``.
    - ``SE`` at the PL peak when PL is present (red-shifted by ``se_shift_nm`` if the PL peak is
      not red of the GSB); without PL, a negative band ``se_shift_nm`` further red with the same
      width, named neutrally (``band 2``…): nothing in the data says it is emission.
    - ``bleach<nm>`` at A0's higher transitions where ΔA is clearly negative (≥ 3 % of the
      largest ``|ΔA|`` and 5× the noise). Without them, a negative far-blue feature (at least 10 %
      of the main one, more than three GSB widths away) as a neutral ``band N``.
    - ``PIA`` (positive ΔA: photo-induced absorption): the largest positive feature of the
      smoothed spectrum, when at least 1 % of the largest ``|ΔA|`` and above the noise. When it
      peaks at an edge of the data, its centre cannot be fitted: it is placed just inside and
      locked (its width and height are fitted).

    ``lock_to_spectra``: lock the GSB's centre and width to A0's band-edge transition and the
    SE's to the PL band (when A0 / PL are present), so that only their heights are fitted — the
    usual way to split strongly overlapping bleach and emission.

    Heights come from a sign-constrained linear least-squares fit with these shapes.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD; optional ``A0`` and ``PL``).
    delay : float, optional
        Delay (ps); default :func:`default_delay`.
    pump : float, optional
        Pump level; default the highest.
    se_shift_nm : float, default 15
        Red shift (nm) of the SE proposal relative to the GSB when PL does not place it.
    gsb_shape : {"gaussian", "lorentzian", "voigt", "template"}, default "gaussian"
        Shape of the GSB band ("template": like A0's band-edge peak).
    lock_to_spectra : bool, default False
        Lock the GSB to A0's band-edge transition and the SE to the PL band.

    Returns
    -------
    tuple of Band
        The proposals (centre nm, FWHM, height OD, shape, locks).
    """
    se_shift_nm = _args.positive("se_shift_nm", se_shift_nm, unit="nm")
    gsb_shape = _args.choice("gsb_shape", gsb_shape, GSB_SHAPES)
    ta = _ta(ta)
    if delay is None:
        delay = default_delay(ta)
    spec = spectrum_at(ta, delay, pump)
    wl = np.asarray(spec["wavelength"].values, dtype=float)
    y = np.asarray(spec.values, dtype=float)
    energy = S.HC / wl
    lo, hi = float(wl.min()), float(wl.max())
    scale = float(np.max(np.abs(y))) or 1.0
    noise = noise_of(y)
    neutral = iter(f"band {i}" for i in range(1, 100))

    found: list[tuple[float, float]] = []
    has_a0 = "A0" in ta.data_vars
    a0 = np.asarray(ta["A0"].values, dtype=float) if has_a0 else np.zeros_like(y)
    if has_a0:
        found = S.transitions(energy, a0)
    order = np.argsort(energy)
    k = S.band_edge_index(energy[order], a0[order]) if has_a0 else 0
    if found and math.isfinite(found[0][1]):
        e_gsb, gsb_fw, gsb_name = found[0][0], found[0][1], "GSB"
    elif 0 < k < energy.size - 1:  # A0 has a band-edge peak inside the data
        red = order[: k + 1]
        e_gsb = float(energy[order[k]])
        gsb_fw = 2 * _half_width_ev(energy[red], a0[red] - a0[red].min(), k)
        gsb_name = "GSB"
    else:  # no A0, or an A0 without a band-edge peak: the deepest negative feature
        i_gsb = int(np.argmin(y))
        e_gsb, gsb_fw = float(energy[i_gsb]), 2 * _half_width_ev(energy, y, i_gsb)
        gsb_name = next(neutral)
    if gsb_shape == "template" and gsb_name != "GSB":
        raise FitError("gsb_shape='template' needs A0 with a band-edge peak; attach A0 first")
    proposals: list[tuple[str, float, float, float]] = [(gsb_name, e_gsb, gsb_fw, -1.0)]

    if "PL" in ta.data_vars:
        pl = np.asarray(ta["PL"].values, dtype=float)
        i_pl = int(np.argmax(pl))
        e_se = float(energy[i_pl])
        se_fw = 2 * _half_width_ev(energy, pl - pl.min(), i_pl)
        if e_se >= e_gsb - 0.005:
            e_se = float(S.HC / (S.HC / e_gsb + se_shift_nm))
        se_name = "SE"
    else:
        e_se, se_fw = float(S.HC / (S.HC / e_gsb + se_shift_nm)), gsb_fw
        se_name = next(neutral)
    e_se = min(max(e_se, S.HC / hi), S.HC / lo)
    proposals.append((se_name, e_se, se_fw, -1.0))

    # higher transitions of A0 that are bleached at this delay
    threshold = max(0.03 * scale, 5 * noise)
    bleached = [
        (e, f)
        for e, f in found[1:]
        if np.interp(e, energy[order], y[order]) < -threshold and S.HC / hi <= e <= S.HC / lo
    ]
    for e, f in bleached:
        proposals.append((f"bleach{S.HC / e:.0f}", e, f if math.isfinite(f) else gsb_fw, -1.0))
    far = [e for e, _ in bleached if e > e_gsb + 3 * gsb_fw]
    blue = energy > e_gsb + 3 * gsb_fw
    if blue.any() and not far:
        j = int(np.flatnonzero(blue)[np.argmin(y[blue])])
        if y[j] < -0.1 * scale and y[j] < -5 * noise:
            fw = 2 * _half_width_ev(energy, y, j)
            proposals.append((next(neutral), float(energy[j]), fw, -1.0))
    # photo-induced absorption: the largest positive feature of the smoothed spectrum
    window = min(15, y.size - (1 - y.size % 2))
    ys = signal.savgol_filter(y, window, 2) if window >= 5 else y
    j = int(np.argmax(ys))
    pia_at_edge = False
    if ys[j] > max(0.01 * scale, 5 * noise / math.sqrt(max(window, 1))):
        margin = max(3, y.size // 20)  # a maximum at the edge: the band peaks beyond it
        j_in = min(max(j, margin), y.size - 1 - margin)
        pia_at_edge = j_in != j
        width = 2 * _half_width_ev(energy, ys, j)
        proposals.append(("PIA", float(energy[j_in]), max(width, gsb_fw), 1.0))

    # heights by sign-constrained linear least squares on unit-height shapes
    cols = np.column_stack([sign * S.gaussian(energy, 1.0, e, f) for _, e, f, sign in proposals])
    heights, _ = optimize.nnls(cols, y)
    bands = []
    for (name, e, f, sign), h in zip(proposals, heights, strict=True):
        amp = sign * max(float(h), 0.05 * scale)
        fw_nm = S.fwhm_ev_to_nm(e, f)
        if name == "GSB" and gsb_shape == "template":
            bands.append(template_band(ta["A0"], name="GSB", amplitude=amp))
        elif name == "PIA" and pia_at_edge:
            bands.append(Band(name, float(S.HC / e), fw_nm, amp, vary=("fwhm_nm", "amplitude")))
        else:
            bands.append(Band(name, float(S.HC / e), fw_nm, amp))
    if lock_to_spectra:
        pinned = {"GSB": has_a0, "SE": "PL" in ta.data_vars}
        bands = [b.replace(vary=("amplitude",)) if pinned.get(b.name) else b for b in bands]
    return tuple(bands)


@_args.renamed(x_range="wavelength_range")
def deconvolve_at(
    ta: xr.Dataset,
    delay: float | None = None,
    *,
    pump: float | None = None,
    bands: Sequence[Band] | None = None,
    lock_to_spectra: bool = False,
    wavelength_range: tuple[float, float] | None = None,
    max_nfev: int | None = None,
) -> BandFit:
    """Band fit of the TA spectrum at ``delay`` (ps; None = :func:`default_delay`, from the
    data), pump level ``pump`` (None = highest).

    ``bands`` default to :func:`initial_bands` (with ``lock_to_spectra``); ``wavelength_range`` and
    ``max_nfev`` go to :func:`deconvolve`.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD; ``A0`` and ``PL`` shape the GSB and SE proposals).
    delay : float, optional
        Delay (ps) of the spectrum (the nearest grid delay); default :func:`default_delay`.
    pump : float, optional
        Pump level (in the ``pump`` coordinate's units); default the highest.
    bands : sequence of Band, optional
        Starting bands; default :func:`initial_bands`.
    lock_to_spectra : bool, default False
        Pin the GSB and SE shapes to A0 and PL (for the default bands).
    wavelength_range : (float, float), optional
        Wavelength range fitted (nm, low < high; was ``x_range``); default the whole spectrum.
    max_nfev : int, optional
        Most model evaluations (≥ 1).

    Returns
    -------
    BandFit
        Bands with areas (OD·eV) and shares (%), and the status fields
        ``converged``/``message``/``nfev``/``warnings``.

    Raises
    ------
    DatasetError
        When the dataset is not a valid TA dataset.
    FitError
        As :func:`deconvolve`.

    Examples
    --------
    >>> import qdwidgets
    >>> fit = deconvolve_at(qdwidgets.examples.ta())
    >>> fit.converged, fit.warnings
    (True, ())
    """
    ta = _ta(ta)
    if delay is None:
        delay = default_delay(ta)
    spec = spectrum_at(ta, delay, pump)
    if bands is None:
        bands = initial_bands(ta, delay, pump, lock_to_spectra=lock_to_spectra)
    fit = deconvolve(spec, bands, wavelength_range=wavelength_range, max_nfev=max_nfev)
    out = dataclasses.replace(fit, delay=float(spec.attrs["delay"]), pump=float(spec.attrs["pump"]))
    object.__setattr__(out, "_lmfit", fit.lmfit)
    return out
