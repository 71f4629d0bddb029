"""FluenceExplorer on the example fluence series in JupyterLab, light and dark: it opens without
an error banner, the τ_XX slider moved with the keyboard reaches Python and redraws the model in
the page, and Fit clicked with the mouse gives exactly ``fit_cascade``'s result, shown in the
page's table.

The theme is set through JupyterLab's settings API before the page opens and set back to
JupyterLab Light afterwards (the session's server is shared). Screenshots of the widget go to
``$QD_SHOTS`` when it is set (to look at them).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _theme import BACKGROUND_JS, set_theme

ROOT = ".qd-fluence-explorer"

SETUP = """
import numpy as np
import qdwidgets
from qdwidgets.core.fluence import fit_cascade
ds = qdwidgets.examples.fluence()
w = qdwidgets.FluenceExplorer(ds)
tau0 = w.tau_xx
w
"""

# the fill luminance of the saturation panel's data points (the late bleach per pump level; the
# second figure)
POINTS_JS = """sel => {
  const out = [];
  const fig = document.querySelectorAll(sel + ' .bqplot')[1];
  for (const el of fig.querySelectorAll('path.dot')) {
    const m = getComputedStyle(el).fill.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)/);
    if (m) out.push((0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255);
  }
  return out;
}"""
# the heights (px) of the P(n) bars (the third figure)
BARS_JS = """sel => Array.from(document.querySelectorAll(sel + ' .bqplot')[2]
  .querySelectorAll('rect.bar')).map(r => +r.getAttribute('height'))"""
# the ``d`` of every drawn line in the traces panel (the first figure): 7 data, then 7 model
LINES_JS = """sel => Array.from(document.querySelectorAll(sel + ' .bqplot')[0]
  .querySelectorAll('path.line')).map(p => p.getAttribute('d') || '')"""


@pytest.fixture(params=["JupyterLab Light", "JupyterLab Dark"], ids=["light", "dark"])
def theme(request: pytest.FixtureRequest, lab: Any) -> Iterator[str]:
    set_theme(lab, request.param)
    try:
        yield request.param
    finally:
        set_theme(lab, "JupyterLab Light")


def _shoot(page: Any, theme: str) -> None:
    folder = os.environ.get("QD_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        name = f"fluence-explorer-{theme.split()[-1].lower()}.png"
        page.locator(ROOT).screenshot(path=str(Path(folder) / name))


def test_tau_xx_slider_and_fit_button(theme: str, notebook: Any) -> None:
    nb = notebook([SETUP], timeout=180)
    page = nb.page
    page.set_viewport_size({"width": 1400, "height": 1800})  # the whole widget on screen
    page.wait_for_function(
        "t => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
    )
    root = page.locator(ROOT)
    root.wait_for(state="visible", timeout=60_000)
    figures = root.locator(".bqplot")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROOT} .bqplot path.line').length >= 14",
        timeout=60_000,
    )  # 7 data and 7 model lines
    assert figures.count() == 3
    # no error banner, in the page and in Python
    assert root.locator(".qd-banner-error").count() == 0
    assert nb.eval("w.error_message") == "''"
    assert nb.eval("w.result is None") == "True"
    header = nb.eval("print(f'{w.wavelength:g} nm')").strip()
    assert header in root.locator(".qd-fluence-header").inner_text()

    # the theme reaches the panels: the background and the saturation points follow it
    dark = theme.endswith("Dark")
    background = page.evaluate(BACKGROUND_JS, ROOT)
    assert (background < 0.35) if dark else (background > 0.65), background
    points = page.evaluate(POINTS_JS, ROOT)
    assert len(points) == 7, points
    # visible: light points on dark, dark points on light
    assert all((p > 0.6) if dark else (p < 0.4) for p in points), points

    # P(n): 7 levels × 8 bars, drawn with their height (P(0) of the weakest level ≈ 0.9)
    heights = page.evaluate(BARS_JS, ROOT)
    assert len(heights) == 56 and max(heights) > 100, heights
    assert sum(h > 1 for h in heights) >= 20, heights

    # the τ_XX slider, moved with the keyboard: five steps of 0.01 decade upwards
    before = page.evaluate(LINES_JS, ROOT)
    handle = root.locator(".qd-fluence-tau-xx .noUi-handle")
    handle.scroll_into_view_if_needed()
    handle.wait_for(state="visible", timeout=30_000)
    for _ in range(5):
        handle.focus()
        handle.press("ArrowRight")
    nb.wait_for("w.tau_xx > 1.05 * tau0", "True", timeout=15)
    assert nb.eval("w.tau_xx < 1.2 * tau0") == "True"
    assert nb.eval("w.result is None") == "True"  # a slider redraws the model, it does not fit
    # the model Python drew for the new τ_XX reached the page (the data lines stay)
    assert len(before) == 14, len(before)
    page.wait_for_function(
        f"([sel, old]) => ({LINES_JS})(sel).some((d, i) => d !== old[i])",
        arg=[ROOT, before],
        timeout=15_000,
    )
    after = page.evaluate(LINES_JS, ROOT)
    assert after[:7] == before[:7]  # the data stay
    assert all(a != b for a, b in zip(before[7:], after[7:], strict=True))  # every model moved

    # Fit, clicked with the mouse: the result is fit_cascade's on the widget's settings
    button = root.locator(".qd-fit-button")
    button.scroll_into_view_if_needed()
    button.click()
    nb.wait_for("w.result is not None", "True", timeout=90)
    same = "w.result == fit_cascade(ds, w.wavelength, band_nm=w.band_nm, scaling=w.scaling)"
    assert nb.eval(same, timeout=60) == "True"
    assert nb.eval("w.result == fit_cascade(ds)", timeout=60) == "True"  # the defaults
    assert nb.eval("w.error_message") == "''"
    assert root.locator(".qd-banner-error").count() == 0
    # the sliders moved to the fit, and the front end's rounding of them did not move it back
    page.wait_for_timeout(1000)
    assert nb.eval("(w.tau_xx, w.tau_x) == (w.result.tau_xx, w.result.tau_x)") == "True"
    # the table Python wrote appears in the page, with the fitted numbers
    tau_xx = nb.eval("print(f'{w.result.tau_xx:.4g}')").strip()
    sigma = nb.eval("print(f'{w.result.cross_section:.4g}')").strip()
    page.wait_for_function(
        "t => (document.querySelector('.qd-fluence-explorer .qd-fluence-result')?.textContent"
        " || '').includes(t)",
        arg=tau_xx,
        timeout=15_000,
    )
    table = root.locator(".qd-fluence-result").inner_text()
    assert "τ_XX" in table and tau_xx in table and sigma in table, table
    page.wait_for_timeout(500)  # the redrawn marks settle before the picture
    _shoot(page, theme)
    assert nb.console_errors == [], nb.console_errors
