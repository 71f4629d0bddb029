"""``result.plot()`` in a real kernel: one PNG per figure, and the PNG survives HTML export."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _kernel_sees_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


def _pngs(cell: nbformat.NotebookNode) -> list[bytes]:
    return [
        base64.b64decode(o["data"]["image/png"])
        for o in cell.outputs
        if "image/png" in o.get("data", {})
    ]


@pytest.mark.slow
def test_plot_shows_once_in_a_notebook_and_exports_to_html(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import qdwidgets\nfrom qdwidgets.core import gain\n"
                "res = gain.gain_spectrum(qdwidgets.examples.ta(), 2.3)"
            ),
            nbformat.v4.new_code_cell("res.plot()"),  # the figure is the cell's value
            nbformat.v4.new_code_cell("fig = res.plot()\nfig.savefig('fig.pdf')"),  # kept, saved
            nbformat.v4.new_code_cell(
                "import matplotlib.pyplot as plt\nfig2, ax = plt.subplots()\n"
                "assert res.plot(ax=ax) is ax"
            ),  # the user's own pyplot figure, shown by the inline backend
        ]
    )
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    shown = [len(_pngs(c)) for c in nb.cells]
    assert shown == [0, 1, 0, 1]
    assert all(p.startswith(PNG) for c in nb.cells for p in _pngs(c))
    assert (tmp_path / "fig.pdf").read_bytes().startswith(b"%PDF")
    body, _ = HTMLExporter().from_notebook_node(nb)
    encoded = [
        o["data"]["image/png"].replace("\n", "")
        for c in nb.cells
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(encoded) == 2 and all(f"data:image/png;base64,{e}" in body for e in encoded)
