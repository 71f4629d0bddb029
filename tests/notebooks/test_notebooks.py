"""Every notebook in ``notebooks/`` executes top to bottom (nbclient, the venv's python3 kernel)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 300  # s per cell, generous for a loaded 2-core CI machine

# the figures each notebook makes and must show (PNG outputs): a figure that is made but not
# shown (a cell ending in `fig.plot();`, or a plot before the cell's last line) lowers the count
IMAGES = {
    "bands.ipynb": 1,
    "gain.ipynb": 2,
    "kinetics.ipynb": 3,
    "paper.ipynb": 5,  # Fig. 2a map, 2b–c gain window, 2d–e bands, 2f/Table 1 kinetics, 3c/3e
    "prepare.ipynb": 1,  # the averaged and the prepared map (the widgets show no PNG)
    "teaching.ipynb": 4,  # A_ex spectra, A_ex vs delay per τ_XX, the cascade fit, A_ex vs ⟨N⟩
    "threshold.ipynb": 1,
    "tour.ipynb": 1,  # widgets, and the cascade fit of the fluence series
}


class NotebookFailed(AssertionError):
    """A notebook cell raised or timed out; the message holds the cell's error text."""


def run_notebook(path: Path, cwd: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Execute ``path`` in a fresh python3 kernel with ``cwd`` as working folder (not saved)."""
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute()
    except CellTimeoutError as exc:
        raise NotebookFailed(f"{path.name}: a cell ran longer than {timeout} s:\n{exc}") from None
    except CellExecutionError as exc:
        raise NotebookFailed(f"{path.name}: a cell raised:\n{exc}") from None
    return nb


@pytest.fixture(autouse=True)
def _kernel_sees_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_runs_top_to_bottom_and_shows_its_figures(path: Path) -> None:
    nb = run_notebook(path, cwd=NOTEBOOKS)
    assert any(c.cell_type == "code" for c in nb.cells), f"{path.name} has no code cell"
    shown = [image_count(c) for c in nb.cells if c.cell_type == "code"]
    assert path.name in IMAGES, f"{path.name}: add its expected figure count to IMAGES"
    assert sum(shown) == IMAGES[path.name], f"{path.name}: PNG outputs per code cell {shown}"


def image_count(cell: nbformat.NotebookNode) -> int:
    """PNG outputs of one executed cell."""
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


def test_runner_reports_the_failing_cell(tmp_path: Path) -> None:
    """The runner itself: outputs are produced, and a raising cell fails with its error text."""
    good = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import os, qdwidgets\nx = 6 * 7"),
            nbformat.v4.new_code_cell("print(x, os.getcwd())"),
        ]
    )
    nbformat.write(good, str(tmp_path / "good.ipynb"))
    nb = run_notebook(tmp_path / "good.ipynb", cwd=tmp_path)
    assert nb.cells[1].outputs[0]["text"].strip() == f"42 {tmp_path}"
    assert [image_count(c) for c in nb.cells] == [0, 0]
    bad = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("y = 1"), nbformat.v4.new_code_cell("1 / (y - 1)")]
    )
    nbformat.write(bad, str(tmp_path / "bad.ipynb"))
    with pytest.raises(NotebookFailed, match=r"bad\.ipynb: a cell raised:[\s\S]*ZeroDivisionError"):
        run_notebook(tmp_path / "bad.ipynb", cwd=tmp_path)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_no_figure_is_made_and_hidden(path: Path) -> None:
    """Fast, static: a qdwidgets ``.plot()`` returns a figure that shows only as the cell's value
    or through ``display()``: a bare ``x.plot()`` statement before the last line, or a last line
    ending in ``plot();``, makes a figure nobody sees."""
    nb = nbformat.read(str(path), as_version=4)
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")]
        for k, line in enumerate(lines):
            text = line.split("#", 1)[0].rstrip()
            bare = not line.startswith((" ", "\t")) and "=" not in text and "(ax=" not in text
            if bare and text.endswith(".plot()") and k < len(lines) - 1:
                raise AssertionError(f"{path.name}, code cell {i}: {text!r} is never shown")
            if bare and text.endswith(".plot();") and "(ax=" not in text:
                raise AssertionError(f"{path.name}, code cell {i}: {text!r} hides its figure")
