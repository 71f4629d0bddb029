"""Kinetics benchmarks (issue 4): medians and ratios, every contender in the same process.

1. Global fit, 3 decays + Gaussian IRF, 400 delays × 1024 wavelengths: ``fit_global`` (target
   ≤ 0.15 s) vs pyglotaran 0.7.5 ``decay-parallel`` on the same data (≥ 10× faster, lifetimes
   within 0.5 %). pyglotaran lives only in the git-ignored ``.venv-bench``.
2. ``fit_traces`` over 1024 traces of 400 delays vs a plain lmfit ``Model.fit`` loop (≥ 20×).
   The loop is timed on a fixed sample of traces (``--loop-sample``, default 128) and its
   per-trace median × 1024 is the baseline total; the ratio uses that. The two are interleaved
   (four rounds) because the load of a shared machine drifts.
3. One Table-1 fit of 400 points (``fit_trace`` with defaults — automatic start values, 4
   starts with the early stop —, 3 exponentials + offset, IRF width and t0 fitted; ≤ 3 ms
   median). Baselines in the same process, interleaved: the full multi-start
   (``early_stop=False``, the default before the early stop), ``starts=1``, and a plain lmfit
   ``Model.fit`` started 20 % off the truth. Wall and CPU (``process_time``) medians: on a shared
   machine the wall time carries the load, which the report records (``load_average``).
   ``--only table1`` runs just this part.
4. Dispersion inside the model on real data (``bench_dispersion.py``): the Hippius map and a
   simulated one of its size, four decays with a cubic t0(λ), vs pyglotaran 0.7.5.

Run (from the repo root)::

    # everything, pyglotaran included (the bench venv: pyglotaran==0.7.5 lmfit, + this repo on path)
    python3 -m venv .venv-bench && .venv-bench/bin/pip install pyglotaran==0.7.5 lmfit
    PYTHONPATH=. .venv-bench/bin/python benchmarks/bench_kinetics.py
    # without pyglotaran (the project venv)
    .venv/bin/python benchmarks/bench_kinetics.py --no-glotaran

BLAS runs single-threaded (``OPENBLAS_NUM_THREADS=1`` unless set): the CI machine has 2 cores
shared by several jobs, where threaded BLAS on small matrices is 10–100× slower and erratic.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse
import json
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from qdwidgets.core.kinetics import evaluate, fit_global, fit_trace, fit_traces
from qdwidgets.core.kinetics import model as M

TAUS = np.array([1.5, 15.0, 300.0])  # ps
IRF_FWHM, T0 = 0.2, 0.1  # ps
NOISE = 1e-4  # OD (peak signal ~1e-2)


def delays(n: int = 400) -> np.ndarray:
    return np.concatenate([np.linspace(-1, 5, 150), np.geomspace(5.05, 2000, n - 150)])


def make_data(
    n_wl: int = 1024, seed: int = 0, offset: float = 0.0
) -> tuple[xr.Dataset, np.ndarray]:
    """Three decays (+ a long-lived step of height ``offset`` when non-zero) ⊗ Gaussian IRF."""
    t = delays()
    wl = np.linspace(480, 720, n_wl)
    das = 1e-2 * np.stack(
        [
            np.exp(-(((wl - 560) / 30) ** 2)) - 0.3,
            -0.8 * np.exp(-(((wl - 620) / 25) ** 2)) + 0.2,
            0.6 * np.exp(-(((wl - 600) / 60) ** 2)) - 0.25,
        ]
    )
    if offset:
        das = np.vstack([das, np.full(n_wl, offset)])
    (phi,) = M.basis(t, TAUS, M.sigma_from_fwhm(IRF_FWHM), np.array(T0), bool(offset))
    y = phi @ das + np.random.default_rng(seed).normal(0, NOISE, (t.size, wl.size))
    ds = xr.Dataset(
        {"dA": (("delay", "wavelength"), y, {"units": "OD"})},
        coords={
            "delay": ("delay", t, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"}),
        },
        attrs={"qd_kind": "ta"},
    )
    return ds, das


def timed(func: Callable[[], Any], repeat: int) -> tuple[float, list[float], Any]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, out


# -- 1. global fit ---------------------------------------------------------------------------------


def glotaran_fit(ds: xr.Dataset) -> Callable[[], np.ndarray]:
    """A pyglotaran 0.7.5 decay-parallel scheme on the same data; returns lifetimes (ps)."""
    from glotaran.io import load_model, load_parameters
    from glotaran.optimization.optimize import optimize
    from glotaran.project import Scheme

    model = load_model(
        """
megacomplex:
  mc:
    type: decay-parallel
    compartments: [s1, s2, s3]
    rates: [rates.s1, rates.s2, rates.s3]
irf:
  irf1:
    type: gaussian
    center: irf.center
    width: irf.width
dataset:
  d1:
    megacomplex: [mc]
    irf: irf1
""",
        format_name="yml_str",
    )
    # start 20 % off the truth (pyglotaran needs user start values; ours are automatic)
    k0 = 1.0 / (TAUS * np.array([1.2, 0.8, 1.2]))
    params = load_parameters(
        f"""
rates:
  - [s1, {k0[0]}]
  - [s2, {k0[1]}]
  - [s3, {k0[2]}]
irf:
  - [center, {T0 + 0.05}]
  - [width, {M.sigma_from_fwhm(IRF_FWHM) * 1.3}]
""",
        format_name="yml_str",
    )
    data = xr.Dataset(
        {"data": (("time", "spectral"), ds["dA"].values)},
        coords={"time": ds["delay"].values, "spectral": ds["wavelength"].values},
    )

    def run() -> np.ndarray:
        scheme = Scheme(model=model, parameters=params, data={"d1": data})
        result = optimize(scheme, verbose=False)
        rates = [result.optimized_parameters.get(f"rates.s{i}").value for i in (1, 2, 3)]
        return np.sort(1.0 / np.asarray(rates))

    return run


def bench_global(args: argparse.Namespace, report: dict[str, Any]) -> None:
    ds, _ = make_data()
    med, times, g = timed(lambda: fit_global(ds, 3), args.repeat)
    report["global_qdwidgets_s"] = med
    report["global_qdwidgets_taus_ps"] = list(g.taus)
    print(f"fit_global 400×1024: median {med * 1e3:.1f} ms over {len(times)} runs; τ = {g.taus}")
    if args.no_glotaran:
        return
    try:
        run = glotaran_fit(ds)
    except ImportError as exc:
        print(f"pyglotaran not importable here ({exc}); run with .venv-bench (see docstring)")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run()  # numba compilation, not timed
        gmed, gtimes, gtaus = timed(run, args.glotaran_repeat)
    _, again, _ = timed(lambda: fit_global(ds, 3), args.repeat)  # the load drifts: again after
    times += again
    med = statistics.median(times)
    report["global_qdwidgets_s"] = med
    report["global_pyglotaran_s"] = gmed
    report["global_pyglotaran_taus_ps"] = gtaus.tolist()
    rel = np.abs(np.asarray(g.taus) / gtaus - 1)
    report["global_speedup"] = gmed / med
    report["global_max_rel_tau_difference"] = float(rel.max())
    print(
        f"pyglotaran 0.7.5 decay-parallel: median {gmed * 1e3:.1f} ms over {len(gtimes)} runs; "
        f"τ = {gtaus}; speed-up {gmed / med:.1f}×; max |Δτ|/τ = {rel.max():.2e}"
    )


# -- 2. fit_traces vs an lmfit Model.fit loop --------------------------------------------------


def bench_traces(args: argparse.Namespace, report: dict[str, Any]) -> None:
    import lmfit

    ds, _ = make_data(seed=1, offset=-2e-3)  # every trace carries a long-lived offset too
    out = fit_traces(ds, 3, offset=True)  # warm-up; its start values seed the baseline loop too
    t = ds["delay"].values

    def f(x, a1, a2, a3, tau1, tau2, tau3, c, fwhm, t0):  # type: ignore[no-untyped-def,unused-ignore]
        return evaluate(
            x, np.array([tau1, tau2, tau3]), np.array([a1, a2, a3]), offset=c, irf_fwhm=fwhm, t0=t0
        )

    model = lmfit.Model(f)
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(ds.sizes["wavelength"], size=args.loop_sample, replace=False))
    g_taus = np.nanmedian(out["tau"].values[0], axis=0)

    def loop(columns: np.ndarray) -> tuple[list[float], list[list[float]]]:
        per, found = [], []
        for j in columns:
            y = ds["dA"].values[:, j]
            params = model.make_params(
                a1=y.min() / 3, a2=y.min() / 3, a3=y.min() / 3, tau1=g_taus[0], tau2=g_taus[1],
                tau3=g_taus[2], c=0.0, fwhm=IRF_FWHM * 1.2, t0=T0,
            )  # fmt: skip
            for k in ("tau1", "tau2", "tau3", "fwhm"):
                params[k].min = 1e-3
            start = time.perf_counter()
            r = model.fit(y, params, x=t)
            per.append(time.perf_counter() - start)
            found.append(sorted(r.params[k].value for k in ("tau1", "tau2", "tau3")))
        return per, found

    # interleave: one fit_traces run, then a quarter of the loop sample, four times (the load
    # on a shared machine drifts; both contenders see the same stretch of it)
    times: list[float] = []
    per: list[float] = []
    lm_taus: dict[int, list[float]] = {}
    rounds = 4
    for r in range(rounds):
        med_r, _, out = timed(lambda: fit_traces(ds, 3, offset=True), 1)
        times.append(med_r)
        cols = sample[r::rounds]
        p_r, f_r = loop(cols)
        per += p_r
        lm_taus.update(zip(cols.tolist(), f_r, strict=True))
    med = statistics.median(times)
    report["traces_qdwidgets_s"] = med
    print(f"fit_traces 1024 traces × 400 delays: median {med:.2f} s over {len(times)} runs")
    loop_total = statistics.median(per) * ds.sizes["wavelength"]
    ours = out["tau"].values[0][sample]
    theirs = np.asarray([lm_taus[j] for j in sample.tolist()])
    agree = np.nanmedian(np.abs(ours / theirs - 1), axis=0)
    report["traces_lmfit_loop_per_trace_s"] = statistics.median(per)
    report["traces_lmfit_loop_total_s"] = loop_total
    report["traces_speedup"] = loop_total / med
    report["traces_median_rel_tau_difference"] = agree.tolist()
    print(
        f"lmfit Model.fit loop: median {statistics.median(per) * 1e3:.1f} ms per trace "
        f"({args.loop_sample} traces) → {loop_total:.1f} s for 1024; speed-up "
        f"{loop_total / med:.1f}×; median |Δτ|/τ vs loop = {np.round(agree, 5)}"
    )


# -- 3. one Table-1 fit ------------------------------------------------------------------------


def table1_trace() -> tuple[xr.DataArray, dict[str, Any]]:
    """The Table-1 case: 400 delays to 7 ns, 3 decays + offset + IRF, peak SNR 1000."""
    t = np.concatenate([np.linspace(-2, 5, 150), np.geomspace(5.1, 7000, 250)])
    truth: dict[str, Any] = {
        "taus": np.array([14.0, 615.0, 3374.0]),
        "amplitudes": np.array([-0.00686, -0.00677, -0.00658]),
        "offset": -0.00651,
        "irf_fwhm": 0.3,
        "t0": 0.1,
    }
    y = evaluate(t, **truth)
    y = y + np.random.default_rng(1).normal(0, np.abs(y).max() / 1000, t.size)
    return xr.DataArray(y, dims="delay", coords={"delay": t}), truth


def bench_table1(args: argparse.Namespace, report: dict[str, Any]) -> None:
    """Default ``fit_trace`` vs its full multi-start (``early_stop=False``, the previous default)
    and vs a plain lmfit ``Model.fit`` (start 20 % off the truth), interleaved in rounds."""
    import lmfit

    trace, truth = table1_trace()
    t, y = trace["delay"].values, trace.values

    def f(x, a1, a2, a3, tau1, tau2, tau3, c, fwhm, t0):  # type: ignore[no-untyped-def,unused-ignore]
        return evaluate(
            x, np.array([tau1, tau2, tau3]), np.array([a1, a2, a3]), offset=c, irf_fwhm=fwhm, t0=t0
        )

    model = lmfit.Model(f)
    k = np.array([1.2, 0.8, 1.2])
    params = model.make_params(
        a1=y.min() / 3, a2=y.min() / 3, a3=y.min() / 3, tau1=truth["taus"][0] * k[0],
        tau2=truth["taus"][1] * k[1], tau3=truth["taus"][2] * k[2], c=0.0, fwhm=0.36, t0=0.15,
    )  # fmt: skip
    for name in ("tau1", "tau2", "tau3", "fwhm"):
        params[name].min = 1e-3
    contenders: dict[str, Callable[[], Any]] = {
        "default": lambda: fit_trace(trace, offset=True),
        "full_multistart": lambda: fit_trace(trace, early_stop=False, offset=True),
        "single_start": lambda: fit_trace(trace, starts=1, offset=True),
        "lmfit": lambda: model.fit(y, params, x=t),
    }
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    out: dict[str, Any] = {name: fn() for name, fn in contenders.items()}  # warm-up
    for _ in range(args.repeat * 3):  # rounds: every contender sees the same stretch of load
        for name, fn in contenders.items():
            for _ in range(1 if name == "lmfit" else 10):
                w, c = time.perf_counter(), time.process_time()
                out[name] = fn()
                wall[name].append(time.perf_counter() - w)
                cpu[name].append(time.process_time() - c)
    med = {name: statistics.median(v) for name, v in wall.items()}
    med_cpu = {name: statistics.median(v) for name, v in cpu.items()}
    fit, full = out["default"], out["full_multistart"]
    lm_taus = np.sort([out["lmfit"].params[f"tau{i}"].value for i in (1, 2, 3)])
    report["table1_fit_s"] = med["default"]
    report["table1_fit_cpu_s"] = med_cpu["default"]
    report["table1_full_multistart_s"] = med["full_multistart"]
    report["table1_single_start_s"] = med["single_start"]
    report["table1_lmfit_s"] = med["lmfit"]
    report["table1_speedup_vs_full_multistart"] = med["full_multistart"] / med["default"]
    report["table1_speedup_vs_lmfit"] = med["lmfit"] / med["default"]
    report["table1_taus_ps"] = list(fit.taus)
    report["table1_max_rel_tau_difference_vs_full_multistart"] = float(
        np.max(np.abs(np.asarray(fit.taus) / np.asarray(full.taus) - 1))
    )
    report["table1_max_rel_tau_difference_vs_lmfit"] = float(
        np.max(np.abs(np.asarray(fit.taus) / lm_taus - 1))
    )
    n = len(wall["default"])
    print(
        f"fit_trace (Table 1, 400 points): median {med['default'] * 1e3:.2f} ms wall "
        f"({med_cpu['default'] * 1e3:.2f} ms CPU) over {n} runs (target ≤ 3 ms)"
    )
    print(
        f"  vs full multi-start (early_stop=False): {med['full_multistart'] * 1e3:.2f} ms → "
        f"{report['table1_speedup_vs_full_multistart']:.2f}×; starts=1: "
        f"{med['single_start'] * 1e3:.2f} ms; lmfit Model.fit: {med['lmfit'] * 1e3:.1f} ms → "
        f"{report['table1_speedup_vs_lmfit']:.1f}×"
    )
    print(
        f"  τ = {np.round(fit.taus, 3)} ps; max |Δτ|/τ vs full multi-start "
        f"{report['table1_max_rel_tau_difference_vs_full_multistart']:.1e}, vs lmfit "
        f"{report['table1_max_rel_tau_difference_vs_lmfit']:.1e}"
    )
    print(fit.table().to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--glotaran-repeat", type=int, default=3)
    parser.add_argument("--loop-sample", type=int, default=128)
    parser.add_argument("--no-glotaran", action="store_true")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument(
        "--only", choices=["table1", "global", "traces", "dispersion"], help="one part only"
    )
    args = parser.parse_args()
    report: dict[str, Any] = {
        "load_average": os.getloadavg()[0],
        "blas_threads": os.environ["OPENBLAS_NUM_THREADS"],
    }
    import sys

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_dispersion import bench as bench_dispersion

    for name, part in (
        ("table1", bench_table1),
        ("global", bench_global),
        ("traces", bench_traces),
        ("dispersion", bench_dispersion),  # real chirped data (Hippius) + a simulated twin
    ):
        if args.only in (None, name):
            part(args, report)
    report["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(report, indent=1))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
