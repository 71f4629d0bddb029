"""``simulate.cascade``: a fluence series of the multi-exciton cascade at the band edge.

Truth (what :class:`CascadeTruth` records), per pump level p:

* ⟨N⟩_p = cross_section · pump_p excitons per dot, Poisson distributed, all hot at t0;
* a hot dot with n excitons cools into the band edge at the rate 1/tau_cool (n kept), then
  relaxes n → n − 1 at the rate n/tau_x + k_A(n), with k_A(1) = 0, k_A(2) = 1/tau_xx and
  ``scaling="statistical"``: k_A(n) = n²(n − 1)/4 · 1/tau_xx, ``"pairs"``: n(n − 1)/2 · 1/tau_xx
  (so tau_xx is the biexciton's *Auger* lifetime; its total lifetime is 1/(2/tau_x + 1/tau_xx));
* the 1S electron level is two-fold degenerate: its mean filling is f(t) = Σ_n P_n(t)·min(n, 2)/2
  (0…1), counting band-edge (cooled) dots only;
* ΔA(λ) = −2·A_1S(λ)·f(t) ⊗ IRF: each 1S electron bleaches the 1S absorption A_1S by half and
  adds as much stimulated emission, so A_ex = ΔA + A0 at the band edge crosses zero near
  f = ½ (mean 1S filling 1, ⟨N⟩ ≈ 1.15 before any decay);
* A0 = the 1S band (Gaussian in energy, ``band_od`` at ``band_edge_nm``) + a second band
  40 nm to the blue + a smooth blue background;
* Gaussian instrument response (``irf_fwhm``) and Gaussian noise of standard deviation
  ``noise`` OD, or max|ΔA|/``snr`` (peak signal-to-noise).

This code path is deliberately independent of :func:`qdwidgets.core.fluence.fit_cascade`'s
closed form: the rate equations (hot and cooled populations, n ≤ ``n_max``, the Poisson tail
above it lumped into ``n_max``) are propagated with exact matrix exponentials of the rate
matrix (``scipy.linalg.expm``) for all pump levels at once, and the instrument response is
applied numerically (a 1201-point trapezoid sum over ±8 IRF standard deviations).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import xarray as xr
from scipy import linalg, stats

from ...errors import DatasetError
from ...results import Result
from ..contract import validate
from . import _spectra as S
from ._ta import ta_dataset

SCALINGS = ("statistical", "pairs")
_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


def _fail(name: str, problem: str, fix: str) -> DatasetError:
    return DatasetError(f"simulate.cascade: {name} {problem}. Fix: {fix}")


def auger_rates(n: np.ndarray, tau_xx: float, scaling: str) -> np.ndarray:
    """k_A(n) (1/ps): statistical n²(n − 1)/4 or pairs n(n − 1)/2, times 1/tau_xx."""
    n = np.asarray(n, dtype=float)
    f = n**2 * (n - 1) / 4.0 if scaling == "statistical" else n * (n - 1) / 2.0
    return np.asarray(f / tau_xx)


@dataclass(frozen=True, repr=False, eq=False)
class CascadeTruth(Result):
    """Everything :func:`cascade` used (times ps, wavelengths nm, signals OD); see the module.

    Attributes
    ----------
    pump : tuple of float
        Pump level per index (``pump_units``).
    pump_units : str
        Unit of ``pump`` (e.g. nJ).
    cross_section : float
        ⟨N⟩ per pump unit.
    occupancy : tuple of float
        ⟨N⟩ per level.
    tau_xx : float
        Biexciton Auger lifetime, 1/k_A(2) (ps).
    tau_x : float
        Single-exciton lifetime (ps).
    tau_cool : float
        Cooling into the band edge (ps).
    irf_fwhm : float
        Gaussian instrument response FWHM (ps).
    t0 : float
        Time zero (ps).
    scaling : str
        "statistical" or "pairs".
    n_max : int
        Largest exciton number kept.
    band_edge_nm : float
        Centre of the 1S band (nm).
    band_od : float
        Peak absorbance of the 1S band (OD).
    noise : float
        Standard deviation of the noise on dA (OD).
    seed : int or None
        Seed of the noise (None: a fresh one).
    """

    pump: tuple[float, ...]
    pump_units: str
    cross_section: float
    occupancy: tuple[float, ...]
    tau_xx: float
    tau_x: float
    tau_cool: float
    irf_fwhm: float
    t0: float
    scaling: str
    n_max: int
    band_edge_nm: float
    band_od: float
    noise: float
    seed: int | None = None

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "pump",
        "occupancy",
        "cross_section",
        "tau_xx",
        "tau_x",
        "tau_cool",
        "irf_fwhm",
        "scaling",
        "noise",
    )

    def rates(self) -> np.ndarray:
        """Total decay rates n/tau_x + k_A(n) (1/ps) for n = 1..n_max."""
        n = np.arange(1, self.n_max + 1, dtype=float)
        return np.asarray(n / self.tau_x + auger_rates(n, self.tau_xx, self.scaling))

    def initial(self) -> np.ndarray:
        """P_n(0) for n = 1..n_max per level (levels × n_max), the tail lumped into n_max."""
        n = np.arange(1, self.n_max + 1)
        out = np.array([stats.poisson.pmf(n, lam) for lam in self.occupancy])
        out[:, -1] += np.array([stats.poisson.sf(self.n_max, lam) for lam in self.occupancy])
        return out

    def filling(self, delay: Any) -> np.ndarray:
        """Noiseless mean 1S filling f ⊗ IRF (0…1) at ``delay`` (ps), levels × delays.

        The populations are propagated with exact matrix exponentials of the rate matrix; the
        IRF is applied as a trapezoid sum over ±8σ on a grid of σ/75 (for delays within 8σ of
        t0 the grid starts at t0, where the populations start).
        """
        u = np.asarray(delay, dtype=float).ravel() - self.t0
        a, y0 = self._generator()
        out = np.zeros((len(self.pump), u.size))
        if self.irf_fwhm <= 0:
            pos = np.flatnonzero(u > 0)
            states = self._states_at(a, y0, u[pos])
            out[:, pos] = self._fill(states).T
            return out
        sig = self.irf_fwhm / _FWHM_PER_SIGMA
        half, n_s = 8.0 * sig, 1200
        h = 2.0 * half / n_s
        step = linalg.expm(a * h)
        far = np.flatnonzero(u - half > 0)
        near = np.flatnonzero((u - half <= 0) & (u + half > 0))
        if far.size:  # a local grid a_i … a_i + 16σ behind every delay, propagated together
            k = np.arange(n_s + 1)
            w = np.exp(-0.5 * ((half - h * k) / sig) ** 2) * h / (np.sqrt(2 * np.pi) * sig)
            w[[0, -1]] *= 0.5
            st = self._states_at(a, y0, u[far] - half)  # (n_far, 2m, L)
            acc = np.zeros((far.size, len(self.pump)))
            for wk in w:
                acc += wk * self._fill(st)
                st = step @ st
            out[:, far] = acc.T
        if near.size:  # one grid from t0 (the populations start there)
            n_g = int(np.ceil((u[near].max() + half) / h)) + 1
            grid = h * np.arange(n_g)
            f = np.empty((n_g, len(self.pump)))
            st = y0.copy()
            for j in range(n_g):
                f[j] = self._fill(st[None])[0]
                st = step @ st
            g = np.exp(-0.5 * ((u[near, None] - grid[None, :]) / sig) ** 2)
            g *= h / (np.sqrt(2 * np.pi) * sig)
            g[:, 0] *= 0.5
            out[:, near] = (g @ f).T
        return out

    def _generator(self) -> tuple[np.ndarray, np.ndarray]:
        """The rate matrix of one dot ensemble (hot_1..m, cold_1..m) and P(0) per level."""
        m = self.n_max
        k = self.rates()
        kc = 1.0 / self.tau_cool
        a = np.zeros((2 * m, 2 * m))
        idx = np.arange(m)
        a[idx, idx] = -kc
        a[m + idx, idx] = kc
        a[m + idx, m + idx] = -k
        a[m + idx[:-1], m + idx[1:]] = k[1:]
        y0 = np.concatenate([self.initial().T, np.zeros((m, len(self.pump)))])
        return a, y0

    @staticmethod
    def _states_at(a: np.ndarray, y0: np.ndarray, times: np.ndarray) -> np.ndarray:
        """States (n, 2m, levels) at ``times`` ≥ 0 (any order), stepping in increasing time."""
        order = np.argsort(times)
        out = np.empty((times.size, *y0.shape))
        st, prev = y0, 0.0
        for i in order:
            st = linalg.expm(a * (float(times[i]) - prev)) @ st
            prev = float(times[i])
            out[i] = st
        return out

    def _fill(self, states: np.ndarray) -> np.ndarray:
        """Σ_n min(n, 2)/2 · cold_n of states (…, 2m, levels) → (…, levels)."""
        m = self.n_max
        w = np.minimum(np.arange(1, m + 1), 2) / 2.0
        return np.asarray(np.einsum("n,...nl->...l", w, states[..., m:, :]))

    def a0(self, wavelength: Any) -> np.ndarray:
        """Steady-state absorbance (OD): the 1S band, a second band and a blue background."""
        wl = np.asarray(wavelength, dtype=float)
        second = 0.8 * self.band_od * S.gauss_ev(wl, self.band_edge_nm - 40.0, 0.12)
        back = 2.0 * self.band_od * S.sigmoid_ev(wl, self.band_edge_nm - 90.0, 0.25)
        return np.asarray(self.a1s(wl) + second + back)

    def a1s(self, wavelength: Any) -> np.ndarray:
        """The 1S band of A0 (OD)."""
        return self.band_od * S.gauss_ev(
            np.asarray(wavelength, dtype=float), self.band_edge_nm, 0.09
        )

    def dA(self, delay: Any, wavelength: Any) -> np.ndarray:
        """Noiseless ΔA (OD), levels × delays × wavelengths."""
        f = self.filling(delay)
        return np.asarray(-2.0 * f[:, :, None] * self.a1s(wavelength)[None, None, :])


def default_fluence_delays(t_max: float = 5000.0) -> np.ndarray:
    """The fluence simulator's delays: 6 before time zero, 40 fs steps to 3 ps, then 120
    log-spaced to ``t_max``.

    Parameters
    ----------
    t_max : float, default 5000.0
        The last delay (ps).

    Returns
    -------
    numpy.ndarray
        226 delays (ps), ascending, from −5 ps.

    Examples
    --------
    >>> from qdwidgets.data.simulate import default_fluence_delays
    >>> t = default_fluence_delays(1000.0)
    >>> t.size, float(t[0]), float(t[-1])
    (226, -5.0, 1000.0)
    """
    return np.concatenate(
        [
            [-5.0, -4.0, -3.0, -2.0, -1.5, -1.2],
            np.round(np.arange(-1.0, 3.0 - 1e-9, 0.04), 6),
            np.geomspace(3.0, float(t_max), 120),
        ]
    )


def cascade(
    pump: Sequence[float] = (10.0, 20.0, 40.0, 70.0, 110.0, 160.0, 230.0, 300.0),
    *,
    cross_section: float = 0.0125,
    tau_xx: float = 300.0,
    tau_x: float = 3000.0,
    tau_cool: float = 0.6,
    irf_fwhm: float = 0.15,
    t0: float = 0.0,
    scaling: str = "statistical",
    delay: Any = None,
    wavelength: Any = None,
    band_edge_nm: float = 639.0,
    band_od: float = 0.05,
    noise: float | None = None,
    snr: float | None = 150.0,
    n_max: int | None = None,
    pump_units: str = "nJ",
    seed: int | None = 0,
    attrs: Mapping[str, Any] | None = None,
) -> tuple[xr.Dataset, CascadeTruth]:
    """Simulate TA of a fluence series governed by the multi-exciton cascade.

    Parameters
    ----------
    pump : sequence of float
        Pump levels (``pump_units``), increasing.
    cross_section : float
        σ: ⟨N⟩ per pump unit (the ``occupancy`` coordinate is σ·pump).
    tau_xx, tau_x, tau_cool, irf_fwhm, t0 : float
        Biexciton Auger lifetime, single-exciton lifetime, cooling time, IRF FWHM (0: none)
        and time zero (ps).
    scaling : {"statistical", "pairs"}
        Auger rates of higher multi-excitons (see the module docstring).
    delay, wavelength : array-like, optional
        Grids (ps, nm); default :func:`default_fluence_delays` (to 5 ns, or 3·tau_x when longer)
        and band_edge_nm − 60 … + 40 nm every 2 nm.
    band_edge_nm, band_od : float
        Centre (nm) and peak absorbance (OD) of the 1S band.
    noise, snr : float, optional
        Noise standard deviation (OD); when ``noise`` is None it is max|ΔA|/``snr``.
    n_max : int, optional
        Largest exciton number kept; default: Poisson tail below 1e-10 at the largest ⟨N⟩.
    pump_units : str
        Units of the pump coordinate.
    seed : int, optional
        Seed of the noise (numpy ``default_rng``).
    attrs : mapping, optional
        Extra dataset attributes.

    Returns
    -------
    (xarray.Dataset, CascadeTruth)
        A validated TA dataset (dA, A0; ``occupancy`` along ``pump``) and its truth.
    """
    pumps = np.asarray(pump, dtype=float).ravel()
    if pumps.size < 1 or not np.all(np.isfinite(pumps)) or np.any(pumps <= 0):
        raise _fail("pump", "must be finite positive levels", "pass e.g. pump=(10, 30, 100)")
    if np.any(np.diff(pumps) <= 0):
        raise _fail("pump", "must be strictly increasing", "sort the levels")
    for name, val in (
        ("cross_section", cross_section),
        ("tau_xx", tau_xx),
        ("tau_x", tau_x),
        ("tau_cool", tau_cool),
        ("band_od", band_od),
    ):
        if not np.isfinite(val) or val <= 0:
            raise _fail(name, f"must be positive (got {val!r})", "pass a positive number")
    if scaling not in SCALINGS:
        raise _fail("scaling", f"must be one of {SCALINGS} (got {scaling!r})", "choose one")
    if not np.isfinite(irf_fwhm) or irf_fwhm < 0:
        raise _fail("irf_fwhm", f"must be >= 0 ps (got {irf_fwhm!r})", "pass e.g. 0.15")
    occ = cross_section * pumps
    if n_max is None:
        n_max = max(4, int(stats.poisson.isf(1e-10, float(occ.max()))) + 1)
    if int(n_max) < 2:
        raise _fail("n_max", "must be at least 2", "leave it at its default")
    t_max = max(5000.0, 3.0 * tau_x)
    delays = default_fluence_delays(t_max) if delay is None else np.asarray(delay, dtype=float)
    wls = (
        np.arange(band_edge_nm - 60.0, band_edge_nm + 40.5, 2.0)
        if wavelength is None
        else np.asarray(wavelength, dtype=float)
    )
    truth = CascadeTruth(
        pump=tuple(map(float, pumps)),
        pump_units=str(pump_units),
        cross_section=float(cross_section),
        occupancy=tuple(map(float, occ)),
        tau_xx=float(tau_xx),
        tau_x=float(tau_x),
        tau_cool=float(tau_cool),
        irf_fwhm=float(irf_fwhm),
        t0=float(t0),
        scaling=scaling,
        n_max=int(n_max),
        band_edge_nm=float(band_edge_nm),
        band_od=float(band_od),
        noise=0.0,
        seed=None if seed is None else int(seed),
    )
    da = truth.dA(delays, wls)
    sd = float(noise) if noise is not None else float(np.max(np.abs(da))) / float(snr or np.inf)
    if not np.isfinite(sd) or sd < 0:
        raise _fail("noise/snr", "must give a noise >= 0", "pass noise= in OD or snr= > 0")
    truth = CascadeTruth(**{**truth.__dict__, "noise": sd})
    if sd > 0:
        da = da + np.random.default_rng(seed).normal(0.0, sd, da.shape)
    ds_attrs: dict[str, Any] = {
        "qd_kind": "ta",
        "sample": "simulated quantum dots (multi-exciton cascade)",
        "description": "simulated by qdwidgets.data.simulate.cascade",
        "simulated": 1,
        "seed": -1 if seed is None else int(seed),
    }
    ds_attrs.update(attrs or {})
    ds = ta_dataset(
        pump=pumps,
        pump_units=pump_units,
        pump_name="pump level",
        occupancy=occ,
        delays=delays,
        wavelengths=wls,
        da=da,
        spectra={"A0": (truth.a0(wls), "OD", "absorbance A0")},
        attrs=ds_attrs,
    )
    return validate(ds), truth
