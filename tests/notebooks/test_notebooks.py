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
def test_notebook_runs_top_to_bottom(path: Path) -> None:
    nb = run_notebook(path, cwd=NOTEBOOKS)
    assert any(c.cell_type == "code" for c in nb.cells), f"{path.name} has no code cell"


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
    bad = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("y = 1"), nbformat.v4.new_code_cell("1 / (y - 1)")]
    )
    nbformat.write(bad, str(tmp_path / "bad.ipynb"))
    with pytest.raises(NotebookFailed, match=r"bad\.ipynb: a cell raised:[\s\S]*ZeroDivisionError"):
        run_notebook(tmp_path / "bad.ipynb", cwd=tmp_path)
