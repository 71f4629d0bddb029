"""The computations of the optical-gain lesson (``notebooks/teaching.ipynb``, the widget).

One call, :func:`gain_lesson`, turns an average exciton number ⟨N⟩ into everything the lesson
shows: the Poisson occupancy P(n), the mean 1S filling, the noiseless A_ex = ΔA + A0 spectrum at a
delay and the A_ex trace at the band edge from the TA simulator, and the gain window there.

The lesson's model dot (``LESSON_DOT``) is the simulator's paper-like dot made ideal in two ways,
so that the simulation and the closed form tell the same story:

* the stimulated-emission band has the shape of the 1S bleach (centre 639 nm, same width in
  energy, same area: ``se_strength = 1``), so at the band edge A_ex/A0 ≈ 1 − ⟨n_1S⟩(t): the band
  edge has gain exactly when more than one of the two 1S states is filled on average;
* the 1S(e)–2S3/2(h) band (615 nm) is left out; its tail would still absorb at 639 nm and push
  the gain threshold from ⟨N⟩ ≈ 1.15 to ≈ 1.2;
* no trap states (``trap_fraction = 0``) unless asked: gain then ends by Auger recombination.

Times are in ps, wavelengths in nm, absorbances in OD. A call takes ~20 ms (small grids, n_max =
12): fit for a slider. See ``benchmarks/bench_lesson.py``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from ..data import simulate
from ..data.constants import HC_EV_NM
from ..errors import DatasetError
from ..results import Result
from ._traces import negative_regions
from .occupancy import gain_threshold_occupancy, mean_1s_filling, poisson

__all__ = [
    "BAND_EDGE_NM",
    "LESSON_DOT",
    "GainLessonResult",
    "filling_curve",
    "gain_lesson",
    "lesson_delays",
    "lesson_wavelengths",
]

BAND_EDGE_NM = 639.0
_WIDTH_1S_EV = 0.085


def _fwhm_nm(center_nm: float, fwhm_ev: float) -> float:
    """The wavelength FWHM (nm, symmetric about ``center_nm``) of an energy FWHM (eV)."""
    hc, c, de = HC_EV_NM, center_nm, fwhm_ev
    return float((-hc + math.sqrt(hc * hc + de * de * c * c)) / (de / 2.0))


LESSON_DOT: dict[str, Any] = {
    "transitions_nm": (BAND_EDGE_NM, 615.0, 575.0, 526.0),
    "transition_fwhm_ev": (_WIDTH_1S_EV, 0.09, 0.12, 0.15),
    "transition_od": (0.05, 0.0, 0.045, 0.08),
    "pl_peak_nm": BAND_EDGE_NM,
    "pl_fwhm_nm": _fwhm_nm(BAND_EDGE_NM, _WIDTH_1S_EV),
    "se_strength": 1.0,
    "tau_cool": 0.5,
    "tau_x": 3400.0,
    "irf_fwhm": 0.15,
    "n_max": 12,
}
"""Simulator parameters of the lesson's ideal dot (see the module docstring)."""

N_SHOWN = 9  # P(n) for n = 0..8


def lesson_delays() -> np.ndarray:
    """Delays (ps) of the band-edge trace: 0.05 ps … 6 ns, 200 log-spaced points."""
    return np.geomspace(0.05, 6000.0, 200)


def lesson_wavelengths() -> np.ndarray:
    """Wavelengths (nm) of the lesson's spectrum: 540–720 nm every 1 nm."""
    return np.arange(540.0, 720.5, 1.0)


def filling_curve(n_max: float = 5.0, points: int = 201) -> xr.DataArray:
    """Mean 1S filling 2 − (2 + ⟨N⟩)e^−⟨N⟩ over ⟨N⟩ = 0 … ``n_max`` (closed form).

    Parameters
    ----------
    n_max : float, default 5
        Largest ⟨N⟩ (excitons per dot).
    points : int, default 201
        Number of ⟨N⟩ values.

    Returns
    -------
    xarray.DataArray
        Electrons in 1S per dot (0–2) over ``n_avg``.
    """
    n = np.linspace(0.0, float(n_max), int(points))
    return xr.DataArray(
        np.asarray(mean_1s_filling(n)),
        dims=("n_avg",),
        coords={"n_avg": ("n_avg", n, {"units": "1", "long_name": "average excitons per dot ⟨N⟩"})},
        name="filling",
        attrs={"units": "1", "long_name": "mean 1S filling (electrons in 1S per dot, 0–2)"},
    )


@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class GainLessonResult(Result):
    """Everything the gain lesson shows for one ⟨N⟩ (times ps, wavelengths nm, A in OD).

    n_avg: ⟨N⟩, average excitons per dot. tau_xx: biexciton (Auger) lifetime (ps). delay: the
    delay of ``spectrum`` (ps). wavelength: the band edge (nm). trap_fraction: dots with a fast
    trap (0–1). occupancy: P(n), the fraction of dots with n = 0…8 excitons. multi: P(n ≥ 2).
    filling: mean 1S filling (0–2) after cooling; threshold: ⟨N⟩ where it reaches 1 (≈ 1.146).
    a0, spectrum: A0 and A_ex = ΔA + A0 over wavelength at ``delay``; gain_bands: (start, end) nm
    of each region where that A_ex < 0. trace: A_ex at the band edge over delay; filling_trace:
    the mean 1S filling over the same delays. onset, end, duration: the band-edge gain window
    (ps; NaN without gain; ``end`` NaN with lasts_to_end when gain outlasts the last delay).
    """

    n_avg: float
    tau_xx: float
    delay: float
    wavelength: float
    trap_fraction: float
    occupancy: xr.DataArray
    multi: float
    filling: float
    threshold: float
    a0: xr.DataArray
    spectrum: xr.DataArray
    gain_bands: tuple[tuple[float, float], ...]
    trace: xr.DataArray
    filling_trace: xr.DataArray
    onset: float
    end: float
    duration: float
    lasts_to_end: bool

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "n_avg",
        "tau_xx",
        "delay",
        "wavelength",
        "multi",
        "filling",
        "threshold",
        "gain_bands",
        "onset",
        "end",
        "duration",
        "lasts_to_end",
    )

    @property
    def has_gain(self) -> bool:
        """Whether A_ex at the band edge goes below zero at some delay."""
        return bool(np.isfinite(self.onset))

    @property
    def gain_at_delay(self) -> bool:
        """Whether the spectrum at ``delay`` has gain anywhere."""
        return bool(self.gain_bands)

    def describe(self) -> str:
        """The lesson's plain-language readout of this result (one sentence)."""
        head = (
            f"⟨N⟩ = {self.n_avg:.2f}: {100 * self.multi:.0f} % of dots hold two or more "
            f"excitons; mean 1S filling {self.filling:.2f}"
        )
        edge = f"{self.wavelength:.0f} nm"
        if self.has_gain:
            if self.lasts_to_end:
                span = f"from {_ps(self.onset)} to beyond {_ps(float(self.trace['delay'][-1]))}"
            else:
                span = f"for {_ps(self.duration)}"
            return f"{head} > 1 → gain at {edge} {span}"
        sign = "<" if self.filling < 1 else "≈"
        return (
            f"{head} {sign} 1 → no gain at {edge} (the two-fold 1S level needs more than one "
            f"electron on average: ⟨N⟩ > {self.threshold:.2f})"
        )


def _ps(t: float) -> str:
    if t >= 1000:
        return f"{t / 1000:.2g} ns"
    return f"{t:.2g} ps" if t < 10 else f"{t:.0f} ps"


def _check(name: str, value: float, lo: float, hi: float, unit: str) -> float:
    v = float(value)
    if not (np.isfinite(v) and lo <= v <= hi):
        raise DatasetError(
            f"gain_lesson: {name} = {value!r} is outside {lo:g}–{hi:g} {unit}. "
            f"Fix: pass a {name} in that range"
        )
    return v


def gain_lesson(
    n_avg: float,
    *,
    tau_xx: float = 600.0,
    delay: float = 5.0,
    trap_fraction: float = 0.0,
    tau_trap: float = 20.0,
    dot: dict[str, Any] | None = None,
) -> GainLessonResult:
    """The lesson for ⟨N⟩ = ``n_avg`` excitons per dot (0–20).

    tau_xx: biexciton Auger lifetime (ps, 10–1500); delay: delay of the spectrum (ps, 0.05–6000);
    trap_fraction / tau_trap: dots with a fast surface trap and its time (ps). ``dot`` overrides
    simulator parameters of :data:`LESSON_DOT` (e.g. ``{"background_od": 0}``). The noiseless
    data come from ``simulate.ta(noise=0, chirp=(0,))`` on small grids.

    Parameters
    ----------
    n_avg : float
        ⟨N⟩, the mean number of excitons per dot (0–20).
    tau_xx : float, default 600
        Biexciton Auger lifetime (ps, 10–1500).
    delay : float, default 5
        Delay of the spectrum (ps, 0.05–6000).
    trap_fraction : float, default 0
        Fraction of dots with a fast surface trap (0–1).
    tau_trap : float, default 20
        Trapping time (ps).
    dot : dict, optional
        Simulator parameters overriding :data:`LESSON_DOT`.

    Returns
    -------
    GainLessonResult
        The occupancy, the mean 1S filling, the gain bands (nm) and the gain's onset, end and
        duration (ps).

    Examples
    --------
    >>> from qdwidgets.core.lesson import gain_lesson
    >>> lesson = gain_lesson(3.0)  # <N> = 3
    >>> round(lesson.filling, 2), lesson.filling > lesson.threshold
    (1.75, True)
    """
    n = _check("n_avg", n_avg, 0.0, 20.0, "excitons per dot")
    txx = _check("tau_xx", tau_xx, 10.0, 1500.0, "ps")
    t_spec = _check("delay", delay, 0.05, 6000.0, "ps")
    frac = _check("trap_fraction", trap_fraction, 0.0, 1.0, "")
    params = {**LESSON_DOT, **(dot or {})}
    edge = float(params["transitions_nm"][0])
    _, truth = simulate.ta(
        (n,),
        cross_section=1.0,
        delay=np.array([0.0, 1.0]),
        wavelength=np.array([edge - 1.0, edge]),
        tau_xx=txx,
        trap_fraction=frac,
        tau_trap=tau_trap,
        chirp=(0.0,),
        chirp_reference_nm=edge,
        noise=0.0,
        seed=None,
        **params,
    )
    t, wl = lesson_delays(), lesson_wavelengths()
    trace = truth.a_ex(t, np.array([edge]))[0, :, 0]
    spec = truth.a_ex(np.array([t_spec]), wl)[0, 0, :]
    n1s = truth.populations(t)["n_1S"].values[0]
    k = np.arange(N_SHOWN)
    p = np.asarray(poisson(n, k))
    regions = negative_regions(t, trace)
    onset = regions[0][0] if regions else float("nan")
    stop = regions[-1][1] if regions else float("nan")
    lasts = bool(regions) and bool(trace[-1] < 0)
    end = float("nan") if lasts else stop
    delay_coord = ("delay", t, {"units": "ps", "long_name": "pump-probe delay"})
    wl_coord = ("wavelength", wl, {"units": "nm", "long_name": "probe wavelength"})
    return GainLessonResult(
        n_avg=n,
        tau_xx=txx,
        delay=t_spec,
        wavelength=edge,
        trap_fraction=frac,
        occupancy=xr.DataArray(
            p,
            dims=("n",),
            coords={"n": ("n", k, {"units": "1", "long_name": "excitons per dot n"})},
            name="occupancy",
            attrs={"units": "1", "long_name": "fraction of dots holding n excitons P(n)"},
        ),
        multi=float(1.0 - p[0] - p[1]),
        filling=float(mean_1s_filling(n)),
        threshold=gain_threshold_occupancy(),
        a0=xr.DataArray(
            truth.a0(wl),
            dims=("wavelength",),
            coords={"wavelength": wl_coord},
            name="A0",
            attrs={"units": "OD", "long_name": "steady-state absorbance A0"},
        ),
        spectrum=xr.DataArray(
            spec,
            dims=("wavelength",),
            coords={"wavelength": wl_coord},
            name="A_ex",
            attrs={"units": "OD", "long_name": f"A_ex = ΔA + A0 at {t_spec:.4g} ps"},
        ),
        gain_bands=negative_regions(wl, spec),
        trace=xr.DataArray(
            trace,
            dims=("delay",),
            coords={"delay": delay_coord},
            name="A_ex",
            attrs={"units": "OD", "long_name": f"A_ex = ΔA + A0 at {edge:.4g} nm"},
        ),
        filling_trace=xr.DataArray(
            n1s,
            dims=("delay",),
            coords={"delay": delay_coord},
            name="filling",
            attrs={"units": "1", "long_name": "mean 1S filling ⟨n_1S⟩ (0–2)"},
        ),
        onset=float(onset),
        end=end,
        duration=float(end - onset),
        lasts_to_end=lasts,
    )
