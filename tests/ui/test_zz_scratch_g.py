from typing import Any
SETUP = """
import numpy as np, bqplot as bq, ipywidgets as W
y = np.random.default_rng(0).random((7, 8))
def mk2(cls, y, x=np.arange(8), **kw):
    xs, ys = bq.OrdinalScale(), bq.LinearScale(**kw)
    b = bq.Bars(x=x, y=y, type="grouped", scales={"x": xs, "y": ys})
    f = bq.Figure(marks=[b], axes=[bq.Axis(scale=xs), bq.Axis(scale=ys, orientation="vertical")])
    f.add_class(cls)
    return f
W.VBox([mk2("qa", y, min=0.0, max=1.0), mk2("qb", y, x=[str(i) for i in range(8)]), mk2("qc", y[0], x=[str(i) for i in range(8)]),
        mk2("qd", y, x=np.arange(8.0))])
"""
def test_scratch(notebook: Any) -> None:
    nb = notebook([SETUP], timeout=180)
    page = nb.page
    page.locator(".qd").wait_for(state="visible", timeout=60_000)
    page.wait_for_timeout(2000)
    for c in "abcd":
        print(c, page.evaluate(f"() => Array.from(document.querySelectorAll('.q{c} rect.bar')).slice(0, 5).map(r => r.getAttribute('height'))"))
    print(nb.console_errors)
