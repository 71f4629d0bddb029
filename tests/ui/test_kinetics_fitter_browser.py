"""KineticsFitter in JupyterLab: a τ slider moved with the keyboard and the Fit button clicked with
the mouse reach Python; the table Python writes appears in the page."""

from __future__ import annotations

from typing import Any

SETUP = """
import math
import numpy as np, xarray as xr
from qdwidgets import KineticsFitter
from qdwidgets.core.kinetics import evaluate
t = np.concatenate([np.linspace(-2, 10, 120), np.geomspace(10.2, 3000, 200)])
truth = [dict(taus=(2.0, 20.0, 300.0), amplitudes=(-3e-3, -2e-3, -1.5e-3), offset=-1e-3),
         dict(taus=(4.0, 40.0, 600.0), amplitudes=(-1e-3, -4e-3, -2e-3), offset=-1e-3)]
wl = np.array([630.0, 639.0, 648.0])
d = np.stack([np.outer(evaluate(t, **k, irf_fwhm=0.3, t0=0.2), np.ones(wl.size)) for k in truth])
d += np.random.default_rng(0).normal(0, 5e-6, d.shape)
ds = xr.Dataset(
    {"dA": (("pump", "delay", "wavelength"), d, {"units": "OD"})},
    coords={"pump": ("pump", [100.0, 300.0], {"units": "nJ"}), "occupancy": ("pump", [1.0, 3.0]),
            "delay": ("delay", t, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"})},
    attrs={"qd_kind": "ta"})
"""
WIDGET = """
f = KineticsFitter(ds, wavelength=639)
tau0 = f.params[0]["taus"][2]
f
"""


def test_tau_slider_and_fit_button(notebook: Any) -> None:
    nb = notebook([SETUP, WIDGET])
    page = nb.page
    root = page.locator(".qd-kinetics-fitter")
    root.wait_for(state="visible", timeout=30_000)
    assert nb.eval("f.result is None") == "True"

    # keyboard on the τ3 log slider: five steps of 0.01 decade upwards
    handle = root.locator(".qd-tau-3 .noUi-handle")
    handle.wait_for(state="visible", timeout=30_000)
    for _ in range(5):
        handle.focus()
        handle.press("ArrowRight")
    nb.wait_for("f.params[0]['taus'][2] > 1.05 * tau0", "True", timeout=15)
    assert nb.eval("f.params[0]['taus'][2] < 1.2 * tau0") == "True"
    assert nb.eval("f.rows[2]['tau'].value == f.params[0]['taus'][2]") == "True"
    # the model drawn is the model of the new value (model evaluation, no fit)
    drawn = "np.allclose(np.asarray(f.marks['log']['model'].y)[0], f.model_curve(0)[t > 5])"
    assert nb.eval(drawn) == "True"
    assert nb.eval("f.result is None") == "True"

    # the Fit button, clicked with the mouse
    button = root.locator(".qd-fit-button")
    button.scroll_into_view_if_needed()
    button.click()
    nb.wait_for("f.result is not None", "True", timeout=60)
    assert nb.eval("f.error_message") == "''"
    assert nb.eval("np.allclose(f.result[0].taus, truth[0]['taus'], rtol=0.02)") == "True"
    assert nb.eval("np.allclose(f.result[1].taus, truth[1]['taus'], rtol=0.02)") == "True"
    table = root.locator(".qd-kinetics-table")
    page.wait_for_function(
        "() => (document.querySelector('.qd-kinetics-fitter .qd-kinetics-table')?.textContent"
        " || '').includes('τ3 (ps)')",
        timeout=15_000,
    )
    text = table.inner_text()
    assert "⟨N⟩ ≈ 1" in text and "⟨N⟩ ≈ 3" in text
    tau3 = nb.eval("print(f'{f.result[0].taus[2]:.4g}')").strip()
    assert tau3 in text
