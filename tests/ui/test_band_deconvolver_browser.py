"""BandDeconvolver in JupyterLab: real mouse drags of band handles reach Python."""

from __future__ import annotations

from typing import Any

SETUP = """
import numpy as np, xarray as xr
from qdwidgets.core import bands as B
wl = np.linspace(560.0, 720.0, 161)
truth = (B.Band("GSB", 639, 20, -0.012), B.Band("SE", 653, 18, -0.010))
y = sum(b.curve(wl) for b in truth)
ta = xr.Dataset(
    {"dA": (("delay", "wavelength"), np.stack([y, 0.9 * y]), {"units": "OD"})},
    coords={"delay": ("delay", [2.3, 5.0], {"units": "ps"}),
            "wavelength": ("wavelength", wl, {"units": "nm"})},
    attrs={"qd_kind": "ta"},
)
"""

WIDGET = """
from qdwidgets import BandDeconvolver
w = BandDeconvolver(ta, delay=2.3)
w
"""

# bqplot draws each Scatter point as a ``g.object_grp``; the side handles (2 per band) come
# first in the figure's marks, then the peak handles (1 per band).
HANDLES_JS = """() => Array.from(
  document.querySelectorAll('.qd-band-panel .object_grp')
).map(g => {
  const r = g.getBoundingClientRect();
  return [r.x + r.width / 2, r.y + r.height / 2];
})"""


def _drag(page: Any, start: list[float], dx: float, dy: float) -> None:
    page.mouse.move(start[0], start[1])
    page.mouse.down()
    for k in range(1, 11):
        page.mouse.move(start[0] + dx * k / 10, start[1] + dy * k / 10)
        page.wait_for_timeout(30)
    page.mouse.up()


def test_mouse_drags_move_a_band_and_python_sees_it(notebook: Any) -> None:
    nb = notebook([SETUP, WIDGET])
    page = nb.page
    page.locator(".qd-band-panel").wait_for(state="visible", timeout=30_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.qd-band-panel .object_grp').length === 6",
        timeout=30_000,
    )
    handles = page.evaluate(HANDLES_JS)
    # no A0 and no PL in these data: the proposals are named neutrally (nothing says GSB or SE)
    assert nb.eval("w.names") == "['band 1', 'band 2']"
    se_before = float(nb.eval("w.panels[0].bands[1].center_nm"))
    assert abs(se_before - 653.0) < 0.5  # fitted on construction

    # the SE peak handle, 25 px to the right; mid-drag (button still down) Python already
    # follows: the band has moved and the sum was redrawn from it
    x0, y0 = handles[5]
    y_range = nb.eval("(w.panels[0].ys.min, w.panels[0].ys.max)")
    page.mouse.move(x0, y0)
    page.mouse.down()
    for k in range(1, 6):
        page.mouse.move(x0 + 2.5 * k, y0)
        page.wait_for_timeout(30)
    nb.wait_for("int(w.panels[0].bands[1].center_nm > 656)", "1")
    assert (
        nb.eval(
            "bool(np.allclose(w.panels[0].sum_mark.y, "
            "sum(b.curve(w.wavelength) for b in w.panels[0].bands)))"
        )
        == "True"
    )
    # the y axis stays still under the pointer while the button is down
    assert nb.eval("(w.panels[0].ys.min, w.panels[0].ys.max)") == y_range
    for k in range(6, 11):
        page.mouse.move(x0 + 2.5 * k, y0)
        page.wait_for_timeout(30)
    page.mouse.up()
    nb.wait_for("w.selected", "'band 2'")
    nb.wait_for("int(w.panels[0].bands[1].center_nm > 658)", "1")
    moved = float(nb.eval("w.panels[0].bands[1].center_nm"))
    assert 658.0 < moved < 672.0, moved  # ~0.4 nm per pixel on this plot
    # the sum was redrawn from the new bands; the fit is marked stale; no error
    assert (
        nb.eval(
            "bool(np.allclose(w.panels[0].sum_mark.y, "
            "sum(b.curve(w.wavelength) for b in w.panels[0].bands)))"
        )
        == "True"
    )
    assert nb.eval("w.panels[0].fit is None") == "True"
    assert nb.eval("w.error_message") == "''"
    assert "not fitted" in page.locator(".qd-band-table").inner_text()

    # the GSB's red side handle (index 1), 12 px to the right: wider GSB, same centre
    width_before = float(nb.eval("w.panels[0].bands[0].fwhm_nm"))
    _drag(page, handles[1], 12.0, 0.0)
    nb.wait_for(f"int(w.panels[0].bands[0].fwhm_nm > {width_before + 4})", "1")
    assert abs(float(nb.eval("w.panels[0].bands[0].center_nm")) - 639.0) < 0.5

    # Fit from the dragged bands brings the SE back to the truth
    page.locator(".qd-fit").click()
    nb.wait_for("round(w.result.fits[0].band('band 2').center_nm, 1)", "653.0", timeout=30)
    assert nb.eval("w.error_message") == "''"
