"""``simulate.raw_ta``: a raw, multi-scan TA measurement, as it leaves the spectrometer.

The sample is :func:`simulate.ta <qdwidgets.data.simulate.ta>` (noiseless, chirped); on top of it
every scan carries, at every delay,

* a coherent artefact around time zero: the second derivative of the Gaussian instrument
  response, chirped like the sample, stronger in the blue; in the sample it is ``solvent_scale``
  times the solvent scan's at the highest pump level, and scales with the pump energy;
* pump scatter: a Gaussian band (in nm) of large, fluctuating signal at the pump wavelength;
* a baseline offset rising linearly from ``0.6·baseline_od`` (blue end) to ``baseline_od``;
* Gaussian noise of σ(λ) = noise·(1 + edge_noise·(e^−(λ−λmin)/w + e^−(λmax−λ)/w)) (the detector
  edges, w = ``edge_width_nm``), and in the scatter band ``scatter_noise`` of the scatter;

and one scan a glitch: ``glitch_od`` added at ``glitch_delays`` consecutive delays in the middle of
the delays after every wavelength's rise (t0(λ) + 1 ps). The solvent scan holds the artefact and
the noise only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import xarray as xr

from ...errors import DatasetError
from ..contract import validate
from ._raw_result import RawTA
from ._ta import _axis, default_wavelengths, ta

_OWN = ("noise", "chirp", "chirp_reference_nm", "seed", "store_chirp", "delay", "wavelength")


def default_raw_delays() -> np.ndarray:
    """Delays of a raw scan (ps): −1 … 2 ps every 25 fs, then 60 log-spaced to 2 ns."""
    return np.concatenate([np.round(np.arange(-1.0, 2.0, 0.025), 6), np.geomspace(2.0, 2000, 60)])


def _fail(name: str, problem: str, fix: str) -> DatasetError:
    return DatasetError(f"simulate.raw_ta: {name} {problem}. Fix: {fix}")


def _check(
    n_scans: int, values: dict[str, float], glitch_scan: int | None, glitch_delays: int, n_t: int
) -> None:
    if int(n_scans) != n_scans or n_scans < 1:
        raise _fail("n_scans", f"must be a whole number >= 1 (got {n_scans!r})", "pass e.g. 5")
    for name, value in values.items():
        if not np.isfinite(value) or value < 0:
            raise _fail(name, f"must be a finite number >= 0 (got {value!r})", "use the default")
    if glitch_scan is not None and not 0 <= glitch_scan < n_scans:
        raise _fail(
            "glitch_scan",
            f"is {glitch_scan}, not a scan index of 0…{n_scans - 1}",
            "pass an index below n_scans, or None for no glitch",
        )
    if not 1 <= glitch_delays <= n_t // 2:
        raise _fail(
            "glitch_delays",
            f"must be 1…{n_t // 2} (half the {n_t} delays; got {glitch_delays!r})",
            "pass e.g. 10",
        )


def raw_ta(
    n_scans: int = 5,
    *,
    pump: Sequence[float] = (100.0, 300.0),
    delay: Any = None,
    wavelength: Any = None,
    noise: float = 3e-4,
    edge_noise: float = 3.0,
    edge_width_nm: float = 15.0,
    chirp: Sequence[float] = (0.2, -0.6, 0.3),
    chirp_reference_nm: float = 580.0,
    scatter_nm: float = 500.0,
    scatter_fwhm_nm: float = 6.0,
    scatter_od: float = 0.02,
    scatter_noise: float = 0.05,
    baseline_od: float = 1e-3,
    artefact_od: float = 0.02,
    solvent_scale: float = 0.8,
    glitch_scan: int | None = 2,
    glitch_delays: int = 10,
    glitch_od: float = 0.03,
    seed: int | None = 0,
    **sample: Any,
) -> RawTA:
    """Simulate a raw TA measurement: several noisy scans, a solvent scan, and the truth.

    Parameters
    ----------
    n_scans
        number of scans of the sample (1 or more).
    pump
        pump pulse energies (nJ), one per level, as in :func:`ta`.
    delay
        delays (ps); default :func:`default_raw_delays` (−1 ps … 2 ns, starting near time zero).
    wavelength
        probe wavelengths (nm); default 440–720 nm every 2 nm.
    noise
        σ of the Gaussian noise (OD) in the middle of the detector.
    edge_noise, edge_width_nm
        extra noise at the detector edges: σ rises to ``noise·(1 + edge_noise)`` at each end of the
        wavelength axis, over ``edge_width_nm`` (nm).
    chirp, chirp_reference_nm
        time zero t0(λ) = Σ_k chirp[k]·((λ − chirp_reference_nm)/100 nm)^k (ps) of the sample and
        the artefact; the default spans about −0.05 ps (720 nm) … 1.6 ps (440 nm).
    scatter_nm, scatter_fwhm_nm, scatter_od
        pump scatter: centre (the pump wavelength, nm), FWHM (nm) and peak (OD) of a Gaussian band
        present at every delay; ``attrs["pump_wavelength_nm"]`` is ``scatter_nm``.
    scatter_noise
        σ of the scatter's fluctuation as a fraction of the scatter (e.g. 0.05: 5 %).
    baseline_od
        baseline offset (OD) at the red end; 0.6 of it at the blue end, linear in between.
    artefact_od
        peak of the solvent scan's coherent artefact (OD) at the blue end (0.6 of it at the red).
    solvent_scale
        the sample's artefact at the highest pump level divided by the solvent scan's; at lower
        levels it scales with the pump energy (what ``prepare.subtract_solvent`` should find).
    glitch_scan, glitch_delays, glitch_od
        the scan index holding a glitch (None: no glitch), how many consecutive delays it covers
        (in the middle of the delays after every rise) and the value added there at every
        wavelength (OD).
    seed
        seed of the noise (numpy ``default_rng``); also passed to :func:`ta`.
    **sample
        other options of the sample simulation :func:`ta` (``tau_x``, ``irf_fwhm``, ...).

    Returns
    -------
    RawTA
        ``scans`` (validated TA datasets, ΔA in OD, A0 and PL of the sample, the index in
        ``attrs["scan_index"]``), ``solvent`` (one
        pump level, the highest), ``clean`` (the scans without noise or glitch), ``truth`` (the
        sample's ΔA alone, time zero 0 ps), ``noise`` σ(λ), and the other parts put in.

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> raw = simulate.raw_ta(n_scans=3, seed=1)
    >>> len(raw.scans), raw.glitch_scan, len(raw.glitch_delays), dict(raw.solvent.sizes)
    (3, 2, 10, {'pump': 1, 'delay': 180, 'wavelength': 141})
    """
    bad = sorted(set(sample) & set(_OWN))
    if bad:
        raise _fail(bad[0], "is an option of raw_ta itself", f"pass {bad[0]}= directly")
    delays = _axis(default_raw_delays() if delay is None else delay, "delay", "ps")
    wls = _axis(default_wavelengths() if wavelength is None else wavelength, "wavelength", "nm")
    numbers = {
        "noise": noise,
        "edge_noise": edge_noise,
        "edge_width_nm": edge_width_nm,
        "scatter_fwhm_nm": scatter_fwhm_nm,
        "scatter_od": scatter_od,
        "scatter_noise": scatter_noise,
        "baseline_od": baseline_od,
        "artefact_od": artefact_od,
        "solvent_scale": solvent_scale,
        "glitch_od": glitch_od,
    }
    _check(n_scans, numbers, glitch_scan, int(glitch_delays), delays.size)
    if not np.isfinite(scatter_nm):
        raise _fail("scatter_nm", f"must be a wavelength in nm (got {scatter_nm!r})", "e.g. 500")
    if edge_width_nm <= 0 or scatter_fwhm_nm <= 0:
        raise _fail("edge_width_nm/scatter_fwhm_nm", "must be > 0 nm", "use the defaults")
    attrs = {"pump_wavelength_nm": float(scatter_nm), **dict(sample.pop("attrs", None) or {})}
    chirped, truth = ta(
        pump, delay=delays, wavelength=wls, noise=0.0, chirp=tuple(chirp),
        chirp_reference_nm=chirp_reference_nm, seed=seed, attrs=attrs, **sample,
    )  # fmt: skip
    unchirped = replace(truth, chirp=(0.0,)).dA(delays, wls)
    x = (wls - wls[0]) / max(wls[-1] - wls[0], 1e-12)  # 0 (blue) … 1 (red)
    lam = xr.DataArray(wls, dims="wavelength", coords={"wavelength": chirped["wavelength"]})

    def over_wl(values: np.ndarray, name: str) -> xr.DataArray:
        out: xr.DataArray = (
            lam.copy(data=values).rename(name).assign_attrs(units="OD", long_name=name)
        )
        return out

    scatter = scatter_od * np.exp(-4 * np.log(2) * (wls - scatter_nm) ** 2 / scatter_fwhm_nm**2)
    baseline = baseline_od * (0.6 + 0.4 * x)
    edges = np.exp(-(wls - wls[0]) / edge_width_nm) + np.exp(-(wls[-1] - wls) / edge_width_nm)
    detector = noise * (1.0 + edge_noise * edges)
    sigma = np.hypot(detector, scatter_noise * scatter)
    tau = delays[:, None] - truth.t0(wls)[None, :]
    s_irf = max(truth.irf_fwhm, 0.05) / (2 * np.sqrt(2 * np.log(2)))
    artefact = (
        artefact_od * (1.0 - 0.4 * x) * (1 - (tau / s_irf) ** 2) * np.exp(-0.5 * (tau / s_irf) ** 2)
    )
    scales = tuple(float(solvent_scale * p / max(truth.pump)) for p in truth.pump)
    clean_da = chirped["dA"].values + np.asarray(scales)[:, None, None] * artefact[None]
    clean_da = clean_da + (scatter + baseline)[None, None, :]
    rng = np.random.default_rng(seed)
    late = np.flatnonzero(delays > float(np.max(truth.t0(wls))) + 1.0)  # after every rise
    centre = int(late[late.size // 2]) if late.size >= glitch_delays else delays.size // 2
    mid = min(max(centre - int(glitch_delays) // 2, 0), delays.size - int(glitch_delays))
    glitch = slice(mid, mid + int(glitch_delays))
    base = chirped.assign_attrs(
        description="simulated raw TA scan (qdwidgets.data.simulate.raw_ta)"
    )
    scans = []
    for k in range(int(n_scans)):
        da = clean_da + rng.normal(0.0, 1.0, clean_da.shape) * sigma
        if glitch_scan == k:
            da[:, glitch, :] += glitch_od
        scans.append(_with_dA(base, da, scan=k))
    clean = _with_dA(base.assign_attrs(description="the scans without noise or glitch"), clean_da)
    sv = rng.normal(0.0, 1.0, (1, *artefact.shape)) * detector + artefact[None]  # no scatter
    solvent = _with_dA(
        chirped.isel(pump=[-1])
        .drop_vars(["A0", "PL", "occupancy"])
        .assign_attrs(
            sample=f"{chirped.attrs.get('solvent', 'solvent')} (solvent scan, no quantum dots)",
            description="simulated solvent scan: the coherent artefact only",
        ),
        sv,
    )
    truth_ds = _with_dA(
        chirped.assign_attrs(description="the sample's ΔA alone: time zero 0 ps, no artefact, "
                             "scatter or baseline"),
        unchirped,
    )  # fmt: skip
    return RawTA(
        scans=tuple(scans),
        solvent=solvent,
        clean=clean,
        truth=truth_ds,
        sample=truth,
        noise=over_wl(sigma, "noise σ of ΔA"),
        baseline=over_wl(baseline, "baseline offset"),
        scatter=over_wl(scatter, "pump scatter"),
        artefact=xr.DataArray(
            artefact,
            dims=("delay", "wavelength"),
            coords={"delay": chirped["delay"], "wavelength": chirped["wavelength"]},
            attrs={"units": "OD", "long_name": "coherent artefact of the solvent scan"},
            name="artefact",
        ),
        solvent_scale=scales,
        glitch_scan=-1 if glitch_scan is None else int(glitch_scan),
        glitch_delays=tuple(float(t) for t in delays[glitch]) if glitch_scan is not None else (),
        glitch_od=float(glitch_od) if glitch_scan is not None else 0.0,
        scatter_nm=float(scatter_nm),
        scatter_fwhm_nm=float(scatter_fwhm_nm),
        seed=None if seed is None else int(seed),
    )


def _with_dA(base: xr.Dataset, da: np.ndarray, scan: int | None = None) -> xr.Dataset:
    out = base.copy()
    out["dA"] = (base["dA"].dims, np.asarray(da, dtype=float), dict(base["dA"].attrs))
    if scan is not None:
        out.attrs["scan_index"] = scan  # (not "scan": average_scans makes a scan coordinate)
    return validate(out)
