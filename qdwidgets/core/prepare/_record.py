"""The replayable record of the prepare steps: ``attrs["qd_pipeline"]`` (a JSON string).

Every step of :mod:`qdwidgets.core.prepare` appends ``{"step": name, "args": {...}}`` with
JSON-able arguments; an argument that was an in-memory object (a list of scan datasets, a solvent
dataset) is recorded as ``{"$input": name}`` and must be passed again to :meth:`Pipeline.apply`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import xarray as xr

from ...data._marker import VALIDATED_ATTR, is_lazy
from ...data.contract import validate
from ...errors import DatasetError

PIPELINE_ATTR = "qd_pipeline"
INPUT = "$input"


def steps_of(ds: xr.Dataset) -> list[dict[str, Any]]:
    """The recorded steps of ``ds`` (an empty list when none)."""
    text = ds.attrs.get(PIPELINE_ATTR, "")
    if not text:
        return []
    try:
        steps = json.loads(str(text))
    except ValueError:
        raise DatasetError(
            f"attrs[{PIPELINE_ATTR!r}] is not valid JSON. Fix: delete it "
            f"(del ds.attrs[{PIPELINE_ATTR!r}]) — the record of the preparation is lost"
        ) from None
    if not isinstance(steps, list) or not all(isinstance(s, dict) and "step" in s for s in steps):
        raise DatasetError(f"attrs[{PIPELINE_ATTR!r}] is not a list of steps. Fix: delete it")
    return steps


def finish(out: xr.Dataset, step: str, args: Mapping[str, Any], line: str) -> xr.Dataset:
    """``out`` with the step appended to its record and ``line`` to its history, validated."""
    json.dumps(dict(args))  # the record must stay JSON-able (a programming error otherwise)
    out.attrs.pop(VALIDATED_ATTR, None)
    if is_lazy(out["dA"].data) and out.attrs.get("qd_masked"):  # keep those still on the grid
        kept = [w for w in str(out.attrs["qd_masked"]).split(",") if w]
        grid = out["wavelength"].values
        kept = [w for w in kept if np.any(np.isclose(grid, float(w), rtol=0, atol=1e-9))]
        out.attrs["qd_masked"] = ",".join(kept)
        if not kept:
            del out.attrs["qd_masked"]
    out.attrs[PIPELINE_ATTR] = json.dumps([*steps_of(out), {"step": step, "args": dict(args)}])
    old = str(out.attrs.get("qd_history", ""))
    out.attrs["qd_history"] = (old + "\n" if old else "") + f"prepare: {line}"
    return validate(out, "ta")


def _functions() -> dict[str, Callable[..., xr.Dataset]]:
    from . import _average, _background, _steps

    return {
        "average_scans": _average.average_scans,
        "crop": _steps.crop,
        "mask": _steps.mask,
        "bin_wavelength": _steps.bin_wavelength,
        "subtract_background": _background.subtract_background,
        "subtract_solvent": _background.subtract_solvent,
        "shift_time_zero": _steps.shift_time_zero,
        "correct_chirp": _steps.correct_chirp,
        "interpolate_bad": _steps.interpolate_bad,
    }


def _resolve(value: Any, inputs: Mapping[str, Any], step: str) -> Any:
    if isinstance(value, dict) and set(value) == {INPUT}:
        name = value[INPUT]
        if name not in inputs:
            raise DatasetError(
                f"pipeline: step {step!r} used {name!r} given in memory, which the record cannot "
                f"hold. Fix: pass it again, pipeline.apply(raw, {name}=...)"
            )
        return inputs[name]
    return value


def _code(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {INPUT}:
        return str(value[INPUT])
    return repr(value)


@dataclasses.dataclass(frozen=True)
class Pipeline:
    """The recorded preparation of a dataset: ``steps`` (name and JSON-able arguments each).

    ``apply(raw)`` replays the steps on the raw data; ``to_code()`` writes them as Python.
    """

    steps: tuple[dict[str, Any], ...]

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        names = " → ".join(s["step"] for s in self.steps) or "no steps"
        return f"Pipeline({names})"

    def apply(self, raw: Any = None, **inputs: Any) -> xr.Dataset:
        """Replay the steps on ``raw``; returns the prepared dataset.

        Parameters
        ----------
        raw : xarray.Dataset, list or None
            The raw dataset. When the first step is ``average_scans``: the list of scans when
            they were given in memory (paths were recorded otherwise: ``raw`` may then be None
            and the files are read again).
        **inputs
            Other in-memory arguments by the name recorded, e.g. ``solvent=solvent_ds``.

        Returns
        -------
        xarray.Dataset
            The prepared dataset, with the same record.
        """
        fns = _functions()
        data = raw
        for i, s in enumerate(self.steps):
            name = s["step"]
            if name not in fns:
                raise DatasetError(f"pipeline: unknown step {name!r}; known: {sorted(fns)}")
            given = dict(inputs)
            if i == 0 and name == "average_scans" and raw is not None:
                given.setdefault("scans", raw)
            args = {k: _resolve(v, given, name) for k, v in s["args"].items()}
            if name == "average_scans":
                data = fns[name](**args)
            else:
                if data is None:
                    raise DatasetError("pipeline: no data to apply the steps to. Fix: apply(raw)")
                data = fns[name](data, **args)
        if data is None or not isinstance(data, xr.Dataset):
            raise DatasetError("pipeline: no steps recorded and no dataset given")
        return data

    def to_code(self, data_name: str = "ds") -> str:
        """Python that leaves the prepared dataset in ``result``.

        Parameters
        ----------
        data_name : str, default "ds"
            The name of the raw dataset in the code (or of the list of scans when the first
            step averaged scans given in memory). Other in-memory inputs appear under their
            recorded names (``solvent``) and must exist where the code runs.

        Returns
        -------
        str
            The code: an import, then one ``result = prepare.<step>(...)`` line per step.
        """
        if not data_name.isidentifier():
            raise DatasetError(f"data_name must be a Python name, not {data_name!r}")
        lines = ["from qdwidgets.core import prepare", ""]
        if not self.steps or self.steps[0]["step"] != "average_scans":
            lines.append(f"result = {data_name}")
        for i, s in enumerate(self.steps):
            args = dict(s["args"])
            if s["step"] == "average_scans":
                scans = args.pop("scans")
                first = data_name if isinstance(scans, dict) and i == 0 else _code(scans)
                call = ", ".join([first, *(f"{k}={_code(v)}" for k, v in args.items())])
            else:
                call = ", ".join(["result", *(f"{k}={_code(v)}" for k, v in args.items())])
            lines.append(f"result = prepare.{s['step']}({call})")
        return "\n".join(lines) + "\n"


def pipeline(ds: xr.Dataset) -> Pipeline:
    """The :class:`Pipeline` recorded in ``ds`` (``attrs["qd_pipeline"]``).

    Parameters
    ----------
    ds : xarray.Dataset
        A dataset made by the functions of :mod:`qdwidgets.core.prepare` (or read back from a
        file they were saved to).

    Returns
    -------
    Pipeline
        Its steps, ``apply(raw)`` and ``to_code()``.
    """
    if not isinstance(ds, xr.Dataset):
        raise DatasetError(f"pipeline: expected an xarray.Dataset, got {type(ds).__name__}")
    return Pipeline(tuple(steps_of(ds)))
