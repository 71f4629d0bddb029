"""The embedded fluence series: what it holds, that it regenerates, and what fit_cascade reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import qdwidgets
from qdwidgets.core import fluence, gain
from qdwidgets.data import make_examples as mk
from qdwidgets.data import validate


def test_example_fluence_series() -> None:
    ds = qdwidgets.examples.fluence()
    assert ds.attrs["qd_kind"] == "ta" and 6 <= ds.sizes["pump"] <= 8
    occ = ds["occupancy"].values
    assert 0.08 <= occ.min() <= 0.15 and 3.5 <= occ.max() <= 4.5
    assert ds["pump"].attrs["units"] == "nJ"
    assert gain.band_edge(ds) == pytest.approx(639.0)  # from A0, never passed in
    path = Path(mk.__file__).parent / "_examples" / "fluence.nc"
    assert path.stat().st_size < 400_000
    assert qdwidgets.examples.fluence().identical(ds)  # a fresh copy each call


def test_example_regenerates() -> None:
    shipped, fresh = qdwidgets.examples.fluence(), validate(mk.build_fluence()[0])
    xr.testing.assert_allclose(shipped, fresh, rtol=1e-6, atol=1e-9)
    assert shipped.attrs == fresh.attrs


def test_fit_cascade_reads_the_documented_truth() -> None:
    p = mk.FLUENCE_PARAMS
    fit = fluence.fit_cascade(qdwidgets.examples.fluence(), occupancy="ignore")
    assert fit.converged and fit.warnings == ()
    assert fit.cross_section == pytest.approx(p["cross_section"], rel=0.05)
    assert fit.tau_xx == pytest.approx(p["tau_xx"], rel=0.07)
    assert fit.tau_x == pytest.approx(p["tau_x"], rel=0.25)
    np.testing.assert_allclose(
        fit.occupancy.values, p["cross_section"] * np.asarray(p["pump"]), rtol=0.05
    )
    # the saturation cross-check agrees within its (larger) error here: τ_XX/τ_X = 1/6
    sat = fluence.cross_section_from_saturation(qdwidgets.examples.fluence())
    assert abs(sat.cross_section - p["cross_section"]) < 3 * sat.cross_section_stderr


def test_accessor_forwards_with_the_core_signature() -> None:
    import inspect

    ds = qdwidgets.examples.fluence()
    assert ds.qd.fit_cascade(scaling="pairs") == fluence.fit_cascade(ds, scaling="pairs")
    core = inspect.signature(fluence.fit_cascade).parameters
    mine = inspect.signature(ds.qd.fit_cascade).parameters
    assert list(mine) == list(core)[1:]
    assert all(mine[n].default == core[n].default for n in mine)
