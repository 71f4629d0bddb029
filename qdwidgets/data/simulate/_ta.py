"""``simulate.ta``: a seeded, physics-based transient-absorption dataset and its truth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from ...errors import DatasetError
from ..contract import validate
from ._ta_truth import TATruth


def default_delays() -> np.ndarray:
    """The TA simulator's delay grid: a few pre-time-zero points, 20 fs steps around zero,
    log-spaced to 7 ns.

    Returns
    -------
    numpy.ndarray
        326 delays (ps), ascending, from −5 to 7000 ps.

    Examples
    --------
    >>> from qdwidgets.data.simulate import default_delays
    >>> t = default_delays()
    >>> t.size, float(t[0]), float(t[-1])
    (326, -5.0, 7000.0)
    """
    return np.concatenate(
        [
            [-5.0, -4.0, -3.0, -2.5, -2.0, -1.5],
            np.round(np.arange(-1.0, 3.0, 0.02), 6),
            np.geomspace(3.0, 7000.0, 120),
        ]
    )


def default_wavelengths() -> np.ndarray:
    """The TA simulator's probe wavelengths.

    Returns
    -------
    numpy.ndarray
        440–720 nm every 2 nm (141 wavelengths).

    Examples
    --------
    >>> from qdwidgets.data.simulate import default_wavelengths
    >>> default_wavelengths()[[0, -1]]
    array([440., 720.])
    """
    return np.arange(440.0, 720.5, 2.0)


def _fail(name: str, problem: str, fix: str) -> DatasetError:
    return DatasetError(f"simulate.ta: {name} {problem}. Fix: {fix}")


def _per_level(value: float | Sequence[float], n: int, name: str) -> tuple[float, ...]:
    if np.ndim(value) == 0:
        return (float(value),) * n  # type: ignore[arg-type]
    vals = tuple(float(v) for v in value)  # type: ignore[union-attr]
    if len(vals) != n:
        raise _fail(
            name,
            f"has {len(vals)} values for {n} pump levels",
            "give one value, or one per pump level",
        )
    return vals


def _axis(values: Any, name: str, unit: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    if arr.size < 2 or not np.all(np.isfinite(arr)) or np.any(np.diff(arr) <= 0):
        raise _fail(
            name,
            f"must be at least 2 finite, strictly increasing values in {unit}",
            f"pass e.g. np.linspace(...) in {unit}",
        )
    return arr


def ta(
    pump: Sequence[float] = (100.0, 300.0),
    *,
    cross_section: float = 0.01,
    delay: Any = None,
    wavelength: Any = None,
    tau_cool: float = 0.5,
    tau_x: float = 3400.0,
    tau_xx: float = 600.0,
    tau_trap: float | Sequence[float] = 20.0,
    trap_fraction: float | Sequence[float] = 0.5,
    n_max: int = 20,
    irf_fwhm: float = 0.15,
    chirp: Sequence[float] = (0.0, -0.3, 0.15),
    chirp_reference_nm: float = 639.0,
    noise: float = 3e-4,
    transitions_nm: Sequence[float] = (639.0, 615.0, 575.0, 526.0),
    transition_fwhm_ev: Sequence[float] = (0.085, 0.09, 0.12, 0.15),
    transition_od: Sequence[float] = (0.05, 0.025, 0.045, 0.08),
    background_od: float = 0.25,
    background_edge_nm: float = 500.0,
    background_width_ev: float = 0.25,
    pl_peak_nm: float = 654.0,
    pl_fwhm_nm: float = 34.5,
    se_strength: float = 1.0,
    shell_bleach: float = 0.1,
    pia_peak_nm: float = 700.0,
    pia_fwhm_ev: float = 0.35,
    pia_od: float = 0.002,
    store_chirp: bool = False,
    seed: int | None = 0,
    attrs: Mapping[str, Any] | None = None,
) -> tuple[xr.Dataset, TATruth]:
    """Simulate a TA measurement of Cd1−xZnxSe/ZnSe quantum dots; returns ``(dataset, truth)``.

    Model: see ``qdwidgets.data.simulate._ta_truth`` (populations) and ``_kinetics`` (rates).

    Units are given with each parameter; defaults resemble Das et al. 2023.

    Parameters
    ----------
    pump
        pump pulse energies (nJ), one per level.
    cross_section
        ⟨N⟩ per nJ; the ``occupancy`` coordinate is ⟨N⟩ = cross_section · pump.
    delay
        delays (ps, lab frame); default :func:`default_delays` (−5 ps … 7 ns).
    wavelength
        probe wavelengths (nm); default :func:`default_wavelengths`.
    tau_cool
        hot-carrier cooling time into the two-fold 1S level, the bleach rise (ps).
    tau_x
        single-exciton (radiative) lifetime (ps), paper τ3 ≈ 3.4 ns.
    tau_xx
        biexciton (Auger) lifetime (ps), paper τ2 ≈ 0.6 ns; must be < tau_x / 2. n-exciton Auger
        rates scale as n²(n−1)/4.
    tau_trap
        trapping time (ps), paper τ1: in trap-carrying dots a surface defect empties the band edge
        at the rate 1/tau_trap whatever the exciton number; one value or one per pump level.
    trap_fraction
        fraction of dots carrying such a trap (0–1); one or one per level.
    n_max
        largest exciton number per dot kept (Poisson tail lumped into it).
    irf_fwhm
        FWHM of the Gaussian instrument response (ps); 0 for none.
    chirp
        t0(λ) = Σ_k chirp[k]·((λ − chirp_reference_nm)/100 nm)^k (ps).
    chirp_reference_nm
        λ_ref of the chirp polynomial (nm).
    noise
        standard deviation of Gaussian noise added to dA (OD); 0 for noiseless data.
    transitions_nm, transition_fwhm_ev, transition_od
        the 1S(e)-1S3/2(h), 1S(e)-2S3/2(h), 1P(e)-1P3/2(h) and ZnSe-shell absorption bands (centre
        nm, FWHM eV, peak OD).
    background_od, background_edge_nm, background_width_ev
        smooth blue absorption background of A0 (plateau OD, half-rise wavelength nm, edge softness
        eV).
    pl_peak_nm, pl_fwhm_nm
        PL band (nm), also the shape of the SE band.
    se_strength
        SE band area per 1S electron relative to the 639 nm bleach (1 = equal).
    shell_bleach
        fraction of the shell band bleached per hot exciton (decays with cooling).
    pia_peak_nm, pia_fwhm_ev, pia_od
        broad photo-induced absorption (centre nm, FWHM eV, peak ΔA per hot exciton in OD; it decays
        with the cooling).
    store_chirp
        also store the true t0(λ) as the variable ``chirp`` (ps over wavelength). Off by default, so
        that the data look like a raw measurement; the truth has it.
    seed
        seed of the noise generator (numpy ``default_rng``).
    attrs
        extra dataset attributes (sample, description, ...).

    Returns
    -------
    dataset : xarray.Dataset
        A validated TA dataset (``dA`` and ``A0`` in OD, ``delay`` in ps, ``wavelength`` in nm).
    truth : TATruth
        What the simulation put in (populations, spectra, time zero per wavelength).

    Examples
    --------
    >>> from qdwidgets.data import simulate
    >>> ds, truth = simulate.ta(pump=(100.0,), seed=1)
    >>> ds.attrs["qd_kind"], dict(ds.sizes)
    ('ta', {'pump': 1, 'delay': 326, 'wavelength': 141})
    """
    pumps = np.asarray(pump, dtype=float).ravel()
    if pumps.size == 0 or not np.all(np.isfinite(pumps)) or np.any(pumps < 0):
        raise _fail(
            "pump",
            "must be finite, non-negative pulse energies (nJ)",
            "pass e.g. pump=(100.0, 300.0)",
        )
    if np.unique(pumps).size != pumps.size:
        raise _fail("pump", "has repeated levels", "give each pump level once")
    n_lvl = pumps.size
    delays = _axis(default_delays() if delay is None else delay, "delay", "ps")
    wls = _axis(default_wavelengths() if wavelength is None else wavelength, "wavelength", "nm")
    if wls[0] <= 0:
        raise _fail("wavelength", "must be positive (nm)", "pass wavelengths in nm")
    for name, val in (("tau_cool", tau_cool), ("tau_x", tau_x), ("tau_xx", tau_xx)):
        if not np.isfinite(val) or val <= 0:
            raise _fail(name, f"must be a positive time in ps (got {val!r})", "pass e.g. 1.0")
    if tau_xx >= tau_x / 2:
        raise _fail(
            "tau_xx",
            f"({tau_xx} ps) must be shorter than tau_x/2 ({tau_x / 2} ps) for "
            "a non-negative Auger rate",
            "lower tau_xx or raise tau_x",
        )
    traps = _per_level(tau_trap, n_lvl, "tau_trap")
    fracs = _per_level(trap_fraction, n_lvl, "trap_fraction")
    if any(t <= 0 for t in traps) or any(not 0 <= f <= 1 for f in fracs):
        raise _fail(
            "tau_trap/trap_fraction",
            "must be > 0 ps and within 0..1",
            "pass e.g. tau_trap=14.0, trap_fraction=0.5",
        )
    if cross_section < 0 or irf_fwhm < 0 or noise < 0 or int(n_max) < 2:
        raise _fail(
            "cross_section/irf_fwhm/noise/n_max", "must be >= 0 (n_max >= 2)", "use the defaults"
        )
    if len(transitions_nm) != 4 or len(transition_fwhm_ev) != 4 or len(transition_od) != 4:
        raise _fail(
            "transitions",
            "need exactly 4 values each (1S, 2S, 1P, shell)",
            "keep the default order 639, 615, 575, 526 nm",
        )
    truth = TATruth(
        pump=tuple(float(p) for p in pumps),
        occupancy=tuple(float(cross_section * p) for p in pumps),
        cross_section=float(cross_section),
        tau_cool=float(tau_cool),
        tau_x=float(tau_x),
        tau_xx=float(tau_xx),
        tau_trap=traps,
        trap_fraction=fracs,
        n_max=int(n_max),
        irf_fwhm=float(irf_fwhm),
        chirp=tuple(float(c) for c in chirp),
        chirp_reference_nm=float(chirp_reference_nm),
        noise=float(noise),
        transitions_nm=tuple(map(float, transitions_nm)),
        transition_fwhm_ev=tuple(map(float, transition_fwhm_ev)),
        transition_od=tuple(map(float, transition_od)),
        background_od=float(background_od),
        background_edge_nm=float(background_edge_nm),
        background_width_ev=float(background_width_ev),
        pl_peak_nm=float(pl_peak_nm),
        pl_fwhm_nm=float(pl_fwhm_nm),
        se_strength=float(se_strength),
        shell_bleach=float(shell_bleach),
        pia_peak_nm=float(pia_peak_nm),
        pia_fwhm_ev=float(pia_fwhm_ev),
        pia_od=float(pia_od),
        seed=None if seed is None else int(seed),
    )
    da = truth.dA(delays, wls)
    if noise > 0:
        da = da + np.random.default_rng(seed).normal(0.0, noise, da.shape)
    ds = _dataset(truth, delays, wls, da, store_chirp, attrs)
    return validate(ds), truth


def _dataset(
    truth: TATruth,
    delays: np.ndarray,
    wls: np.ndarray,
    da: np.ndarray,
    store_chirp: bool,
    attrs: Mapping[str, Any] | None,
) -> xr.Dataset:
    spectra = {
        "A0": (truth.a0(wls), "OD", "steady-state absorbance A0"),
        "PL": (truth.pl(wls), "a.u.", "photoluminescence"),
    }
    if store_chirp:
        spectra["chirp"] = (truth.t0(wls), "ps", "time zero per wavelength (chirp)")
    ds_attrs: dict[str, Any] = {
        "qd_kind": "ta",
        "sample": "simulated Cd1-xZnxSe/ZnSe quantum dots",
        "solvent": "toluene",
        "pump_wavelength_nm": 370.0,
        "description": "simulated by qdwidgets.data.simulate.ta",
        "simulated": 1,
        "seed": -1 if truth.seed is None else truth.seed,
    }
    ds_attrs.update(attrs or {})
    return ta_dataset(
        pump=np.array(truth.pump),
        pump_units="nJ",
        pump_name="pump pulse energy",
        occupancy=np.array(truth.occupancy),
        delays=delays,
        wavelengths=wls,
        da=da,
        spectra=spectra,
        attrs=ds_attrs,
    )


def ta_dataset(
    *,
    pump: np.ndarray,
    pump_units: str,
    pump_name: str,
    occupancy: np.ndarray | None,
    delays: np.ndarray,
    wavelengths: np.ndarray,
    da: np.ndarray,
    spectra: Mapping[str, tuple[np.ndarray, str, str]],
    attrs: Mapping[str, Any],
) -> xr.Dataset:
    """A simulated TA dataset with CF units and long names on every variable (one layout for
    every TA simulator): ``dA`` over (pump, delay, wavelength), ``occupancy`` over pump (unless
    None), and
    ``spectra`` ``{name: (values over wavelength, units, long_name)}`` (A0, PL, chirp, ...)."""
    coords: dict[str, Any] = {
        "pump": ("pump", np.asarray(pump), {"units": pump_units, "long_name": pump_name}),
    }
    if occupancy is not None:
        coords["occupancy"] = (
            "pump",
            np.asarray(occupancy),
            {"units": "1", "long_name": "average excitons per dot ⟨N⟩"},
        )
    coords |= {
        "delay": ("delay", delays, {"units": "ps", "long_name": "pump-probe delay"}),
        "wavelength": ("wavelength", wavelengths, {"units": "nm", "long_name": "probe wavelength"}),
    }
    data: dict[str, Any] = {
        "dA": (
            ("pump", "delay", "wavelength"),
            da,
            {"units": "OD", "long_name": "transient absorption ΔA"},
        ),
    }
    for name, (values, units, long_name) in spectra.items():
        data[name] = ("wavelength", values, {"units": units, "long_name": long_name})
    return xr.Dataset(data, coords=coords, attrs=dict(attrs))
