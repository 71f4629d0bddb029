"""Truth of the TA simulator: Poisson excitons, cooling, Auger cascade, band-edge spectra.

Physics (see ``_kinetics`` for the populations):

* Pump level j (pulse energy, nJ) makes ⟨N⟩ = cross_section · j excitons per dot on average,
  Poisson distributed, first hot (in shell / higher states), cooling into the band edge.
* The 1S electron level is two-fold degenerate: a dot with n excitons has n_1S = min(n, 2)
  electrons in 1S and n_1P = min(max(n − 2, 0), 6) in 1P.
* ΔA components (OD, all linear in the mean populations):
  - ``gsb_1s`` = −(⟨n_1S⟩/2)·A_639(λ) and ``gsb_2s`` = −(⟨n_1S⟩/2)·A_615(λ) (both transitions
    share the 1S electron);
  - ``se`` = −(⟨n_1S⟩/2)·se_strength·[A_639 area]·PL(λ) (Stokes-shifted stimulated emission
    with the PL shape, 654 nm); with se_strength = 1 and no Stokes shift,
    A_ex/A0 = 1 − ⟨n_1S⟩ at the band edge, so gain needs a mean 1S filling above 1;
  - ``gsb_1p`` = −(⟨n_1P⟩/6)·A_575(λ) (multi-exciton 1P filling);
  - ``shell`` = −shell_bleach·⟨hot excitons⟩·A_526(λ) (decays with the cooling);
  - ``pia`` = +pia_od·⟨hot excitons⟩·G_pia(λ) (broad photo-induced absorption of the hot
    carriers, e.g. their Stark shift of the band edge; it decays with the cooling).
* Transitions and PL are Gaussians in energy; A0 adds a smooth blue background.
* Gaussian instrument response (FWHM ``irf_fwhm``), chirp t0(λ) = Σ_k c_k ((λ − λ_ref)/100 nm)^k
  ps, Gaussian noise (std ``noise`` OD) on dA only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from scipy.optimize import brentq

from ...results import Result
from . import _kinetics as K
from . import _spectra as S

COMPONENTS = ("gsb_1s", "gsb_2s", "se", "gsb_1p", "shell", "pia")
_COMPONENT_NAMES = {
    "gsb_1s": "ground-state bleach, 1S(e)-1S3/2(h), 639 nm",
    "gsb_2s": "bleach of 1S(e)-2S3/2(h), 615 nm",
    "se": "stimulated emission (PL shape, 654 nm)",
    "gsb_1p": "bleach of 1P(e)-1P3/2(h), 575 nm",
    "shell": "ZnSe shell bleach, 526 nm",
    "pia": "broad photo-induced absorption of hot carriers",
}


@dataclass(frozen=True, repr=False, eq=False)
class TATruth(Result):
    """Everything the TA simulator used; methods recompute the noiseless model from it.

    Times in ps, wavelengths in nm, signals in OD, energies (widths) in eV.

    Attributes
    ----------
    pump, occupancy : tuple of float
        Pump pulse energy (nJ) and ⟨N⟩ (excitons per dot) per level.
    cross_section : float
        ⟨N⟩ per nJ.
    tau_cool : float
        Hot-carrier cooling into the band edge (ps).
    tau_x, tau_xx : float
        Single-exciton (radiative) and biexciton (Auger) lifetimes (ps).
    tau_trap, trap_fraction : tuple of float
        Band-edge emptying time (ps) of the dots with a fast trap, and their fraction, per level.
    n_max : int
        Largest exciton number kept (Poisson tail lumped into it).
    irf_fwhm : float
        Gaussian instrument response FWHM (ps).
    chirp : tuple of float
        Coefficients of the t0(λ) polynomial (ps per (100 nm)^k).
    chirp_reference_nm : float
        λ_ref of the chirp polynomial (nm).
    noise : float
        Std of the Gaussian noise on dA (OD).
    transitions_nm, transition_fwhm_ev, transition_od : tuple of float
        1S, 2S, 1P and shell transitions: centres (nm), FWHM (eV), peak absorbance in A0 (OD).
    background_od, background_edge_nm, background_width_ev : float
        Blue absorption background: plateau (OD), where it reaches half of it (nm), softness
        of its edge (eV).
    pl_peak_nm, pl_fwhm_nm : float
        PL / SE band centre and FWHM (nm).
    se_strength : float
        SE area per 1S electron relative to the 639 nm bleach area.
    shell_bleach : float
        Fraction of the shell transition bleached per hot exciton.
    pia_peak_nm, pia_fwhm_ev, pia_od : float
        Photo-induced absorption: centre (nm), FWHM (eV), peak ΔA per hot exciton (OD).
    seed : int or None
        Noise seed.
    """

    pump: tuple[float, ...]
    occupancy: tuple[float, ...]
    cross_section: float
    tau_cool: float
    tau_x: float
    tau_xx: float
    tau_trap: tuple[float, ...]
    trap_fraction: tuple[float, ...]
    n_max: int
    irf_fwhm: float
    chirp: tuple[float, ...]
    chirp_reference_nm: float
    noise: float
    transitions_nm: tuple[float, ...]
    transition_fwhm_ev: tuple[float, ...]
    transition_od: tuple[float, ...]
    background_od: float
    background_edge_nm: float
    background_width_ev: float
    pl_peak_nm: float
    pl_fwhm_nm: float
    se_strength: float
    shell_bleach: float
    pia_peak_nm: float
    pia_fwhm_ev: float
    pia_od: float
    seed: int | None

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "pump",
        "occupancy",
        "tau_cool",
        "tau_trap",
        "tau_xx",
        "tau_x",
        "trap_fraction",
        "irf_fwhm",
        "chirp",
        "noise",
    )

    # -- paper names ----------------------------------------------------------------------
    @property
    def lifetimes(self) -> dict[str, Any]:
        """τ1 (trapping, per level), τ2 (Auger = biexciton), τ3 (radiative), in ps."""
        return {"trapping": self.tau_trap, "auger": self.tau_xx, "radiative": self.tau_x}

    def fill_1s(self) -> np.ndarray:
        """Mean 1S filling ⟨min(n, 2)⟩ after cooling, before any decay, per level."""
        return np.array([2.0 - np.exp(-n) * (2.0 + n) for n in self.occupancy])

    def t0(self, wavelength: np.ndarray | float) -> np.ndarray:
        """Time zero (ps) at ``wavelength`` (nm) from the chirp polynomial."""
        x = (np.asarray(wavelength, dtype=float) - self.chirp_reference_nm) / 100.0
        return np.asarray(sum(c * x**k for k, c in enumerate(self.chirp)) + 0.0 * x)

    # -- spectra --------------------------------------------------------------------------
    def a0(self, wavelength: np.ndarray) -> np.ndarray:
        """Steady-state absorbance A0 (OD) on ``wavelength`` (nm)."""
        wl = np.asarray(wavelength, dtype=float)
        out = self.background_od * S.sigmoid_ev(
            wl, self.background_edge_nm, self.background_width_ev
        )
        for c, w, a in zip(
            self.transitions_nm, self.transition_fwhm_ev, self.transition_od, strict=True
        ):
            out = out + a * S.gauss_ev(wl, c, w)
        return np.asarray(out)

    def pl(self, wavelength: np.ndarray) -> np.ndarray:
        """PL spectrum, peak 1 at ``pl_peak_nm`` (a.u.)."""
        fwhm = S.fwhm_nm_to_ev(self.pl_peak_nm, self.pl_fwhm_nm)
        return S.gauss_ev(np.asarray(wavelength, dtype=float), self.pl_peak_nm, fwhm)

    def shapes(self, wavelength: np.ndarray) -> dict[str, np.ndarray]:
        """ΔA shape of each component per unit of its population factor (OD)."""
        wl = np.asarray(wavelength, dtype=float)
        c, w, a = self.transitions_nm, self.transition_fwhm_ev, self.transition_od
        band = [a[i] * S.gauss_ev(wl, c[i], w[i]) for i in range(4)]
        pl_fwhm = S.fwhm_nm_to_ev(self.pl_peak_nm, self.pl_fwhm_nm)
        se_peak = self.se_strength * a[0] * w[0] / pl_fwhm  # equal areas when se_strength = 1
        return {
            "gsb_1s": -band[0],
            "gsb_2s": -band[1],
            "se": -se_peak * S.gauss_ev(wl, self.pl_peak_nm, pl_fwhm),
            "gsb_1p": -band[2],
            "shell": -band[3],
            "pia": self.pia_od * S.gauss_ev(wl, self.pia_peak_nm, self.pia_fwhm_ev),
        }

    # -- kinetics -------------------------------------------------------------------------
    def _terms(self, level: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Rates (1/ps) and the amplitudes of the exponentials of each mean population.

        Keys: ``n_1S`` (1S electrons), ``n_1P`` (1P electrons), ``n`` (cooled excitons),
        ``hot`` (excitons not yet cooled); all per dot.
        """
        p0 = K.poisson(self.occupancy[level], self.n_max)
        n = np.arange(self.n_max + 1)
        weights = {
            "n_1S": np.minimum(n, 2).astype(float),
            "n_1P": np.clip(n - 2, 0, 6).astype(float),
            "n": n.astype(float),
        }
        f = self.trap_fraction[level]
        k_free = K.cascade_rates(self.n_max, self.tau_x, self.tau_xx)
        a_free = K.cascade_coefficients(p0, k_free)
        # trap dots: the same populations times exp(−t/tau_trap) (every weight has w_0 = 0)
        a_trap = a_free
        rates = np.concatenate([k_free + 1.0 / self.tau_trap[level], k_free])
        out: dict[str, np.ndarray] = {}
        all_rates = rates
        for name, wgt in weights.items():
            amps = np.concatenate([f * (wgt @ a_trap), (1.0 - f) * (wgt @ a_free)])
            out[name], all_rates = K.cooled_terms(amps, rates, self.tau_cool)
        hot = np.zeros(all_rates.size)
        hot[-1] = self.occupancy[level]
        out["hot"] = hot
        return all_rates, out

    def _factors(self, level: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Rates and, per ΔA component, the amplitudes of its population factor."""
        rates, pop = self._terms(level)
        return rates, {
            "gsb_1s": pop["n_1S"] / 2.0,
            "gsb_2s": pop["n_1S"] / 2.0,
            "se": pop["n_1S"] / 2.0,
            "gsb_1p": pop["n_1P"] / 6.0,
            "shell": self.shell_bleach * pop["hot"],
            "pia": pop["hot"],
        }

    def populations(self, delay: np.ndarray | float) -> xr.Dataset:
        """Noiseless mean populations per dot vs ``delay`` after time zero (ps, no IRF).

        Variables over (pump, delay): ``n_1S`` (1S electrons, 0–2), ``n_1P``, ``n`` (cooled
        excitons) and ``hot`` (excitons still cooling).
        """
        t = np.atleast_1d(np.asarray(delay, dtype=float))
        data: dict[str, list[np.ndarray]] = {"n_1S": [], "n_1P": [], "n": [], "hot": []}
        for lvl in range(len(self.pump)):
            rates, pop = self._terms(lvl)
            e = np.where(t[:, None] >= 0, np.exp(-np.outer(np.maximum(t, 0), rates)), 0.0)
            for k in data:
                data[k].append(e @ pop[k])
        return xr.Dataset(
            {k: (("pump", "delay"), np.array(v), {"units": "1"}) for k, v in data.items()},
            coords={
                "pump": ("pump", list(self.pump), {"units": "nJ"}),
                "delay": ("delay", t, {"units": "ps"}),
            },
        )

    def kinetics(self, wavelength: float) -> list[tuple[np.ndarray, np.ndarray]]:
        """Exact exponential description of the noiseless dA at ``wavelength`` (no IRF).

        Per level: (tau in ps, amplitude in OD), sorted by tau; dA(t > 0) = Σ a·exp(−t/τ).
        The cooling rise appears as a term with tau = tau_cool.
        """
        shapes = {k: float(v[0]) for k, v in self.shapes(np.array([wavelength])).items()}
        out = []
        for lvl in range(len(self.pump)):
            rates, fac = self._factors(lvl)
            amps = sum(shapes[c] * fac[c] for c in COMPONENTS)
            keep = rates > 0
            r, a = rates[keep], np.asarray(amps)[keep]
            # merge equal rates (and the ppm-nudged near-coincident ones, see _kinetics)
            order = np.argsort(r)
            r, a = r[order], a[order]
            group = np.concatenate([[0], np.cumsum(np.diff(r) > 1e-5 * r[1:])])
            summed = np.bincount(group, weights=a)
            taus = 1.0 / np.bincount(group, weights=r) * np.bincount(group)
            big = np.abs(summed) > 1e-9 * max(np.abs(summed).max(), 1e-300)
            order = np.argsort(taus[big])
            out.append((taus[big][order], summed[big][order]))
        return out

    # -- noiseless data -------------------------------------------------------------------
    def dA(
        self,
        delay: np.ndarray,
        wavelength: np.ndarray,
        *,
        chirp_corrected: bool = False,
        components: Sequence[str] = COMPONENTS,
    ) -> np.ndarray:
        """Noiseless ΔA (OD), shape (pump, delay, wavelength), with the IRF.

        ``chirp_corrected``: delays are measured from t0(λ) instead of the lab time zero.
        """
        t = np.asarray(delay, dtype=float)
        wl = np.asarray(wavelength, dtype=float)
        t0 = np.zeros_like(wl) if chirp_corrected else self.t0(wl)
        tau = t[:, None] - t0[None, :]
        sigma = self.irf_fwhm * K.FWHM_TO_SIGMA
        shapes = self.shapes(wl)
        out = np.empty((len(self.pump), t.size, wl.size))
        for lvl in range(len(self.pump)):
            rates, fac = self._factors(lvl)
            coef = sum(np.outer(fac[c], shapes[c]) for c in components)
            out[lvl] = K.sum_exp_irf(tau, np.asarray(coef)[:, None, :], rates, sigma)
        return out

    def a_ex(
        self, delay: np.ndarray, wavelength: np.ndarray, *, chirp_corrected: bool = False
    ) -> np.ndarray:
        """Noiseless A_ex = ΔA + A0 (OD), shape (pump, delay, wavelength)."""
        wl = np.asarray(wavelength, dtype=float)
        a_ex: np.ndarray = self.dA(delay, wl, chirp_corrected=chirp_corrected) + self.a0(wl)
        return a_ex

    def components(self, delay: float, wavelength: np.ndarray | None = None) -> xr.Dataset:
        """The separate noiseless ΔA components at ``delay`` after t0 (ps), with the IRF.

        Variables ``gsb_1s``, ``gsb_2s``, ``se``, ``gsb_1p``, ``shell``, ``pia`` and their sum
        ``dA`` (OD) over (pump, wavelength); default wavelengths 440–720 nm every 1 nm.
        """
        wl = np.arange(440.0, 720.5, 1.0) if wavelength is None else np.asarray(wavelength)
        t = np.array([float(delay)])
        data = {
            c: (
                ("pump", "wavelength"),
                self.dA(t, wl, chirp_corrected=True, components=[c])[:, 0],
                {"units": "OD", "long_name": _COMPONENT_NAMES[c]},
            )
            for c in COMPONENTS
        }
        ds = xr.Dataset(
            data,
            coords={
                "pump": ("pump", list(self.pump), {"units": "nJ"}),
                "wavelength": ("wavelength", wl, {"units": "nm"}),
            },
        )
        ds["dA"] = sum(ds[c] for c in COMPONENTS)
        ds["dA"].attrs.update(units="OD", long_name="transient absorption ΔA")
        ds.attrs["delay_ps"] = float(delay)
        return ds

    def bands(self, delay: float) -> xr.Dataset:
        """Parameters of each ΔA band at ``delay`` after t0 (ps), per pump level, with the IRF.

        Over (pump, band), band in ``COMPONENTS``: ``center_nm``, ``center_ev``, ``fwhm_ev``,
        ``peak`` (signed ΔA at the centre, OD) and ``area`` (signed ∫ΔA dE, OD·eV). Every band is
        one Gaussian in energy, so these describe the ``components`` spectra exactly.
        """
        c, w = self.transitions_nm, self.transition_fwhm_ev
        pl_fwhm = S.fwhm_nm_to_ev(self.pl_peak_nm, self.pl_fwhm_nm)
        centers = np.array([c[0], c[1], self.pl_peak_nm, c[2], c[3], self.pia_peak_nm])
        widths = np.array([w[0], w[1], pl_fwhm, w[2], w[3], self.pia_fwhm_ev])
        peak = np.stack(
            [
                self.dA(
                    np.array([float(delay)]),
                    centers[i : i + 1],
                    chirp_corrected=True,
                    components=[name],
                )[:, 0, 0]
                for i, name in enumerate(COMPONENTS)
            ],
            axis=1,
        )
        area = peak * widths[None, :] * np.sqrt(np.pi / (4.0 * np.log(2.0)))
        dims = ("pump", "band")
        return xr.Dataset(
            {
                "center_nm": ("band", centers, {"units": "nm"}),
                "center_ev": ("band", S.energy(centers), {"units": "eV"}),
                "fwhm_ev": ("band", widths, {"units": "eV"}),
                "peak": (dims, peak, {"units": "OD", "long_name": "ΔA at the band centre"}),
                "area": (dims, area, {"units": "OD eV", "long_name": "band area ∫ΔA dE"}),
            },
            coords={
                "pump": ("pump", list(self.pump), {"units": "nJ"}),
                "band": ("band", list(COMPONENTS)),
            },
            attrs={"delay_ps": float(delay)},
        )

    def zero_crossing(self, wavelength: float, *, chirp_corrected: bool = False) -> np.ndarray:
        """First delay (ps) after time zero where the noiseless A_ex at ``wavelength`` goes from
        > 0 to ≤ 0, one per pump level; NaN where it never does.

        Found on a fine grid (1 fs to 20 ps, then logarithmic) and refined by root finding.
        ``chirp_corrected=False`` gives lab delays (including t0(λ)).
        """
        wl = np.array([float(wavelength)])
        t_end = 1e4 + 10 * max(self.tau_x, 1.0)
        grid = np.concatenate([np.arange(0.0, 20.0, 1e-3), np.geomspace(20.0, t_end, 4000)])
        a = self.a_ex(grid, wl, chirp_corrected=True)[:, :, 0]
        out = np.full(len(self.pump), np.nan)
        for lvl in range(len(self.pump)):
            hits = np.flatnonzero((a[lvl, :-1] > 0) & (a[lvl, 1:] <= 0))
            if hits.size == 0:
                continue
            i = int(hits[0])
            if a[lvl, i + 1] == 0:
                root = float(grid[i + 1])
            else:

                def f(x: float, lvl: int = lvl) -> float:
                    return float(self.a_ex(np.array([x]), wl, chirp_corrected=True)[lvl, 0, 0])

                root = float(brentq(f, grid[i], grid[i + 1], xtol=1e-9))
            out[lvl] = root
        return out if chirp_corrected else out + float(self.t0(wl)[0])
