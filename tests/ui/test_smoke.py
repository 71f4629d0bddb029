"""Browser smoke tests: a notebook runs in JupyterLab, a widget renders, a click reaches Python."""

from __future__ import annotations

from typing import Any

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
