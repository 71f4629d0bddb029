"""Browser smoke tests: a notebook runs in JupyterLab, a widget renders, a click reaches Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest


def test_button_click_reaches_python(notebook: Any) -> None:
    nb = notebook(
        [
            "import ipywidgets as W\n"
            "clicks = []\n"
            "b = W.Button(description='press me')\n"
            "b.add_class('qd-smoke-button')\n"
            "b.on_click(lambda _: clicks.append(1))\n"
            "b",
        ]
    )
    button = nb.page.locator(".qd-smoke-button")
    button.wait_for(state="visible", timeout=30_000)
    assert nb.eval("len(clicks)") == "0"
    button.click()
    nb.wait_for("len(clicks)", "1")
    assert nb.eval("print('hi')") == "hi\n"


def test_cell_error_and_eval_error_are_reported(notebook: Any) -> None:
    nb = notebook(["x = 41"])
    assert nb.eval("x + 1") == "42"
    with pytest.raises(AssertionError, match="ZeroDivisionError"):
        nb.eval("1 / 0")
    with pytest.raises(AssertionError, match="NameError: name 'undefined_name'"):
        notebook(["y = 1", "undefined_name", "z = 2"])


TAVIEW_CELL = """
import numpy as np
from qdwidgets.widgets.ta_view import TAView
delays = np.concatenate([np.linspace(-1, 1, 11), np.geomspace(1.5, 1000, 29)])
wl = np.linspace(550, 700, 61)
dA = -0.01 * np.exp(-delays[:, None] / 50) * np.exp(-((wl - 639) / 15) ** 2)
dA = np.stack([dA, 2.5 * dA])
w = TAView()
w.set_data(dA, delays, wl, A0=np.full(wl.size, 0.02), pump_labels=['<N> = 1', '<N> = 3'])
w.delay, w.wavelength = float(delays[0]), float(wl[0])
w
"""


def test_taview_renders_and_clicks_reach_python(notebook: Any) -> None:
    nb = notebook([TAVIEW_CELL])
    page = nb.page
    root = page.locator(".qd-taview")
    root.wait_for(state="visible", timeout=30_000)
    for css in (".qd-map", ".qd-colorbar", ".qd-spectrum", ".qd-kinetics", ".qd-delay-slider"):
        assert root.locator(css).count() == 1, f"{css} missing from the rendered TAView"
    box = root.locator(".qd-map").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100, box

    assert nb.eval("w.quantity") == "'dA'"
    root.locator(".qd-quantity").click()
    nb.wait_for("w.quantity", "'A_ex'")

    assert nb.eval("w.delay") == "-1.0"
    # a click in the right half of the map, mid-height, settles both cursors on grid values:
    # a late delay and a wavelength in the middle of 550-700 nm
    root.locator(".qd-map").click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.5})
    nb.wait_for("w.delay > 100.0 and 590.0 < w.wavelength < 660.0", "True")
    assert nb.eval("w.delay in w.delays and w.wavelength in w.wavelengths") == "True"
    assert not [e for e in nb.console_errors if "qdwidgets" in e or "ta_view" in e], (
        nb.console_errors
    )


def test_open_path_runs_a_copy_beside_its_files(notebook: Any, tmp_path: Path) -> None:
    src = tmp_path / "folder"
    src.mkdir()
    (src / "numbers.txt").write_text("3 4\n")
    nb_node = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# a stored notebook"),
            nbformat.v4.new_code_cell("a, b = map(int, open('numbers.txt').read().split())"),
            nbformat.v4.new_code_cell("hyp = (a * a + b * b) ** 0.5", execution_count=7),
        ]
    )
    nbformat.write(nb_node, str(src / "stored.ipynb"))
    nb = notebook.open_path(src / "stored.ipynb")
    assert nb.eval("hyp") == "5.0"
    assert nbformat.read(str(src / "stored.ipynb"), as_version=4).cells[2].execution_count == 7
