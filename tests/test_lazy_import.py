"""``import qdwidgets`` gives lazy access to every core subpackage, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def test_core_subpackages_reachable_after_a_bare_import() -> None:
    code = (
        "import sys, qdwidgets\n"
        "assert 'qdwidgets.core.kinetics' not in sys.modules\n"
        "f = qdwidgets.core.kinetics.fit_global\n"
        "g = qdwidgets.core.chirp.estimate\n"
        "print(f.__name__, g.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["fit_global", "estimate"]
