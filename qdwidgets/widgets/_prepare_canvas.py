"""PrepareCanvas: the Prepare widget's anywidget (maps, chirp points, brushes, toggles, scans).

Holds arrays and settings only. The browser shifts every column of ``dA`` by the t0(λ) curve
through ``chirp_points`` while a point is dragged (no kernel round trip) and writes a setting
back once, when a drag or a brush ends; the Prepare widget then checks it and recomputes.
Undo and redo come as custom messages ``{"event": "undo"}`` / ``{"event": "redo"}``.
"""

from __future__ import annotations

import pathlib
from typing import Any

import anywidget
import numpy as np
import traitlets as T
import xarray as xr

from ._base import to_binary
from ._prepare_steps import PrepareSettings, degree, kept

BUNDLE = pathlib.Path(__file__).resolve().parent.parent / "static" / "prepare.js"
THUMB = (36, 56)  # delays × wavelengths of a scan's thumbnail
BUILD_HINT = (
    "run `npm --prefix js ci && npm --prefix js run build` in the qdwidgets source tree, "
    "or reinstall qdwidgets (`pip install -e .` builds it)"
)


def _bundle() -> str:
    if not BUNDLE.is_file():
        raise FileNotFoundError(f"the Prepare JavaScript bundle {BUNDLE} is missing: {BUILD_HINT}")
    return BUNDLE.read_text(encoding="utf-8")


def _empty(ndim: int) -> dict[str, Any]:
    return to_binary(np.zeros((0,) * ndim, dtype=np.float32))


Pair = T.List(T.Float(), minlen=2, maxlen=2)


class PrepareCanvas(anywidget.AnyWidget):
    """The canvas of :class:`~qdwidgets.widgets.Prepare` (see the module doc).

    ``dA`` [P, D, W] OD before the chirp correction, ``delays`` ps, ``wavelengths`` nm;
    ``thumbs`` [S, h, w] OD one small map per scan; the settings mirror the Prepare widget's.
    """

    _esm = T.Unicode("").tag(sync=True)

    dA = T.Dict(default_value=_empty(3)).tag(sync=True)
    delays = T.List(T.Float(), default_value=[]).tag(sync=True)
    wavelengths = T.List(T.Float(), default_value=[]).tag(sync=True)
    pump_labels = T.List(T.Unicode(), default_value=[]).tag(sync=True)
    pump_index = T.Int(0).tag(sync=True)
    thumbs = T.Dict(default_value=_empty(3)).tag(sync=True)
    scan_labels = T.List(T.Unicode(), default_value=[]).tag(sync=True)
    chirp_center = T.Float(0.0).tag(sync=True)

    chirp_points = T.List(Pair, default_value=[]).tag(sync=True)
    chirp_order = T.Int(3).tag(sync=True)
    delay_range = T.List(T.Float(), default_value=[], maxlen=2).tag(sync=True)
    wavelength_range = T.List(T.Float(), default_value=[], maxlen=2).tag(sync=True)
    mask_bands = T.List(Pair, default_value=[]).tag(sync=True)
    background = T.Bool(False).tag(sync=True)
    solvent = T.Bool(False).tag(sync=True)
    solvent_available = T.Bool(False).tag(sync=True)
    rejected = T.List(T.Int(), default_value=[]).tag(sync=True)

    can_undo = T.Bool(False).tag(sync=True)
    can_redo = T.Bool(False).tag(sync=True)
    status = T.Unicode("").tag(sync=True)
    height = T.Int(300).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_esm=_bundle(), **kwargs)

    def set_stage(self, dA: np.ndarray, delays: Any, wavelengths: Any, labels: list[str]) -> None:
        """Send the map before the chirp correction: ``dA`` [P, D, W] OD, delays ps, nm."""
        arr = np.ascontiguousarray(dA, dtype=np.float32)
        with self.hold_sync():
            self.delays = [float(v) for v in delays]
            self.wavelengths = [float(v) for v in wavelengths]
            self.dA = to_binary(arr)
            self.pump_labels = list(labels)
            if self.pump_index >= arr.shape[0]:
                self.pump_index = 0

    def set_thumbs(self, thumbs: np.ndarray, labels: list[str]) -> None:
        """One small map [S, h, w] OD per scan, with its label."""
        with self.hold_sync():
            self.thumbs = to_binary(thumbs)
            self.scan_labels = list(labels)


def thumbnail(ds: xr.Dataset) -> np.ndarray:
    """A scan's small map [36 delays, 56 wavelengths] (OD) of its strongest pump level."""
    x = ds["dA"].transpose("pump", "delay", "wavelength").values
    p = int(np.nanargmax(np.nanmax(np.abs(x), axis=(1, 2))))
    rows = np.round(np.linspace(0, x.shape[1] - 1, THUMB[0])).astype(int)
    cols = np.round(np.linspace(0, x.shape[2] - 1, THUMB[1])).astype(int)
    return np.asarray(x[p][np.ix_(rows, cols)], dtype=np.float32)


def scan_labels(n_scans: int, stage: xr.Dataset, rejected: tuple[int, ...]) -> list[str]:
    """The label of each scan, with what the average left out of it (``stage``)."""
    labels = [f"scan {i}" for i in range(n_scans)]
    if "rejected_points" not in stage:
        return labels
    whole = stage["scan_rejected"].values
    points = stage["rejected_points"].values
    for k, i in enumerate(kept(n_scans, rejected)):
        if whole[k]:
            labels[i] += " · auto-rejected (noisy)"
        elif points[k]:
            labels[i] += f" · {int(points[k])} points out"
    return labels


def status_line(result: xr.Dataset, s: PrepareSettings) -> str:
    """One line: the prepared dataset's size and the steps in effect."""
    n = result.sizes
    parts = [f"result {n['pump']} × {n['delay']} delays × {n['wavelength']} wavelengths"]
    if s.chirp_points:
        parts.append(f"chirp degree {degree(s)} through {len(s.chirp_points)} points")
    else:
        parts.append("no chirp correction")
    if s.background:
        parts.append("background subtracted")
    if s.solvent:
        parts.append("solvent subtracted")
    if s.mask_bands:
        parts.append("masked " + ", ".join(f"{a:g}–{b:g} nm" for a, b in s.mask_bands))
    return " · ".join(parts)
