"""Regenerate the embedded examples: ``python -m qdwidgets.data.make_examples [hippius.ascii]``.

Writes ``ta.nc``, ``ase.nc`` and ``hippius.nc`` into ``qdwidgets/data/_examples/`` with
``qdwidgets.data.io.save`` (float32 data, zlib). Deterministic: fixed seeds, fixed parameters.

``ta.nc`` — two pump levels, 100 and 250 nJ, ⟨N⟩ = 1.2 and 3.0 (cross-section 0.012 per nJ).
Mean 1S filling is 2 − e^{−N}(2 + N): 1.04 and 1.75. At ⟨N⟩ = 1 it would be 0.90, below the
transparency value 1 of the two-fold 1S level, so no crossing could come from filling alone; we
chose ⟨N⟩ = 1.2 ("≈ 1") and a stimulated-emission band carrying se_strength = 2.82 times the 639 nm
bleach area per 1S electron (Stokes-shifted to the 654 nm PL peak, so at 639 nm it only reaches
~half its peak). The cooling time (0.96 ps) and se_strength were tuned so that the noiseless A_ex
at 639 nm reaches zero at 2.30 ps (⟨N⟩ = 1.2) and turns negative at 0.78 ps (⟨N⟩ = 3.0). The
trapping times (9 / 25 ps, 38 % of dots), the biexciton lifetime (395 ps) and the single-exciton
lifetime (3.2 ns) were tuned so that a three-exponential fit of the 639 nm bleach over delays
> 2 ps gives back Table 1 of the paper (14 / 37 ps, ~600 ps, 3.4 / 3.5 ns): the fitted τ are
effective values — the cascade's triexciton feeding and the cooling rise lengthen them relative
to the model's own τ. Chirp t0(λ) is referenced to 639 nm (t0(639 nm) = 0).

``ase.nc`` — thresholds 150 mW (lamp) and 250 mW (mirror) on a 1 mm top-hat spot (19.1 and
31.8 W cm⁻²), a small knee (5 mW), 0–500 mW every 5 mW, 0.2 % noise (of each condition's
maximum; the lamp's enhancement is ~10× weaker than the emission, as in the paper).

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

TA_PARAMS: dict[str, Any] = {
    "pump": (100.0, 250.0),
    "cross_section": 0.012,
    "wavelength": np.arange(440.0, 720.5, 1.0),
    "tau_cool": 0.96,
    "tau_x": 3200.0,
    "tau_xx": 395.0,
    "tau_trap": (9.0, 25.0),
    "trap_fraction": (0.38, 0.38),
    "se_strength": 2.82,
    "pia_od": 0.01,
    "pia_peak_nm": 710.0,
    "irf_fwhm": 0.15,
    "chirp": (0.0, -0.3, 0.15),
    "chirp_reference_nm": 639.0,
    "noise": 3e-4,
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
    out = ds.copy()
    for name in names:
        if name in out.data_vars:
            out[name] = out[name].astype(np.float32)
    return out


def build_ta() -> tuple[xr.Dataset, simulate.TATruth]:
    """The TA example dataset (float32) and its truth."""
    ds, truth = simulate.ta(**TA_PARAMS)
    return _float32(ds, ("dA", "A0", "PL")), truth


def build_ase() -> tuple[xr.Dataset, simulate.ASETruth]:
    """The ASE example dataset (float32) and its truth."""
    ds, truth = simulate.ase(**ASE_PARAMS)
    return _float32(ds, ("emission",)), truth


def build_hippius(source: Path | str = HIPPIUS_SOURCE) -> xr.Dataset:
    """The Hippius et al. measurement read from the Glotaran file, float32, with attribution."""
    ds = open_dataset(source, format="glotaran")
    ds = _float32(ds, ("dA",))
    ds.attrs.update(HIPPIUS_ATTRS)
    ds.attrs.pop("title", None)
    return ds


def main(argv: list[str] | None = None) -> int:
    """Write the three example files; an optional argument is the Hippius ASCII file."""
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else HIPPIUS_SOURCE
    EXAMPLES_DIR.mkdir(exist_ok=True)
    for name, ds in (
        ("ta.nc", build_ta()[0]),
        ("ase.nc", build_ase()[0]),
        ("hippius.nc", build_hippius(source)),
    ):
        path = save(ds, EXAMPLES_DIR / name)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
