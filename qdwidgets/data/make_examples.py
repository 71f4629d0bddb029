"""Regenerate the embedded examples: ``python -m qdwidgets.data.make_examples [hippius.ascii]``.

Writes ``ta.nc``, ``ase.nc``, ``hippius.nc`` and ``fluence.nc`` into
``qdwidgets/data/_examples/`` with ``qdwidgets.data.io.save`` (float32 data, zlib).
Deterministic: fixed seeds, fixed parameters.

``ta.nc`` — two pump levels, 100 and 250 nJ, ⟨N⟩ = 1.2 and 3.0 (cross-section 0.012 per nJ).
Mean 1S filling is 2 − e^{−N}(2 + N): 1.04 and 1.75. At ⟨N⟩ = 1 it would be 0.90, below the
transparency value 1 of the two-fold 1S level, so no crossing could come from filling alone; we
chose ⟨N⟩ = 1.2 ("≈ 1") and a stimulated-emission band carrying se_strength = 2.71 times the 639 nm
bleach area per 1S electron (Stokes-shifted to the 654 nm PL peak, so at 639 nm it only reaches
~half its peak). The cooling time (0.95 ps) and se_strength set the noiseless A_ex at 639 nm to
reach zero at 2.29 ps (⟨N⟩ = 1.2) and to turn negative at 0.80 ps (⟨N⟩ = 3.0).

Lifetimes were tuned so that the project's own Table-1 fit,
``fit_kinetics(ta, wavelength=639.0, n_components=3, delay_range=(2.0, None), offset=True)``
(three exponentials + offset ⊗ a free Gaussian IRF, free t0), gives the paper's values (14 / 37 ps,
615 / 587 ps, 3.4 / 3.5 ns) within ~7 % (noiseless: 13.7 / 39.6, 584 / 606, 3294 / 3630 ps). That
fit recovers the trapping time almost as it is (τ1 ≈ 0.98 and 0.90 × tau_trap: in trap dots the
biexciton empties at 1/(1/tau_trap + 1/tau_xx), close by), hence tau_trap = 14 / 44 ps in the
38 % of dots that carry a trap, trapping slowing at the higher pump (traps already filled by
earlier excitons: trap saturation). Its τ2 and τ3 are effective values, ~1.3 × tau_xx and
~1.1–1.25 × tau_x (three exponentials and an offset stand in for the cascade's many rates and the
end of the cooling rise); hence tau_xx = 445 ps (Auger biexciton lifetime) and tau_x = 2.95 ns
(radiative single exciton).

Delays (``TA_DELAYS``): sparse before −1 ps, 20 fs steps from −1 ps to 2 ps, then 130
log-spaced delays from 2.03 ps to 7 ns, 2.3 ps (Fig. 2d–e) being one of them: the usual
linear-then-logarithmic TA grid. With 20 fs steps on to 3 ps (50 of the fit window's 170 points
on the end of the cooling rise) the fit's automatic start fell into a local minimum (a sub-ps
component spent on the rise, τ2 and τ3 merged, χ²_red 3–250 where a χ²_red ≈ 1 solution
exists); on this grid it found the Table-1 solution for all 16 noise seeds tried. Noise 1.5e-4 OD
(σ of dA): over those seeds the fitted τ2 and τ3 scatter by 2–6 % (up to 12 % at 3e-4 OD), so the
shipped realisation is typical, not a lucky seed. Chirp t0(λ) is referenced to 639 nm
(t0(639 nm) = 0).

``ase.nc`` — thresholds 150 mW (lamp) and 250 mW (mirror) on a 1 mm top-hat spot (19.1 and
31.8 W cm⁻²), a small knee (5 mW), 0–500 mW every 5 mW, 0.2 % noise (of each condition's
maximum; the lamp's enhancement is ~10× weaker than the emission, as in the paper).

``fluence.nc`` — a fluence series for the multi-exciton cascade (``simulate.cascade``): seven
pump levels 8–330 nJ with σ = 0.012 per nJ, so ⟨N⟩ = 0.096 … 3.96; statistical Auger scaling
with τ_XX = 500 ps (the biexciton's Auger lifetime; its total lifetime with τ_X = 3 ns is
1/(1/500 + 2/3000) = 375 ps), τ_X = 3000 ps, cooling 0.6 ps, IRF 0.15 ps, t0 = 0; the 1S band
at 639 nm (0.05 OD) so that ``gain.band_edge`` finds it there; peak signal-to-noise 150; 31
wavelengths 609–669 nm every 2 nm and the default fluence delays (−5 ps … 9 ns).
``fit_cascade`` on it recovers these within its errors (tests/core/test_fluence_example.py).

``hippius.nc`` — the real measurement of Hippius et al., J. Phys. Chem. C 111, 13988 (2007),
from pyglotaran-examples (MIT licence, © 2021 Joris Snellenburg), read with the Glotaran reader.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from . import simulate
from .io import open_dataset, save

HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE / "_examples"
HIPPIUS_SOURCE = HERE.parents[2] / "shared" / "data" / "hippius2007_ta.ascii"

_LOG_STEP = (7000.0 / 2.3) ** (1 / 127)  # ratio of successive log-spaced delays
TA_DELAYS = np.concatenate(
    [
        [-5.0, -4.0, -3.0, -2.5, -2.0, -1.5],
        np.round(np.arange(-1.0, 2.0 - 1e-9, 0.02), 6),
        np.round(2.3 * _LOG_STEP ** np.arange(-2, 128), 6),
    ]
)  # ps: sparse before time zero, 20 fs steps to 2 ps, log-spaced 2.03 ps – 7 ns through 2.3 ps

TA_PARAMS: dict[str, Any] = {
    "pump": (100.0, 250.0),
    "cross_section": 0.012,
    "delay": TA_DELAYS,
    "wavelength": np.arange(440.0, 720.5, 1.0),
    "tau_cool": 0.95,
    "tau_x": 2950.0,
    "tau_xx": 445.0,
    "tau_trap": (14.0, 44.0),
    "trap_fraction": (0.38, 0.38),
    "se_strength": 2.71,
    "pia_od": 0.01,
    "pia_peak_nm": 710.0,
    "irf_fwhm": 0.15,
    "chirp": (0.0, -0.3, 0.15),
    "chirp_reference_nm": 639.0,
    "noise": 1.5e-4,
    "seed": 20230639,
    "attrs": {
        "sample": "Cd1-xZnxSe/ZnSe alloyed quantum dots (simulated, after Das et al. 2023)",
        "description": (
            "Simulated TA resembling Das et al., Optica Publishing Group (2023), Fig. 2: pump "
            "370 nm, 100 and 250 nJ (<N> = 1.2 and 3.0); at 639 nm A_ex reaches zero at 2.3 ps "
            "(<N> = 1.2) and turns negative at 0.8 ps (<N> = 3.0). Made by "
            "qdwidgets.data.make_examples."
        ),
    },
}

ASE_PARAMS: dict[str, Any] = {
    "power": np.arange(0.0, 500.5, 5.0),
    "thresholds_mW": {"lamp": 150.0, "mirror": 250.0},
    "slopes": {"lamp": 0.15, "mirror": 1.5},
    "knee_mW": 5.0,
    "noise": 0.002,
    "seed": 20230532,
    "attrs": {
        "sample": "Cd1-xZnxSe/ZnSe alloyed quantum dots in toluene (simulated)",
        "description": (
            "Simulated CW-pumped emission resembling Das et al. (2023), Fig. 3: thresholds "
            "150 mW with the 654 nm lamp and 250 mW with the mirror, 1 mm top-hat spot. Made by "
            "qdwidgets.data.make_examples."
        ),
    },
}

FLUENCE_PARAMS: dict[str, Any] = {
    "pump": (8.0, 17.0, 35.0, 70.0, 140.0, 230.0, 330.0),
    "cross_section": 0.012,
    "tau_xx": 500.0,
    "tau_x": 3000.0,
    "tau_cool": 0.6,
    "irf_fwhm": 0.15,
    "t0": 0.0,
    "scaling": "statistical",
    "band_edge_nm": 639.0,
    "band_od": 0.05,
    "wavelength": np.arange(609.0, 669.5, 2.0),
    "snr": 150.0,
    "seed": 20230014,
    "attrs": {
        "sample": "quantum dots, multi-exciton cascade (simulated)",
        "description": (
            "Simulated fluence series: 7 pump levels 8-330 nJ, <N> = 0.096-3.96 "
            "(sigma 0.012 per nJ); statistical Auger scaling, tau_XX 500 ps, tau_X 3 ns, "
            "cooling 0.6 ps; band edge 639 nm; peak S/N 150. Made by "
            "qdwidgets.data.make_examples."
        ),
    },
}

HIPPIUS_ATTRS = {
    "sample": "dye in toluene (Hippius et al. 2007)",
    "solvent": "toluene",
    "description": (
        "Real visible TA measurement of Hippius et al., J. Phys. Chem. C 111, 13988 (2007), "
        "Figs. 5-9; chirped, with a coherent artefact near time zero."
    ),
    "reference": "C. Hippius et al., J. Phys. Chem. C 111, 13988 (2007)",
    "source_repository": "https://github.com/glotaran/pyglotaran-examples",
    "source_file": (
        "study_transient_absorption/data/demo_data_Hippius_etal_JPCC2007_111_13988_Figs5_9.ascii"
    ),
    "license": "MIT",
    "copyright": "Copyright (c) 2021 Joris Snellenburg (pyglotaran-examples)",
}


def _float32(ds: xr.Dataset, names: tuple[str, ...]) -> xr.Dataset:
    out: xr.Dataset = ds.copy()
    for name in names:
        if name in out.data_vars:
            out[name] = out[name].astype(np.float32)
    return out


def build_ta() -> tuple[xr.Dataset, simulate.TATruth]:
    """The TA example dataset (float32) and its truth, from ``simulate.ta(**TA_PARAMS)``.

    Returns
    -------
    (xarray.Dataset, TATruth)
        The dataset (``dA``, ``A0``, ``PL`` in OD as float32) and what the simulator used.
    """
    ds, truth = simulate.ta(**TA_PARAMS)
    return _float32(ds, ("dA", "A0", "PL")), truth


def build_ase() -> tuple[xr.Dataset, simulate.ASETruth]:
    """The ASE example dataset (float32) and its truth, from ``simulate.ase(**ASE_PARAMS)``.

    Returns
    -------
    (xarray.Dataset, ASETruth)
        The dataset (``emission`` in a.u. as float32) and what the simulator used.
    """
    ds, truth = simulate.ase(**ASE_PARAMS)
    return _float32(ds, ("emission",)), truth


def build_fluence() -> tuple[xr.Dataset, simulate.CascadeTruth]:
    """The fluence example (float32) and its truth, from ``simulate.cascade(**FLUENCE_PARAMS)``.

    Returns
    -------
    (xarray.Dataset, CascadeTruth)
        The dataset (``dA``, ``A0`` in OD as float32) and what the simulator used.
    """
    ds, truth = simulate.cascade(**FLUENCE_PARAMS)
    return _float32(ds, ("dA", "A0")), truth


def build_hippius(source: Path | str = HIPPIUS_SOURCE) -> xr.Dataset:
    """The Hippius et al. measurement read from the Glotaran file, float32, with attribution.

    Parameters
    ----------
    source : str or pathlib.Path, default HIPPIUS_SOURCE
        The Glotaran ASCII file (ΔA in mOD, delays in ps, wavelengths in nm).

    Returns
    -------
    xarray.Dataset
        The validated dataset (``dA`` in OD as float32) with the citation in attrs.
    """
    ds = open_dataset(source, format="glotaran")
    ds = _float32(ds, ("dA",))
    ds.attrs.update(HIPPIUS_ATTRS)
    ds.attrs.pop("title", None)
    return ds


def main(argv: list[str] | None = None) -> int:
    """Write the four example files into ``qdwidgets/data/_examples``.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default ``sys.argv[1:]``): an optional path of the Hippius
        ASCII file.

    Returns
    -------
    int
        The exit status, 0.
    """
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else HIPPIUS_SOURCE
    EXAMPLES_DIR.mkdir(exist_ok=True)
    for name, ds in (
        ("ta.nc", build_ta()[0]),
        ("ase.nc", build_ase()[0]),
        ("hippius.nc", build_hippius(source)),
        ("fluence.nc", build_fluence()[0]),
    ):
        path = save(ds, EXAMPLES_DIR / name)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
