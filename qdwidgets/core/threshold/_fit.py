"""The threshold of an ASE dataset: :func:`fit_threshold`, what ``ds.qd.fit_threshold`` calls.

Power in mW, intensity in W cm⁻², wavelengths in nm.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import xarray as xr

from ... import _args
from ..._choices import BEAM_PROFILES, BeamProfile, OutputMethod, ThresholdCI, ThresholdSignal
from ...data.constants import check_spot_diameter as _spot
from ...errors import FitError
from ._dataset import _ase, signal_curve
from ._lines import fit_lines
from ._results import ThresholdFit
from ._segmented import find_threshold

F = TypeVar("F", bound=Callable[..., Any])


def spot_and_profile(
    ds: xr.Dataset, spot_diameter_mm: float | None, beam_profile: str | None
) -> tuple[float | None, BeamProfile]:
    """The spot diameter (mm) and beam profile given, else the dataset's attrs (else "tophat")."""
    spot = ds.attrs.get("spot_diameter_mm") if spot_diameter_mm is None else spot_diameter_mm
    profile = ds.attrs.get("beam_profile", "tophat") if beam_profile is None else beam_profile
    checked = _args.choice("beam_profile", profile, BEAM_PROFILES)
    return (None if spot is None else _spot(spot)), checked


def _curve_form(func: F) -> F:
    """Let ``fit_threshold(power, signal, ...)`` on two arrays (the form before 0.2) still work
    for one version: it warns and calls :func:`fit_lines`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        arrays = len(args) == 2 and not isinstance(args[0], xr.Dataset)
        if arrays or "power" in kwargs:
            _args.warn_renamed("fit_threshold(power, signal, ...)", "fit_lines(power, signal, ...)")
            return fit_lines(*args, **kwargs)
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@_curve_form
@_args.renamed(window_nm="wavelength_range", profile="beam_profile")
def fit_threshold(
    ase: xr.Dataset,
    *,
    feedback: str | None = None,
    signal: ThresholdSignal = "enhancement",
    below: tuple[float, float] | None = None,
    above: tuple[float, float] | None = None,
    method: OutputMethod = "max",
    wavelength_range: tuple[float, float] | None = None,
    spot_diameter_mm: float | None = None,
    beam_profile: BeamProfile | None = None,
    ci: ThresholdCI = "bootstrap",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ThresholdFit:
    """Threshold of an ASE dataset (``ds.qd.fit_threshold`` is this function).

    ``feedback`` defaults to the first condition that is not "none" (:func:`default_feedback`);
    ``signal`` picks the curve (see :func:`signal_curve`). With both windows (mW) the lines are
    fitted there (:func:`fit_lines`); with neither, :func:`find_threshold` chooses them and
    tests for a breakpoint. Spot diameter and beam profile come from the dataset attrs unless
    given.

    Parameters
    ----------
    ase : xarray.Dataset
        An ASE dataset: ``emission`` over ``(feedback, power, wavelength)``, ``power`` in mW.
    feedback : str, optional
        The condition to fit (a ``feedback`` label); default the first that is not "none".
    signal : {"enhancement", "output", "reference"}, default "enhancement"
        The curve fitted against power: see :func:`signal_curve`.
    below, above : (float, float), optional
        Power windows (mW) of the below- and above-threshold lines; both or neither.
    method : {"max", "at_peak", "integrated"}, default "max"
        How the output is read from each spectrum (:func:`peak_output`).
    wavelength_range : (float, float), optional
        Emission wavelength range (nm) the output is read from (was ``window_nm``).
    spot_diameter_mm : float, optional
        Spot diameter (mm); default the dataset's ``spot_diameter_mm`` attribute.
    beam_profile : {"tophat", "gaussian"}, optional
        Beam profile the diameter refers to (was ``profile``); default the dataset's
        ``beam_profile`` attribute, else "tophat".
    ci : {"bootstrap", "percentile", "delta"}, default "bootstrap"
        Interval method (see :func:`fit_lines`).
    n_boot : int, default 1000
        Bootstrap resamples (≥ 100).
    seed : int, default 0
        Seed of the resampling and of the breakpoint test.
    confidence : float, default 0.95
        Confidence level of the interval, in (0, 1).

    Returns
    -------
    ThresholdFit
        ``threshold_mW`` (mW) and ``threshold_W_cm2`` (W cm⁻²), ``ci`` with ``ci_method``, the
        two lines, and the status fields ``converged``/``message``/``nfev``/``warnings``.

    Raises
    ------
    DatasetError
        When the dataset is not a valid ASE dataset or ``feedback`` is not one of its labels.
    FitError
        When the windows are malformed or hold too few powers.
    ArgumentError
        An option out of range or not one of its choices.

    Examples
    --------
    >>> import qdwidgets
    >>> from qdwidgets.core.threshold import fit_threshold
    >>> fit = fit_threshold(qdwidgets.examples.ase(), feedback="lamp")
    >>> fit.converged, round(fit.threshold_mW), round(fit.threshold_W_cm2, 1), fit.ci_method
    (True, 148, 18.9, 'bootstrap')
    """
    ds = _ase(ase, wavelength_range)
    spot, profile = spot_and_profile(ds, spot_diameter_mm, beam_profile)
    curve = signal_curve(ds, feedback, signal, method=method)
    p, y = curve["power"].values, curve.values
    if below is None and above is None:
        return find_threshold(
            p, y, spot_diameter_mm=spot, beam_profile=profile,
            ci=ci, n_boot=n_boot, seed=seed, confidence=confidence,
        )  # fmt: skip
    if below is None or above is None:
        raise FitError(
            "give both windows (below=(lo, hi), above=(lo, hi) in mW) or neither (then the "
            "windows are found by segmented regression). Fix: pass both, or neither"
        )
    return fit_lines(
        p, y, below=below, above=above, spot_diameter_mm=spot, beam_profile=profile,
        ci=ci, n_boot=n_boot, seed=seed, confidence=confidence,
    )  # fmt: skip


def fit_dataset(ase: xr.Dataset, **kwargs: Any) -> ThresholdFit:
    """Deprecated: the old name of :func:`fit_threshold` (removed in the next version)."""
    _args.warn_renamed("fit_dataset", "fit_threshold")
    return fit_threshold(ase, **kwargs)
