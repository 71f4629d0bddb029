"""Notebooks run in JupyterLab: ``NotebookFactory`` and ``RunningNotebook`` (see ``conftest.py``).

Every wait has an explicit timeout; ``page.evaluate`` calls that await a promise race it against a
JavaScript timer, because playwright does not time out ``evaluate``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from _lab import _ANSI, DEFAULT_RUN_TIMEOUT, KERNEL_READY_TIMEOUT, Lab


class _KernelNotReady(RuntimeError):
    """The notebook's kernel did not report ready in time."""


class NotebookError(AssertionError):
    """A notebook cell or an ``eval`` raised in the kernel; the message holds the traceback."""


_READY_JS = """async ([path, ms]) => {
  const timer = new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), ms));
  const work = (async () => {
    const w = window.jupyterapp.shell.currentWidget;
    const sc = w.sessionContext;
    await sc.ready;
    if (!sc.session || !sc.session.kernel) { throw new Error('no kernel for ' + path); }
    await sc.session.kernel.info;
    return sc.session.kernel.id;
  })();
  return await Promise.race([work, timer]);
}"""

_PANEL_JS = """(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) { return false; }
  const w = app.shell.currentWidget;
  return !!(w && w.sessionContext && w.context && w.context.path === path && w.content);
}"""

_STATUS_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const out = {total: 0, done: 0, errors: [], dialog: null};
  const dlg = document.querySelector('.jp-Dialog');
  if (dlg) { out.dialog = dlg.innerText; }
  nb.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') { return; }
    out.total += 1;
    if (cell.model.executionCount !== null) { out.done += 1; }
    const outputs = cell.model.outputs;
    for (let k = 0; k < outputs.length; k++) {
      const o = outputs.get(k).toJSON();
      if (o.output_type === 'error') {
        out.errors.push({cell: i, ename: o.ename, evalue: o.evalue,
                         traceback: (o.traceback || []).join('\\n')});
      }
    }
  });
  return out;
}"""

_EXEC_JS = """async ([code, ms]) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const res = {result: null, stdout: '', stderr: '', error: null};
  const future = kernel.requestExecute({code: code, store_history: false, silent: false});
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type, c = msg.content;
    if (t === 'execute_result') { res.result = (c.data || {})['text/plain'] ?? ''; }
    else if (t === 'stream' && c.name === 'stdout') { res.stdout += c.text; }
    else if (t === 'stream') { res.stderr += c.text; }
    else if (t === 'error') {
      res.error = c.ename + ': ' + c.evalue + '\\n' + (c.traceback || []).join('\\n');
    }
  };
  let timer;
  const timeout = new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error('timeout')), ms);
  });
  try { await Promise.race([future.done, timeout]); }
  catch (e) {
    if (String(e.message) === 'timeout') {
      res.error = 'TimeoutError: no reply within ' + ms + ' ms';
    }
    else if (!res.error) { res.error = String(e); }
  }
  finally { clearTimeout(timer); }
  return res;
}"""


@dataclass
class RunningNotebook:
    """A notebook open in its own page with a live kernel; every cell has executed."""

    page: Any
    path: str
    lab: Lab
    console_errors: list[str]

    def eval(self, code: str, timeout: float = 30.0) -> str:
        """Run ``code`` in the notebook's kernel; the text/plain of its result, else its stdout.

        Raises :class:`NotebookError` with the (ANSI-stripped) traceback if the code raises.
        """
        res = self.page.evaluate(_EXEC_JS, [code, int(timeout * 1000)])
        if res["error"]:
            raise NotebookError(f"{code!r} raised in the kernel:\n{_ANSI.sub('', res['error'])}")
        return str(res["result"] if res["result"] is not None else res["stdout"])

    def wait_for(self, code: str, expected: str, timeout: float = 10.0) -> str:
        """Poll :meth:`eval` until it returns ``expected`` (stripped); fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            last = self.eval(code).strip()
            if last == expected:
                return last
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{code!r} returned {last!r}, not {expected!r}, after {timeout} s"
                )
            time.sleep(0.1)

    def status(self) -> dict[str, Any]:
        """How many code cells have executed, and the error outputs seen so far."""
        return dict(self.page.evaluate(_STATUS_JS))


def _write_notebook(path: Path, cells: list[str]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, str(path))


def _copy_notebook_clean(src: Path, dst: Path) -> None:
    """Copy without outputs or execution counts (the run is detected by counts appearing)."""
    nb = nbformat.read(str(src), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(dst))


class NotebookFactory:
    """``notebook(cells, name=None)`` and ``notebook.open_path(path)``; see the module doc."""

    def __init__(self, lab: Lab, browser: Any, prefix: str = "nb") -> None:
        self.lab = lab
        self.browser = browser
        self._slug = re.sub(r"[^A-Za-z0-9_]+", "_", prefix)[:60]
        self._opened: list[RunningNotebook] = []
        self._contexts: list[Any] = []

    def __call__(
        self, cells: list[str], name: str | None = None, timeout: float = DEFAULT_RUN_TIMEOUT
    ) -> RunningNotebook:
        """Write ``cells`` as a notebook in the server root, open it and run every cell."""
        name = name or f"{self._slug}_{len(self._opened)}.ipynb"
        if not name.endswith(".ipynb"):
            name += ".ipynb"
        _write_notebook(self.lab.root / name, list(cells))
        return self._open(name, timeout)

    def open_path(
        self, path: str | os.PathLike[str], timeout: float = DEFAULT_RUN_TIMEOUT
    ) -> RunningNotebook:
        """Copy an existing notebook (with the files beside it) into the root and run it."""
        src = Path(path).resolve()
        folder = self.lab.root / f"{self._slug}_{len(self._opened)}"
        shutil.copytree(src.parent, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        _copy_notebook_clean(src, folder / src.name)
        return self._open(f"{folder.name}/{src.name}", timeout)

    def _open(self, rel: str, timeout: float, *, retry: bool = True) -> RunningNotebook:
        try:
            return self._open_once(rel, timeout)
        except _KernelNotReady as exc:
            # a kernel that could not bind its (randomly chosen) ports dies at start: a race
            # with any other process on the machine, not a fault of the notebook. Open a copy
            # once (a new session gets a new kernel on new ports).
            if not retry or "Address already in use" not in str(exc):
                raise RuntimeError(str(exc)) from None
            copy = rel.removesuffix(".ipynb") + "_retry.ipynb"
            shutil.copy(self.lab.root / rel, self.lab.root / copy)
            return self._open(copy, timeout, retry=False)

    def _open_once(self, rel: str, timeout: float) -> RunningNotebook:
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        self._contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        nb = RunningNotebook(page, rel, self.lab, errors)
        self._opened.append(nb)
        page.goto(f"{self.lab.url}lab/tree/{rel}?token={self.lab.token}&reset")
        page.wait_for_function(_PANEL_JS, arg=rel, timeout=KERNEL_READY_TIMEOUT * 1000)
        try:
            page.evaluate(_READY_JS, [rel, int(KERNEL_READY_TIMEOUT * 1000)])
        except Exception as exc:
            raise _KernelNotReady(
                f"no ready kernel for {rel} within {KERNEL_READY_TIMEOUT} s: {exc}\n"
                f"server log:\n{self.lab.log_tail()}"
            ) from None
        # Start run-all WITHOUT awaiting it (an awaited command can hang evaluate forever).
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        self._wait_all_executed(nb, timeout)
        return nb

    def _wait_all_executed(self, nb: RunningNotebook, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            st = nb.status()
            if st["errors"]:
                err = st["errors"][0]
                raise NotebookError(
                    f"{nb.path}: cell {err['cell']} raised {err['ename']}: {err['evalue']}\n"
                    f"{_ANSI.sub('', err['traceback'])}"
                )
            if st["dialog"]:
                raise RuntimeError(f"{nb.path}: a dialog opened: {st['dialog']!r}")
            if st["done"] == st["total"]:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{nb.path}: only {st['done']} of {st['total']} code cells executed "
                    f"within {timeout} s; console errors: {nb.console_errors[-5:]}"
                )
            time.sleep(0.1)

    def close(self) -> None:
        """Close the pages and shut down the kernels of this test's notebooks."""
        for ctx in self._contexts:
            with contextlib.suppress(Exception):
                ctx.close()
        paths = {nb.path for nb in self._opened}
        with contextlib.suppress(Exception):
            for session in self.lab.api("GET", "api/sessions") or []:
                if session.get("path") in paths:
                    with contextlib.suppress(Exception):
                        self.lab.api("DELETE", f"api/sessions/{session['id']}")
