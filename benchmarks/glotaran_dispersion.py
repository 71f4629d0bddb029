"""pyglotaran 0.7.5 on the dispersion model of ``fit_global(ds, n, chirp="fit", chirp_order=k)``.

Parallel decays, a Gaussian IRF whose centre is ``c0 + Σ_i c_i ((λ − λc)/100 nm)^i`` (pyglotaran's
``dispersion_center`` and ``center_dispersion_coefficients``), λc the centre of the wavelength
range, no offset. Runs only where pyglotaran is importable (the git-ignored ``.venv-bench``)::

    PYTHONPATH=. .venv-bench/bin/python benchmarks/glotaran_dispersion.py [--from-qdwidgets]

prints the optimised lifetimes, IRF FWHM, dispersion coefficients and the RMS of the residual on
the measured grid, as JSON. The numbers stored in ``tests/core/test_kinetics_dispersion.py`` were
made with this script on ``qdwidgets.examples.hippius()`` (the shared Hippius file, ΔA in OD).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import numpy as np
import xarray as xr

FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))


def start_values(ds: xr.Dataset, n: int, order: int) -> dict[str, Any]:
    """Generic start values from the data: half-rise times for the dispersion, log-spaced τ."""
    from qdwidgets.core.chirp import rise_times

    da = ds["dA"].isel(pump=0).transpose("delay", "wavelength")
    t = da["delay"].values.astype(float)
    wl = da["wavelength"].values.astype(float)
    centre = float((wl[0] + wl[-1]) / 2.0)
    t0 = rise_times(t, da.values.astype(float))
    ok = np.isfinite(t0)
    coef = np.polynomial.polynomial.polyfit((wl[ok] - centre) / 100.0, t0[ok], order)
    span = float(t[-1] - t[0])
    taus = np.geomspace(0.5, span / 2.0, n)
    return {"centre": centre, "coef": coef.tolist(), "taus": taus.tolist(), "sigma": 0.06}


def run(ds: xr.Dataset, n: int = 4, order: int = 3, start: dict[str, Any] | None = None) -> dict:
    from glotaran.io import load_model, load_parameters
    from glotaran.optimization.optimize import optimize
    from glotaran.project import Scheme

    start = start or start_values(ds, n, order)
    comps = [f"s{i + 1}" for i in range(n)]
    disp = [f"irf.disp{i + 1}" for i in range(order)]
    model = load_model(
        f"""
megacomplex:
  mc:
    type: decay-parallel
    compartments: [{", ".join(comps)}]
    rates: [{", ".join(f"rates.{c}" for c in comps)}]
irf:
  irf1:
    type: spectral-gaussian
    center: irf.center
    width: irf.width
    dispersion_center: irf.dispc
    center_dispersion_coefficients: [{", ".join(disp)}]
dataset:
  d1:
    megacomplex: [mc]
    irf: irf1
""",
        format_name="yml_str",
    )
    # rates bounded as qdwidgets bounds its lifetimes (τ ≥ tau_min ps) when start gives tau_min
    cap = f", {{max: {1.0 / start['tau_min']}}}" if start.get("tau_min") else ""
    lines = ["rates:"] + [
        f"  - [{c}, {1.0 / tau}{cap}]" for c, tau in zip(comps, start["taus"], strict=True)
    ]
    lines += ["irf:", f"  - [center, {start['coef'][0]}]", f"  - [width, {start['sigma']}]"]
    lines += [f"  - [dispc, {start['centre']}, {{vary: false}}]"]
    lines += [f"  - [disp{i + 1}, {start['coef'][i + 1]}]" for i in range(order)]
    params = load_parameters("\n".join(lines), format_name="yml_str")
    da = ds["dA"].isel(pump=0).transpose("delay", "wavelength")
    data = xr.Dataset(
        {"data": (("time", "spectral"), da.values.astype(float))},
        coords={"time": da["delay"].values.astype(float), "spectral": da["wavelength"].values},
    )
    t_start = time.perf_counter()
    scheme = Scheme(
        model=model, parameters=params, data={"d1": data}, maximum_number_function_evaluations=500
    )
    result = optimize(scheme, verbose=False)
    wall = time.perf_counter() - t_start
    p = result.optimized_parameters
    taus = sorted(1.0 / p.get(f"rates.{c}").value for c in comps)
    resid = np.asarray(result.data["d1"]["residual"].values, dtype=float)
    return {
        "taus_ps": taus,
        "irf_fwhm_ps": p.get("irf.width").value * FWHM_PER_SIGMA,
        "irf_center_ps": p.get("irf.center").value,
        "dispersion": [p.get(f"irf.disp{i + 1}").value for i in range(order)],
        "rms_OD": float(np.sqrt(np.mean(resid**2))),
        "nfev": int(result.number_of_function_evaluations),
        "success": bool(result.success),
        "wall_s": wall,
    }


def start_from_qdwidgets(ds: xr.Dataset, n: int, order: int) -> dict[str, Any]:
    """Start values = qdwidgets' optimum (lifetimes, IRF, dispersion), with its τ lower bound."""
    from qdwidgets.core.kinetics import fit_global

    fit = fit_global(ds, n, chirp="fit", chirp_order=order)
    coef = fit.chirp.attrs["coefficients"]
    wl = ds["wavelength"].values.astype(float)
    return {
        "centre": float((wl[0] + wl[-1]) / 2.0),
        "coef": list(coef),
        "taus": list(fit.taus),
        "sigma": fit.irf_fwhm / FWHM_PER_SIGMA,
        "tau_min": 0.0009 if min(fit.taus) <= 0.0009 * 1.001 else None,
    }


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=4, help="number of decays")
    ap.add_argument("--file", help="a netCDF written by qdwidgets (dA in OD); default: Hippius")
    ap.add_argument("--from-qdwidgets", action="store_true", help="start at qdwidgets' optimum")
    args = ap.parse_args()
    if args.file:
        data = xr.load_dataset(args.file)
    else:
        import qdwidgets

        data = qdwidgets.examples.hippius()
    begin = start_from_qdwidgets(data, args.n, 3) if args.from_qdwidgets else None
    print(json.dumps(run(data, n=args.n, start=begin), indent=1))
