"""Dispersion inside the global model: qdwidgets vs pyglotaran 0.7.5 on real and simulated data.

The model of both: 4 parallel decays, a Gaussian IRF whose centre is a cubic polynomial in
(λ − λc)/100 nm, no offset; every wavelength on its own measured delays.

- ``hippius``: the shared Hippius file (real, chirped, 335 delays × 346 wavelengths, axis from
  ~0 ps, time zero 0.2–1.8 ps), ``qdwidgets.examples.hippius()``;
- ``simulated``: the project's simulator ``simulate.decays`` on the same delays and wavelengths,
  four decays with a known cubic chirp and noise like the file's (truth not used by either fit).

qdwidgets starts automatically (``fit_global(ds, 4, chirp="fit", chirp_order=3)``); pyglotaran
from generic start values (``glotaran_dispersion.start_values``: log-spaced lifetimes, the
half-rise dispersion). Runs are interleaved; medians of wall time, the ratio, the lifetimes side by
side and the RMS of each on the measured grid. ``bench_kinetics.py --only dispersion`` runs this.

    PYTHONPATH=. .venv-bench/bin/python benchmarks/bench_dispersion.py [--repeat 3]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import statistics
import time
from typing import Any

import numpy as np
import xarray as xr

from qdwidgets.core.kinetics import fit_global
from qdwidgets.data import simulate

SIM_TAUS = np.array([0.35, 4.0, 40.0, 900.0])  # ps
SIM_IRF = 0.12  # ps FWHM
SIM_COEF = np.array([1.1, 0.25, -0.07, 0.02])  # ps per (100 nm)^k about the centre


def simulated(like: xr.Dataset, seed: int = 11) -> tuple[xr.Dataset, dict[str, Any]]:
    """The project's chirped simulator (``simulate.decays``: four decays, a cubic chirp) on the
    delays and wavelengths of ``like``, with noise like the file's."""
    t = like["delay"].values.astype(float)
    wl = like["wavelength"].values.astype(float)
    ds, truth = simulate.decays(
        SIM_TAUS, irf_fwhm=SIM_IRF, chirp=SIM_COEF, wavelength=wl, delay=t,
        amplitudes_od=(2e-3, -3e-3, 2.5e-3, -1.5e-3), noise=2.4e-4, seed=seed,
    )  # fmt: skip
    return ds, {"taus_ps": list(truth.taus), "irf_fwhm_ps": truth.irf_fwhm}


def run_case(name: str, ds: xr.Dataset, repeat: int, glotaran: bool) -> dict[str, Any]:
    q_times, g_times = [], []
    q_fit: Any = None
    g_out: dict[str, Any] = {}
    start = None
    if glotaran:
        import glotaran_dispersion as G

        start = G.start_values(ds, 4, 3)
    for _ in range(repeat):  # interleaved: the load of a shared machine drifts
        t1 = time.perf_counter()
        q_fit = fit_global(ds, 4, chirp="fit", chirp_order=3)
        q_times.append(time.perf_counter() - t1)
        if glotaran:
            t1 = time.perf_counter()
            g_out = G.run(ds, 4, 3, start)
            g_times.append(time.perf_counter() - t1)
    out: dict[str, Any] = {
        "case": name,
        "shape": [int(ds.sizes["delay"]), int(ds.sizes["wavelength"])],
        "qdwidgets_median_s": statistics.median(q_times),
        "qdwidgets_times_s": q_times,
        "qdwidgets_taus_ps": list(q_fit.taus),
        "qdwidgets_irf_fwhm_ps": q_fit.irf_fwhm,
        "qdwidgets_rms_OD": q_fit.noise,
        "qdwidgets_converged": q_fit.converged,
        "qdwidgets_nfev": q_fit.nfev,
    }
    if glotaran:
        med = statistics.median(g_times)
        out.update(
            glotaran_median_s=med,
            glotaran_times_s=g_times,
            glotaran_taus_ps=g_out["taus_ps"],
            glotaran_irf_fwhm_ps=g_out["irf_fwhm_ps"],
            glotaran_rms_OD=g_out["rms_OD"],
            glotaran_success=g_out["success"],
            ratio=med / out["qdwidgets_median_s"],
        )
    return out


def bench(args: argparse.Namespace, report: dict[str, Any]) -> None:
    import qdwidgets

    glotaran = not args.no_glotaran
    if glotaran:
        try:
            import glotaran
        except ImportError as exc:
            print(f"pyglotaran not importable here ({exc}); run with .venv-bench (see docstring)")
            glotaran = False
    hip = qdwidgets.examples.hippius()
    sim, truth = simulated(hip)
    cases = []
    repeat = getattr(args, "glotaran_repeat", None) or args.repeat  # pyglotaran takes ~20 s a fit
    for name, ds in (("hippius", hip), ("simulated", sim)):
        res = run_case(name, ds, repeat, glotaran)
        if name == "simulated":
            res["truth"] = truth
        cases.append(res)
        line = (
            f"{name} {res['shape'][0]}×{res['shape'][1]}: qdwidgets median "
            f"{res['qdwidgets_median_s']:.2f} s, τ = {np.round(res['qdwidgets_taus_ps'], 4)}, "
            f"IRF {res['qdwidgets_irf_fwhm_ps']:.4f} ps, RMS {res['qdwidgets_rms_OD']:.4e}"
        )
        if "ratio" in res:
            line += (
                f"\n    pyglotaran median {res['glotaran_median_s']:.2f} s, τ = "
                f"{np.round(res['glotaran_taus_ps'], 4)}, IRF {res['glotaran_irf_fwhm_ps']:.4f}"
                f" ps, RMS {res['glotaran_rms_OD']:.4e} → ratio {res['ratio']:.1f}×"
            )
        print(line, flush=True)
    report["dispersion"] = cases
    report["load_average"] = os.getloadavg()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-glotaran", action="store_true")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    report: dict[str, Any] = {}
    bench(args, report)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
