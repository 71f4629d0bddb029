"""The browser tier: a real JupyterLab server and Debian's chromium driven by playwright.

Follows ``../shared/BROWSER-TESTS.md``. One server and one browser per test session; each test
opens its notebooks in fresh pages. The API other ui tests use:

- ``lab`` -> :class:`Lab` with ``.url``, ``.token``, ``.root`` (the server's root folder).
- ``notebook`` -> :class:`NotebookFactory`: ``nb = notebook(cells, name=None)`` writes a notebook
  of code cells into ``lab.root``, opens it, waits for a ready kernel, runs every cell and returns a
  :class:`RunningNotebook` (``.page``, ``.eval(code)``, ``.wait_for(code, expected)``,
  ``.console_errors``). ``notebook.open_path(path)`` does the same with a copy of an existing
  notebook. Pages are closed and kernels shut down at the end of the test.
- ``chromium`` -> the session's playwright ``Browser`` (for tests that serve their own pages).

Outside pytest (e.g. ``docs/screenshot.py``): ``start_lab(folder)`` and ``launch_chromium()`` are
context managers, and ``NotebookFactory(lab, browser)`` opens notebooks the same way.

The machinery lives in ``_lab.py`` (server, browser) and ``_notebook.py`` (notebooks). Every
wait has an explicit timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _lab import Lab, launch_chromium, start_lab
from _notebook import NotebookError, NotebookFactory, RunningNotebook

__all__ = [
    "Lab",
    "NotebookError",
    "NotebookFactory",
    "RunningNotebook",
    "launch_chromium",
    "start_lab",
]


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A JupyterLab server subprocess for the whole session, on a free loopback port."""
    with start_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """The session's browser (see :func:`launch_chromium`)."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def notebook(lab: Lab, chromium: Any, request: pytest.FixtureRequest) -> Iterator[NotebookFactory]:
    """Factory opening notebooks in JupyterLab; see :class:`NotebookFactory`."""
    factory = NotebookFactory(lab, chromium, request.node.name)
    try:
        yield factory
    finally:
        factory.close()
