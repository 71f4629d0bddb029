"""JupyterLab themes in the browser tier: set one for the whole server, read a background."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

THEMES = "lab/api/settings/@jupyterlab/apputils-extension:themes"

# the luminance (0 dark … 1 light) of the first non-transparent background up the tree
BACKGROUND_JS = """sel => {
  let el = document.querySelector(sel);
  while (el) {
    const c = getComputedStyle(el).backgroundColor;
    const m = c.match(/rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/);
    if (m && (m[4] === undefined || +m[4] > 0.5)) {
      return (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255;
    }
    el = el.parentElement;
  }
  return 1;
}"""


def set_theme(lab: Any, theme: str) -> None:
    """Set the theme of the server's user settings (pages opened afterwards use it)."""
    body = json.dumps({"raw": json.dumps({"theme": theme})}).encode()
    req = urllib.request.Request(
        lab.url + THEMES,
        data=body,
        method="PUT",
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status in (200, 204)
