"""Prepare raw TA data for analysis, as a replayable pipeline.

Pure functions, each returning a new validated dataset and recording itself (name and JSON-able
arguments) in ``attrs["qd_pipeline"]``, which survives :func:`qdwidgets.save` /
:func:`qdwidgets.open_dataset`:

- :func:`average_scans` — several scans averaged, outliers and bad scans rejected;
- :func:`crop`, :func:`mask`, :func:`bin_wavelength`, :func:`interpolate_bad`;
- :func:`subtract_background`, :func:`subtract_solvent`;
- :func:`shift_time_zero`, :func:`correct_chirp`.

:func:`pipeline` returns the :class:`Pipeline` of a prepared dataset: ``.steps``,
``.apply(raw)`` (the same preparation on the raw data) and ``.to_code()``. Delays in ps,
wavelengths in nm, signals in OD.

Examples
--------
>>> import qdwidgets
>>> from qdwidgets.core import prepare
>>> raw = qdwidgets.examples.ta()
>>> ds = prepare.mask(prepare.crop(raw, wavelength=(500, 700)), wavelength=[(590, 600)])
>>> p = prepare.pipeline(ds)
>>> [s["step"] for s in p.steps]
['crop', 'mask']
>>> p.apply(raw)["dA"].equals(ds["dA"])
True
"""

from ._average import average_scans
from ._background import subtract_background, subtract_solvent
from ._record import PIPELINE_ATTR, Pipeline, pipeline
from ._steps import (
    bin_wavelength,
    correct_chirp,
    crop,
    interpolate_bad,
    mask,
    shift_time_zero,
)

__all__ = [
    "PIPELINE_ATTR",
    "Pipeline",
    "average_scans",
    "bin_wavelength",
    "correct_chirp",
    "crop",
    "interpolate_bad",
    "mask",
    "pipeline",
    "shift_time_zero",
    "subtract_background",
    "subtract_solvent",
]
