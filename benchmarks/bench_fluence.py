"""Fluence-cascade benchmark (issue 14): ``fit_cascade`` on 8 levels × 400 delays vs lmfit.

Data: ``qdwidgets.simulate.cascade`` — 8 pump levels (⟨N⟩ 0.15–3.5), 400 delays (150 linear
from −2 to 3 ps, 250 log-spaced to 8 ns), statistical scaling, σ = 0.01/nJ, τ_XX = 150 ps,
τ_X = 3 ns, peak S/N 150. Target: ``fit_cascade`` ≤ 100 ms median.

Baseline: lmfit (``lmfit.minimize``, Levenberg–Marquardt with numerical derivatives) on the same
equations — the same closed-form model function, ``qdwidgets.core.fluence._model.signal`` —
with the amplitude as a seventh free parameter (no variable projection), started from the
point ``fit_cascade`` starts its own solver from (after its screen of start values), so the
two solve the same problem from the same place. The contenders are interleaved (the load of a
shared machine drifts); the report gives medians, their ratio, the load average and how far
the two optima differ.

Run (from the repo root)::

    .venv/bin/python benchmarks/bench_fluence.py [--rounds 9]

BLAS runs single-threaded (``OPENBLAS_NUM_THREADS=1`` unless set), as in the other benchmarks.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import json
import math
import statistics
import time
from typing import Any

import lmfit
import numpy as np

import qdwidgets
from qdwidgets.core import fluence
from qdwidgets.core.fluence import _fit, _model
from qdwidgets.core.fluence._data import series, starts

SIGMA, TAU_XX, TAU_X = 0.01, 150.0, 3000.0


def dataset() -> Any:
    delay = np.concatenate([np.linspace(-2.0, 3.0, 150), np.geomspace(3.05, 8000.0, 250)])
    return qdwidgets.simulate.cascade(
        pump=np.geomspace(0.15, 3.5, 8) / SIGMA,
        cross_section=SIGMA,
        tau_xx=TAU_XX,
        tau_x=TAU_X,
        delay=delay,
        wavelength=np.arange(627.0, 652.0, 3.0),
        snr=150.0,
        seed=5,
    )


def start_point(ds: Any) -> dict[str, float]:
    """The natural parameters fit_cascade's solver starts from (after its screen)."""
    s = series(ds, None, 0.0)
    st = starts(s)
    prob = _fit._Problem(s, "statistical", None)
    ratio = float(np.median(s.occupancy / s.pump)) if s.occupancy is not None else None
    z0 = _fit._screen(prob, st, ratio, {})
    return dict(zip(_fit.NAMES, map(float, prob.full(z0)), strict=True))


def lmfit_fit(ds: Any, p0: dict[str, float]) -> Any:
    s = series(ds, None, 0.0)

    def resid(params: lmfit.Parameters) -> np.ndarray:
        v = params.valuesdict()
        m = _model.signal(s.t, v["cross_section"] * s.pump, v["tau_xx"], v["tau_x"],
                          v["tau_cool"], v["irf_fwhm"], v["t0"], "statistical")  # fmt: skip
        return np.asarray((s.y - v["amplitude"] * m).ravel())

    params = lmfit.Parameters()
    for name, value in p0.items():
        if name == "t0":
            params.add(name, value=value, min=float(s.t[0]), max=float(s.t[-1]))
        else:
            params.add(name, value=value, min=1e-6)
    m0 = _model.signal(s.t, p0["cross_section"] * s.pump, p0["tau_xx"], p0["tau_x"],
                       p0["tau_cool"], p0["irf_fwhm"], p0["t0"], "statistical")  # fmt: skip
    params.add("amplitude", value=float(np.sum(m0 * s.y) / np.sum(m0 * m0)))
    return lmfit.minimize(resid, params, method="leastsq")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    ds, _ = dataset()
    p0 = start_point(ds)
    fit = fluence.fit_cascade(ds)  # warm up both
    res = lmfit_fit(ds, p0)
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        fit = fluence.fit_cascade(ds)
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        res = lmfit_fit(ds, p0)
        theirs.append(time.perf_counter() - t)
    med_ours, med_lm = statistics.median(ours), statistics.median(theirs)
    v = res.params.valuesdict()
    report = {
        "shape": [int(ds.sizes["pump"]), int(ds.sizes["delay"])],
        "fit_cascade_median_ms": 1e3 * med_ours,
        "lmfit_median_ms": 1e3 * med_lm,
        "ratio_lmfit_over_fit_cascade": med_lm / med_ours,
        "load_average": os.getloadavg()[0],
        "fit_cascade": {
            "cross_section": fit.cross_section,
            "tau_xx": fit.tau_xx,
            "tau_x": fit.tau_x,
            "nfev": fit.nfev,
        },
        "lmfit": {
            "cross_section": v["cross_section"],
            "tau_xx": v["tau_xx"],
            "tau_x": v["tau_x"],
            "nfev": int(res.nfev),
            "success": bool(res.success),
        },
        "truth": {"cross_section": SIGMA, "tau_xx": TAU_XX, "tau_x": TAU_X},
        "chi2_ratio_lmfit_over_fit_cascade": float(res.chisqr)
        / float(np.sum(fit.residual.values**2)),
        "max_relative_difference": max(
            abs(v[n] / getattr(fit, n) - 1) for n in ("cross_section", "tau_xx", "tau_x")
        ),
    }
    print(
        f"fit_cascade {report['shape'][0]}×{report['shape'][1]}: median {1e3 * med_ours:.1f} ms "
        f"(target ≤ 100 ms); lmfit on the same equations: {1e3 * med_lm:.1f} ms; ratio "
        f"{med_lm / med_ours:.1f}×; load {report['load_average']:.1f}"
    )
    assert math.isfinite(report["max_relative_difference"])
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
