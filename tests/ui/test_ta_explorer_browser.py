"""TAExplorer in JupyterLab: slider keys, a map click and the wavelength box reach Python, and the
readout Python writes back appears in the page."""

from __future__ import annotations

from typing import Any

# 121 delays −2…10 ps (0.1 ps apart) × 81 wavelengths 600…680 nm (1 nm apart).
# A_ex = A0·(1 − (1 + c)(1 − e^{−t/1 ps})) + 1 mOD noise: crossings near ln((1 + c)/c) ps.
CELL = """
import numpy as np, xarray as xr
from qdwidgets.core import gain
from qdwidgets.widgets.ta_explorer import TAExplorer
delay = np.round(np.arange(-2.0, 10.0001, 0.1), 6)
wl = 600.0 + np.arange(81.0)
a0 = 0.02 + 0.1 * np.exp(-0.5 * ((wl - 639) / 12) ** 2)
rise = -np.expm1(-np.clip(delay, 0, None))[:, None]
dA = np.stack([-(1 + c) * rise * a0 for c in (0.5, 2.0)])
dA += 1e-3 * np.random.default_rng(0).standard_normal(dA.shape)
ds = xr.Dataset(
    {"dA": (("pump", "delay", "wavelength"), dA, {"units": "OD"}),
     "A0": ("wavelength", a0, {"units": "OD"})},
    coords={"pump": ("pump", [100.0, 300.0], {"units": "nJ"}), "occupancy": ("pump", [1.0, 3.0]),
            "delay": ("delay", delay, {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"})},
    attrs={"qd_kind": "ta"})
ex = TAExplorer(ds, pump=100.0, delay=0.0)
ex
"""

READOUT = "document.querySelector('.qd-ta-explorer .qd-readout').textContent"


def page_readout_is(nb: Any, text: str) -> None:
    nb.page.wait_for_function(f"(t) => {READOUT} === t", arg=text, timeout=10_000)


def test_slider_keys_map_click_and_wavelength_box(notebook: Any) -> None:
    nb = notebook([CELL])
    page = nb.page
    root = page.locator(".qd-ta-explorer")
    root.wait_for(state="visible", timeout=30_000)
    view = root.locator(".qd-taview")
    view.wait_for(state="visible", timeout=30_000)

    # the first readout: ⟨N⟩ ≈ 1 crosses zero near ln 3 = 1.10 ps at the band edge (639 nm)
    first = nb.eval("print(ex.view.readout)").strip()
    assert first.startswith("A_ex(639 nm) crosses zero at 1.") and "(⟨N⟩ ≈ 1.0)" in first
    page_readout_is(nb, first)

    # keyboard on the delay slider: three settled steps of one grid delay each
    slider = view.locator(".qd-delay-slider")
    for expected in ("0.1", "0.2", "0.3"):
        slider.focus()  # JupyterLab may move the focus to the cell after run-all: take it back
        slider.press("ArrowRight")
        nb.wait_for("ex.delay", expected)
    assert nb.eval("ex.result.delay") == "0.3"
    text = nb.eval("print(ex.view.readout)").strip()
    assert " · at 0.3 ps: A_ex = " in text
    page_readout_is(nb, text)

    # click the map at (5 ps, 650 nm): Python gets that cursor and that wavelength's crossings
    canvas = view.locator(".qd-map")
    x0, y0, x1, y1 = (float(v) for v in canvas.get_attribute("data-plot-box").split(","))
    x = x0 + (5.0 - (-2.0)) / 12.0 * (x1 - x0)
    y = y1 - (650.0 - 600.0) / 80.0 * (y1 - y0)  # wavelength increases upwards
    canvas.click(position={"x": x, "y": y})
    nb.wait_for("(ex.delay, ex.wavelength)", "(5.0, 650.0)")
    assert nb.eval("np.allclose(ex.view.crossings, gain.zero_crossing(ds, 650.0).values)") == "True"
    text = nb.eval("print(ex.view.readout)").strip()
    assert text.startswith("A_ex(650 nm) crosses zero at 1.") and " · at 5 ps: A_ex = " in text
    page_readout_is(nb, text)
    box = root.locator(".qd-wavelength input")
    page.wait_for_function(
        "() => document.querySelector('.qd-ta-explorer .qd-wavelength input').value === '650'",
        timeout=10_000,
    )

    # type a wavelength into the ipywidgets box: snapped to the grid, crossings follow
    box.fill("630.4")
    box.press("Enter")
    nb.wait_for("ex.wavelength", "630.0")
    text = nb.eval("print(ex.view.readout)").strip()
    assert text.startswith("A_ex(630 nm) crosses zero at")
    page_readout_is(nb, text)
    assert nb.eval("ex.error_message") == "''"
    errors = [e for e in nb.console_errors if "TAView" in e or "ta_view" in e]
    assert not errors, errors


def test_readout_follows_the_cursor_while_scrubbing(notebook: Any) -> None:
    """Hovering the map and dragging the slider (input events, nothing settled) rewrite the bold
    readout in the browser; Python's settled line comes back when the cursor does."""
    nb = notebook([CELL])
    page = nb.page
    view = page.locator(".qd-ta-explorer .qd-taview")
    view.wait_for(state="visible", timeout=30_000)
    settled = nb.eval("print(ex.view.readout)").strip()
    page_readout_is(nb, settled)
    head = settled.split(" · ")[0]

    canvas = view.locator(".qd-map")
    x0, y0, x1, y1 = (float(v) for v in canvas.get_attribute("data-plot-box").split(","))
    x = x0 + (8.0 - (-2.0)) / 12.0 * (x1 - x0)
    y = y1 - (639.0 - 600.0) / 80.0 * (y1 - y0)
    canvas.hover(position={"x": x, "y": y})
    value = nb.eval(
        "i = int(np.argmin(abs(ds.delay.values - 8.0))); "
        "print(f'{ds.delay.values[i]:.3g} ps: A_ex = {float(ds.dA[0, i, 39] + ds.A0[39]):+.4f}')"
    ).strip()
    want = f"{head} · at {value} OD"
    page.wait_for_function(f"(t) => {READOUT}.startsWith(t)", arg=want, timeout=10_000)
    assert nb.eval("print(ex.view.readout)").strip() == settled  # nothing went to Python
    page.mouse.move(5, 5)  # leave the map: Python's line again
    page_readout_is(nb, settled)

    # drag the slider (input events only): the line follows; release (change) settles it
    page.evaluate(
        """() => {
        const s = document.querySelector('.qd-ta-explorer .qd-delay-slider');
        s.value = String(Number(s.max) - 1);
        s.dispatchEvent(new Event('input'));
    }"""
    )
    page.wait_for_function(
        f"(h) => {READOUT}.startsWith(h + ' · at 9.9 ps: A_ex = ')", arg=head, timeout=10_000
    )
    assert nb.eval("ex.delay") == "0.0"
    page.evaluate(
        "() => document.querySelector('.qd-ta-explorer .qd-delay-slider')"
        ".dispatchEvent(new Event('change'))"
    )
    nb.wait_for("ex.delay", "9.9")
    page_readout_is(nb, nb.eval("print(ex.view.readout)").strip())
