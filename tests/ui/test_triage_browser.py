"""Triage in JupyterLab: the table renders; selecting a row opens the explorer below it."""

from __future__ import annotations

from typing import Any

CELLS = [
    """
import numpy as np, tempfile, pathlib
from qdwidgets import Triage, save
from qdwidgets.data import simulate
folder = pathlib.Path(tempfile.mkdtemp())
ds, _ = simulate.ta(pump=(300.0,), wavelength=np.linspace(560, 720, 41), seed=1)
save(ds, folder / 'ta_300.nc')
save(simulate.ase(seed=2)[0], folder / 'ase.nc')
(folder / 'broken.csv').write_text('a,b\\n1,2,3\\n')
t = Triage(folder, scheduler='sync').wait(120)
t
""",
]


def test_select_a_row_opens_the_explorer(notebook: Any) -> None:
    nb = notebook(CELLS)
    page = nb.page
    rows = page.locator(".qd-triage .qd-triage-row")
    rows.first.wait_for(state="visible", timeout=30_000)
    assert rows.count() == 3
    assert nb.eval("t.selected") == "-1"
    names = nb.eval("[s.rsplit('/', 1)[-1] for s in t.visible()['source']]")
    assert names == "['ase.nc', 'broken.csv', 'ta_300.nc']"
    # the broken file's Open button is disabled; open the TA file (third row)
    assert rows.nth(1).locator(".qd-triage-open").is_disabled()
    rows.nth(2).locator(".qd-triage-open").click()
    nb.wait_for("t.selected", "2", timeout=20.0)
    page.locator(".qd-triage-detail .qd-taview .qd-map").wait_for(state="visible", timeout=30_000)
    assert nb.eval("type(t.detail.children[0]).__name__") == "'TAExplorer'"
    # then the ASE row: the threshold fitter replaces it
    rows.nth(0).locator(".qd-triage-open").click()
    nb.wait_for("type(t.detail.children[0]).__name__", "'ThresholdFitter'", timeout=20.0)
    assert page.locator(".qd-triage-detail .qd-taview").count() == 0
