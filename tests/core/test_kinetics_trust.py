"""Every kinetics fit says whether to trust it: status fields, honest errors, named warnings."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import xarray as xr

from qdwidgets.core.kinetics import KineticsFit, fit_trace, fit_traces
from qdwidgets.core.kinetics import model as M


def trace(taus: list[float], amps: list[float], noise: float, seed: int = 1) -> xr.DataArray:
    t = np.concatenate([np.linspace(-2.0, 5.0, 120), np.geomspace(5.2, 3000.0, 180)])
    y = M.evaluate(t, taus, amps, offset=0.0, irf_fwhm=0.3, t0=0.0)
    y = y + np.random.default_rng(seed).normal(0.0, noise, t.size)
    return xr.DataArray(y, dims="delay", coords={"delay": t}, attrs={"units": "OD"})


def test_clean_three_exponentials_converge_without_warnings() -> None:
    fit = fit_trace(trace([3.0, 60.0, 900.0], [0.02, 0.015, 0.01], 1e-4), 3, offset=False)
    assert fit.converged and fit.message.startswith("converged")
    assert fit.nfev > 0
    assert fit.warnings == (), fit.warnings
    np.testing.assert_allclose(fit.taus, [3.0, 60.0, 900.0], rtol=0.05)
    assert all(math.isfinite(e) and e > 0 for e in fit.taus_stderr)


def test_too_many_components_give_infinite_errors_and_a_warning() -> None:
    fit = fit_trace(trace([40.0], [0.03], 2e-4), 4, offset=False)
    bad = [e for e in fit.taus_stderr if not math.isfinite(e)]
    assert len(bad) >= 1  # the extra lifetimes are not determined: never a 0 error
    assert 0.0 not in fit.taus_stderr
    assert fit.warnings  # and the fit says so, in words
    text = " ".join(fit.warnings)
    assert any(w in text for w in ("do not determine", "cancel", "within 10%", "bound"))


def test_kinetics_fit_pickles_and_round_trips() -> None:
    fit = fit_trace(trace([5.0, 200.0], [0.02, 0.01], 1e-4), 2)
    again = pickle.loads(pickle.dumps(fit))
    assert again == fit
    assert KineticsFit.from_dict(fit.to_dict()) == fit
    assert "_lmfit_factory" not in vars(fit)  # plain data: no closures on the result


def test_lmfit_only_on_request() -> None:
    fit = fit_trace(trace([5.0, 200.0], [0.02, 0.01], 1e-4), 2)
    with pytest.warns(DeprecationWarning, match="to_lmfit"):
        _ = fit.lmfit
    lm = fit.to_lmfit()
    assert lm.params["tau1"].value == pytest.approx(fit.taus[0], rel=1e-3)


def test_fit_traces_carries_status_per_trace() -> None:
    rows = [trace([5.0, 200.0], [0.02, 0.01 * k], 1e-4, seed=k) for k in (1, 2, 3)]
    da = xr.concat(rows, dim="wavelength").assign_coords(wavelength=[600.0, 610.0, 620.0])
    ds = xr.Dataset(
        {"dA": da.expand_dims(pump=[1.0]).transpose("pump", "delay", "wavelength")},
        attrs={"qd_kind": "ta"},
    )
    ds["dA"].attrs["units"] = "OD"
    ds["delay"].attrs["units"] = "ps"
    ds["wavelength"].attrs["units"] = "nm"
    ds["pump"].attrs["units"] = "mW"
    out = fit_traces(ds, 2)
    assert bool(out["converged"].all())
    assert set(out.data_vars) >= {"converged", "message", "nfev", "warnings"}
    assert out["tau_stderr"].min() > 0
