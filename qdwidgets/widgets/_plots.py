"""Small bqplot helpers shared by the views (figures, axes, a zero line)."""

from __future__ import annotations

from typing import Any

import bqplot as bq
import numpy as np

#: tick labels of a log axis: plain numbers (0.1, 1, 10, 1000), never '1e+1'
LOG_TICKS = "~g"


def figure(
    x_label: str,
    y_label: str,
    *,
    title: str = "",
    log_x: bool = False,
    log_y: bool = False,
    height: int = 260,
    marks: list[bq.Mark] | None = None,
    scales: tuple[Any, Any] | None = None,
    num_ticks: tuple[int | None, int | None] = (None, None),
) -> tuple[bq.Figure, Any, Any]:
    """A bqplot Figure with labelled axes; returns ``(figure, x_scale, y_scale)``.

    ``num_ticks``: at most this many ticks on (x, y) (a short panel wants few, so that its
    tick labels never overlap); a log axis gets labels on whole decades only.
    """
    xs, ys = scales or (
        bq.LogScale() if log_x else bq.LinearScale(),
        bq.LogScale() if log_y else bq.LinearScale(),
    )
    axes = [
        bq.Axis(scale=xs, label=x_label, grid_lines="none"),
        bq.Axis(
            scale=ys,
            label=y_label,
            side="left",
            grid_lines="dashed",
            tick_format=".3~g",  # 3 significant digits, no trailing zeros: -0.05, not -0.0500
            label_offset="52px",  # clear of the widest tick labels ("-0.0017")
        ),
    ]
    for axis, n in zip(axes, num_ticks, strict=True):
        if n is not None:
            axis.num_ticks = n
        if isinstance(axis.scale, bq.LogScale):
            axis.tick_format = LOG_TICKS

    fig = bq.Figure(
        marks=marks or [],
        axes=axes,
        title=title,
        fig_margin={"top": 30 if title else 10, "bottom": 45, "left": 72, "right": 15},
        layout={"height": f"{height}px", "width": "100%"},
        animation_duration=0,
    )
    return fig, xs, ys


def zero_line(xs: Any, ys: Any, x_range: tuple[float, float], **style: Any) -> bq.Lines:
    """A dashed horizontal line at y = 0 across ``x_range``."""
    return bq.Lines(
        x=np.asarray(x_range, dtype=float),
        y=np.zeros(2),
        scales={"x": xs, "y": ys},
        colors=[style.pop("color", "#888888")],
        line_style="dashed",
        **style,
    )
