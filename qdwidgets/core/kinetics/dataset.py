"""Table 1 from a dataset: the trace at a wavelength (band-averaged), one fit per pump level."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import xarray as xr

from ... import _args
from ..._choices import KineticsCI
from ...errors import FitError
from ._options import fit_options, windows
from .fit import fit_trace
from .results import KineticsFit, KineticsSeries


def extract_trace(
    ta: xr.Dataset, wavelength: float, *, band_nm: float = 0.0, pump: Any = None
) -> xr.DataArray:
    """ΔA (OD) over (pump, delay) at ``wavelength`` (nm), averaged over ±band_nm/2 when > 0.

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD).
    wavelength : float
        Probe wavelength (nm).
    band_nm : float, default 0
        Width (nm) of the band averaged (0: the nearest wavelength).
    pump : float, optional
        One pump level (nearest); all levels by default.

    Returns
    -------
    xarray.DataArray
        ΔA (OD) over ``delay`` (ps), and ``pump`` unless one level was picked.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import extract_trace
    >>> trace = extract_trace(qdwidgets.examples.ta(), 639.0, pump=250.0)
    >>> trace.dims, trace.attrs["units"]
    (('delay',), 'OD')
    """
    from ...data.contract import validate

    with fit_options():
        wavelength = _args.number("wavelength", wavelength, unit="nm")
        band_nm = _args.non_negative("band_nm", band_nm, unit="nm")
    ds = validate(ta, "ta")
    da = ds["dA"]
    wl = np.asarray(da["wavelength"].values, dtype=float)
    if not wl.min() - 1e-9 <= wavelength <= wl.max() + 1e-9:
        raise FitError(
            f"wavelength {wavelength:g} nm is outside the data ({wl.min():g}–{wl.max():g} nm); "
            "choose a wavelength inside that range"
        )
    if band_nm and band_nm > 0:
        inside = np.abs(wl - wavelength) <= band_nm / 2
        if not inside.any():
            inside = np.abs(wl - wavelength) == np.min(np.abs(wl - wavelength))
        trace: xr.DataArray = da.isel(wavelength=np.flatnonzero(inside)).mean(
            "wavelength", keep_attrs=True
        )
        trace = trace.assign_coords(wavelength=float(np.mean(wl[inside])))
    else:
        trace = da.sel(wavelength=wavelength, method="nearest")
    if pump is not None:
        trace = trace.sel(pump=pump, method="nearest")
    return trace


def fit_kinetics(
    ta: xr.Dataset,
    *,
    wavelength: float | None = None,
    pump: Any = None,
    band_nm: float = 0.0,
    delay_range: tuple[float | None, float | None] | None = None,
    n_components: int = 3,
    irf_fwhm: Any = "fit",
    t0: Any = "fit",
    offset: bool = False,
    initial: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Iterable[str] = (),
    ci: KineticsCI | None = None,
    n_boot: int = 200,
    seed: int = 0,
    starts: int = 4,
    early_stop: bool = True,
    onset: float | Literal["auto"] | None = "auto",
    chirp: Any = None,
    coherent_artifact: bool = False,
) -> KineticsFit | KineticsSeries:
    """Table 1: fit the kinetics at ``wavelength`` (nm; band-averaged over ``band_nm``) per pump.

    ``wavelength=None`` (default) fits at the band edge found in the data
    (:func:`qdwidgets.core.gain.band_edge`: the red-most absorption band of A0, or where the late
    bleach is deepest without A0), never at a fixed wavelength.

    Returns a :class:`KineticsFit` when ``pump`` is given (nearest level) or the data hold one
    pump level, else a :class:`KineticsSeries` (one fit per pump level, ``.table()`` side by
    side). ``delay_range=(start, stop)`` (ps) fits only those delays (e.g. ``(2, None)`` after the
    hot-carrier rise, then fix ``irf_fwhm=0, t0=0``); when the window starts after the signal's
    rise, t0 of the rise in the full trace goes to :func:`fit_trace` as ``onset`` (one more start
    with t0 free). The other options are those of :func:`fit_trace`, with the same defaults
    (``offset=False``: pass ``offset=True`` for a long-lived step, as in the paper's Table 1).

    Parameters
    ----------
    ta : xarray.Dataset
        A TA dataset (``dA`` in OD over ``pump``, ``delay`` in ps, ``wavelength`` in nm).
    wavelength : float, optional
        Probe wavelength (nm); default the band edge found in the data.
    pump : float, optional
        Pump level (in the ``pump`` coordinate's units) to fit alone; the nearest level is used.
    band_nm : float, default 0
        Width (nm) of the wavelength band averaged around ``wavelength``.
    delay_range : (float or None, float or None), optional
        First and last delay (ps) fitted; None on either side keeps the data's end.
    n_components : int, default 3
        Number of exponentials (1 to ``MAX_COMPONENTS``).
    irf_fwhm, t0 : "fit" or float, default "fit"
        FWHM and time zero (ps) of the Gaussian IRF: fitted, or held at this value.
    offset : bool, default False
        Add a long-lived step (OD) after time zero (the paper's Table 1 fits one).
    initial, bounds, fixed, ci, n_boot, seed, starts, early_stop
        As :func:`fit_trace` (start values and bounds in ps).
    onset : float, "auto" or None, default "auto"
        Time zero (ps) of the rise for :func:`fit_trace`; "auto": the full trace's when
        ``delay_range`` cuts the rise off; None: no start from the rise.
    chirp, coherent_artifact
        As :func:`fit_trace`.

    Returns
    -------
    KineticsFit or KineticsSeries
        One fit (lifetimes ``taus`` in ps, amplitudes in OD, fractions in %, the status fields
        ``converged``/``message``/``nfev``/``warnings``) or one per pump level.

    Raises
    ------
    DatasetError
        When the dataset is not a valid TA dataset or ``wavelength`` is outside it.
    FitError
        When an option is out of range or the trace cannot be fitted (flat, too short).

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.kinetics import fit_kinetics
    >>> ta = qdwidgets.examples.ta().isel(pump=[1])  # one pump level: one KineticsFit
    >>> fit = fit_kinetics(ta, delay_range=(2.0, None), offset=True)  # at the band edge found
    >>> fit.converged, len(fit.taus), fit.warnings
    (True, 3, ())
    >>> 20.0 < fit.taus[0] < 60.0 and 400.0 < fit.taus[1] < 900.0  # trapping, Auger (ps)
    True
    """
    if wavelength is None:
        from ..gain import band_edge

        wavelength = band_edge(ta)
    if delay_range is not None:
        windows(delay_range, None)
    full = extract_trace(ta, wavelength, band_nm=band_nm, pump=pump)
    traces = full
    if delay_range is not None:
        traces = full.sel(delay=slice(*delay_range))
    if isinstance(onset, str) and onset != "auto":
        raise FitError(f"onset must be a delay (ps), 'auto' or None, not {onset!r}")
    cut = delay_range is not None and delay_range[0] is not None and onset == "auto"
    options: dict[str, Any] = {
        "irf_fwhm": irf_fwhm,
        "t0": t0,
        "offset": offset,
        "initial": initial,
        "bounds": bounds,
        "fixed": fixed,
        "ci": ci,
        "n_boot": n_boot,
        "seed": seed,
        "starts": starts,
        "early_stop": early_stop,
        "chirp": chirp,
        "coherent_artifact": coherent_artifact,
    }

    def fit_one(i: int | None) -> KineticsFit:
        one, whole = (traces, full) if i is None else (traces.isel(pump=i), full.isel(pump=i))
        start = _onset(whole, one) if cut else None if onset == "auto" else onset
        return fit_trace(one, n_components, onset=start, **options)

    if "pump" not in traces.dims:
        return fit_one(None)
    fits = tuple(fit_one(i) for i in range(traces.sizes["pump"]))
    if len(fits) == 1:
        return fits[0]
    wl = float(np.asarray(traces["wavelength"].values))
    return KineticsSeries(fits=fits, wavelength=wl, band_nm=float(band_nm))


def _onset(full: xr.DataArray, window: xr.DataArray) -> float | None:
    """t0 (ps) of the rise in ``full`` (:func:`rise_onset`) when it lies before the first finite
    delay of ``window`` (the fit window starts after the onset), else None."""
    tw = np.asarray(window["delay"].values, dtype=float)[np.isfinite(window.values)]
    if tw.size == 0 or np.sum(np.isfinite(full.values)) < 3:
        return None
    t0, _ = rise_onset(full)
    return t0 if t0 < float(tw.min()) else None


#: the window after the rise starts this many rise widths (FWHM) after time zero
RISE_WIDTHS = 2.5


def rise_onset(trace: xr.DataArray) -> tuple[float, float]:
    """Time zero and rise width (FWHM), both in ps, of one trace over ``delay`` (finite points,
    in delay order), from :func:`.start.guess_t0_fwhm`; the first delay and 0 with fewer than
    three finite points."""
    from .start import guess_t0_fwhm

    t = np.asarray(trace["delay"].values, dtype=float)
    y = np.asarray(trace.values, dtype=float)
    ok = np.isfinite(t) & np.isfinite(y)
    if ok.sum() < 3:
        return float(t[0]), 0.0
    order = np.argsort(t[ok], kind="stable")
    return guess_t0_fwhm(t[ok][order], y[ok][order])


def after_rise_window(traces: xr.DataArray) -> tuple[float, float]:
    """The fit window (ps) after the rise, for Table-1 fits that leave the rise out: from the
    first measured delay at or after t0 + 2.5 rise widths (the latest over the pump levels) to
    the last delay; the whole axis when fewer than five delays would remain. The start is
    written as the shortest decimal that keeps the same delays (5.2, not 5.227491)."""
    t = np.asarray(traces["delay"].values, dtype=float)
    ends = []
    for i in range(traces.sizes.get("pump", 1)):
        t0, fwhm = rise_onset(traces.isel(pump=i) if "pump" in traces.dims else traces)
        ends.append(t0 + RISE_WIDTHS * fwhm)
    after = t[t >= max(ends)]
    if after.size <= 4:
        return float(t[0]), float(t[-1])
    start = float(after[0])
    before = t[t < start]
    for digits in range(7):
        short = math.floor(start * 10**digits) / 10**digits
        if before.size == 0 or short > before[-1]:
            start = short
            break
    return start, float(t[-1])


def initial_guess(
    trace: xr.DataArray,
    n_components: int = 3,
    *,
    offset: bool = False,
    taus: Any = None,
    irf_fwhm: float | None = None,
    t0: float | None = None,
) -> dict[str, Any]:
    """Start values for one trace: ``taus`` (ps, ascending), ``amplitudes`` and ``offset`` (OD,
    solved linearly at those lifetimes), ``irf_fwhm`` and ``t0`` (ps). Given values are kept.

    Cheap (no nonlinear fit): what a view shows before "Fit".

    Parameters
    ----------
    trace : xarray.DataArray
        ΔA (OD) over ``delay`` (ps).
    n_components : int, default 3
        Number of exponentials.
    offset : bool, default False
        Include a long-lived step (OD).
    taus : sequence of float, optional
        Lifetimes (ps) to keep; automatic otherwise.
    irf_fwhm, t0 : float, optional
        IRF FWHM and time zero (ps) to keep; estimated from the rise otherwise.

    Returns
    -------
    dict
        ``taus``, ``amplitudes``, ``offset``, ``irf_fwhm`` and ``t0``.
    """
    from .fit import _as_trace, start_spec
    from .model import basis, sigma_from_fwhm
    from .projection import _qr_solve

    t, y, _ = _as_trace(trace)
    ok = np.isfinite(y)
    t, y = t[ok], y[ok]
    n = int(n_components)
    if y.size <= n + 3:
        raise FitError(f"the trace has {y.size} finite points: too few for {n} components")
    initial: dict[str, float] = {}
    if taus is not None:
        initial.update({f"tau{i + 1}": float(v) for i, v in enumerate(taus) if i < n})
    if irf_fwhm is not None:
        initial["irf_fwhm"] = float(irf_fwhm)
    if t0 is not None:
        initial["t0"] = float(t0)
    spec = start_spec(t, y, n, offset=offset, initial=initial)
    tau_v = np.sort([spec[f"tau{i + 1}"][0] for i in range(n)])
    w, z = spec["irf_fwhm"][0], spec["t0"][0]
    (phi,) = basis(t, tau_v, sigma_from_fwhm(w), np.asarray(z), offset)
    _, a, _ = _qr_solve(phi, y[:, None])
    return {
        "taus": [float(v) for v in tau_v],
        "amplitudes": [float(v) for v in a[:n, 0]],
        "offset": float(a[n, 0]) if offset else 0.0,
        "irf_fwhm": float(w),
        "t0": float(z),
    }
