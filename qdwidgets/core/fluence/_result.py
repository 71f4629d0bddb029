"""``CascadeFit``: the cascade fitted across a fluence series."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import xarray as xr

from ...results import Result
from . import _model

if TYPE_CHECKING:
    from ._data import Series


@dataclass(frozen=True, repr=False, eq=False)
class CascadeFit(Result):
    """The multi-exciton cascade fitted to every pump level at the band edge.

    ``cross_section`` σ (1/pump unit) and ``occupancy`` ⟨N⟩ = σ·pump (DataArray over ``pump``,
    errors in ``occupancy_stderr``); ``tau_xx`` (biexciton Auger lifetime, 1/k_A(2)), ``tau_x``
    (single exciton), ``tau_cool`` (cooling into the band edge), ``irf_fwhm`` and ``t0`` (ps),
    each with ``*_stderr`` (``inf`` when the data cannot determine it; NaN when fixed);
    ``amplitude`` (OD of a full 1S filling) and its error; ``scaling`` of the Auger rates;
    ``best_fit``/``residual`` (OD) over (pump, delay) at ``wavelength`` (nm, averaged over
    ``band_nm``); ``n_max`` excitons per dot modelled; ``redchi`` (OD²); ``noise`` (OD, from
    the data before time zero). Status: ``converged``, ``message``, ``nfev``, ``warnings``;
    ``ci`` 95 % intervals from the covariance (``ci_method``).
    """

    cross_section: float
    cross_section_stderr: float
    occupancy: xr.DataArray
    occupancy_stderr: xr.DataArray
    tau_xx: float
    tau_xx_stderr: float
    tau_x: float
    tau_x_stderr: float
    tau_cool: float
    tau_cool_stderr: float
    irf_fwhm: float
    irf_fwhm_stderr: float
    t0: float
    t0_stderr: float
    amplitude: float
    amplitude_stderr: float
    scaling: str
    best_fit: xr.DataArray
    residual: xr.DataArray
    wavelength: float
    band_nm: float = 0.0
    pump_units: str = ""
    n_max: int = 0
    redchi: float = math.nan
    noise: float = math.nan
    occupancy_fixed: bool = False
    converged: bool = True
    message: str = ""
    nfev: int = 0
    warnings: tuple[str, ...] = ()
    ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    ci_method: str = "covariance"

    _summary_fields: ClassVar[tuple[str, ...]] = (
        "cross_section",
        "cross_section_stderr",
        "max_occupancy",
        "tau_xx",
        "tau_xx_stderr",
        "tau_x",
        "tau_x_stderr",
        "tau_cool",
        "scaling",
        "redchi",
        "converged",
        "warnings",
    )

    @classmethod
    def build(cls, *, s: Series, params: dict[str, float], errors: dict[str, float],
              amplitude: tuple[float, float], best: np.ndarray, scaling: str, n_max: int,
              redchi: float, status: tuple[bool, str, int], warnings: tuple[str, ...],
              ci: dict[str, tuple[float, float]], occupancy_fixed: bool) -> CascadeFit:  # fmt: skip
        """Assemble the result from the fit's arrays (used by :func:`fit_cascade`)."""
        pump = xr.DataArray(
            s.pump, dims="pump", attrs={"units": s.pump_units, "long_name": "pump level"}
        )
        occ = xr.DataArray(
            params["cross_section"] * s.pump,
            dims="pump",
            coords={"pump": pump},
            name="occupancy",
            attrs={"units": "1", "long_name": "average excitons per dot ⟨N⟩ = σ·pump"},
        )
        occ_err = xr.DataArray(
            errors["cross_section"] * s.pump,
            dims="pump",
            coords={"pump": pump},
            name="occupancy_stderr",
            attrs={"units": "1", "long_name": "standard error of ⟨N⟩"},
        )
        coords = {"pump": pump, "delay": s.trace["delay"].copy()}

        def over(values: np.ndarray, name: str, long_name: str) -> xr.DataArray:
            return xr.DataArray(
                values,
                dims=("pump", "delay"),
                coords=coords,
                name=name,
                attrs={"units": "OD", "long_name": long_name},
            )

        p, e = params, errors
        return cls(
            cross_section=p["cross_section"],
            cross_section_stderr=e["cross_section"],
            occupancy=occ,
            occupancy_stderr=occ_err,
            tau_xx=p["tau_xx"],
            tau_xx_stderr=e["tau_xx"],
            tau_x=p["tau_x"],
            tau_x_stderr=e["tau_x"],
            tau_cool=p["tau_cool"],
            tau_cool_stderr=e["tau_cool"],
            irf_fwhm=p["irf_fwhm"],
            irf_fwhm_stderr=e["irf_fwhm"],
            t0=p["t0"],
            t0_stderr=e["t0"],
            amplitude=float(amplitude[0]),
            amplitude_stderr=float(amplitude[1]),
            scaling=scaling,
            best_fit=over(best, "best_fit", "cascade model of ΔA at the band edge"),
            residual=over(s.y - best, "residual", "data − cascade model"),
            wavelength=s.wavelength,
            band_nm=s.band_nm,
            pump_units=s.pump_units,
            n_max=int(n_max),
            redchi=float(redchi),
            noise=float(np.median(s.noise)),
            occupancy_fixed=bool(occupancy_fixed),
            converged=status[0],
            message=status[1],
            nfev=status[2],
            warnings=warnings,
            ci=ci,
        )

    @property
    def max_occupancy(self) -> float:
        """⟨N⟩ of the highest pump level."""
        return float(self.occupancy.max())

    @property
    def pump(self) -> np.ndarray:
        """The pump levels (``pump_units``)."""
        return np.asarray(self.occupancy["pump"].values, dtype=float)

    @property
    def data(self) -> xr.DataArray:
        """The fitted traces (OD): best_fit + residual."""
        out: xr.DataArray = self.best_fit + self.residual
        out.name = "dA"
        out.attrs = {"units": "OD", "long_name": "ΔA at the band edge"}
        return out

    def model(self, delay: Any, occupancy: Any = None) -> np.ndarray:
        """The fitted model (OD) at ``delay`` (ps) per level (or at the given ⟨N⟩ values)."""
        occ = self.occupancy.values if occupancy is None else np.atleast_1d(occupancy)
        f = _model.signal(
            np.asarray(delay, dtype=float), np.asarray(occ, dtype=float), self.tau_xx,
            self.tau_x, self.tau_cool, self.irf_fwhm, self.t0, self.scaling,
        )  # fmt: skip
        return np.asarray(self.amplitude * f)

    def poisson(self, n_max: int | None = None) -> xr.DataArray:
        """P(n) at time zero per level, n = 0..n_max (default the model's n_max)."""
        m = self.n_max if n_max is None else int(n_max)
        p = _model.poisson_start(self.occupancy.values, m)
        full = np.concatenate([1.0 - p.sum(axis=1, keepdims=True), p], axis=1)
        return xr.DataArray(
            full,
            dims=("pump", "n"),
            coords={"pump": self.occupancy["pump"], "n": np.arange(m + 1)},
            name="P",
            attrs={"units": "1", "long_name": "fraction of dots holding n excitons"},
        )

    def late_window(self) -> tuple[float, float]:
        """Delays (ps) after the multi-exciton decay: from t0 + 5 biexciton lifetimes (total,
        1/(1/τ_XX + 2/τ_X)) to the last delay; the last tenth of the delays when that is empty."""
        t = self.best_fit["delay"].values
        start = self.t0 + 5.0 / (1.0 / self.tau_xx + 2.0 / self.tau_x)
        if not np.any(t >= start):
            start = float(t[-max(1, t.size // 10)])
        return float(start), float(t[-1])

    def late_bleach(self, pump: Any = None) -> np.ndarray:
        """Mean bleach (OD) over :meth:`late_window`: the data per level, or the model at
        ``pump`` levels (any values, through ⟨N⟩ = σ·pump)."""
        t = self.best_fit["delay"].values
        lo, hi = self.late_window()
        sel = (t >= lo) & (t <= hi)
        if pump is None:
            return np.asarray(self.data.values[:, sel].mean(axis=1))
        occ = self.cross_section * np.atleast_1d(np.asarray(pump, dtype=float))
        return np.asarray(self.model(t[sel], occupancy=occ).mean(axis=1))
