"""The fixed choices of public core options, as ``Literal`` types for type checkers.

Each option is also checked at run time (:func:`qdwidgets._args.choice`, which names the
allowed values); the tuples below are those values, read from the ``Literal`` so that they are
written once.
"""

from __future__ import annotations

from typing import Literal, get_args

BeamProfile = Literal["tophat", "gaussian"]
"""Beam profile of the pump spot: a uniform disc, or a Gaussian with the 1/e² diameter."""

OutputMethod = Literal["max", "at_peak", "integrated"]
"""How the ASE output is read from each spectrum."""

ThresholdSignal = Literal["enhancement", "output", "reference"]
"""The ASE curve a threshold is fitted to."""

ThresholdCI = Literal["bootstrap", "percentile", "delta"]
"""Interval method of a threshold fit."""

CascadeScaling = Literal["statistical", "pairs"]
"""Auger rates of the multi-exciton cascade: n²(n − 1)/4 ("statistical") or pair counting."""

OccupancyMode = Literal["start", "fix", "ignore"]
"""What a dataset's ``occupancy`` coordinate does in a cascade fit."""

BandShape = Literal["gaussian", "lorentzian", "voigt", "template"]
"""Line shape of a band (in photon energy); "template" is the A0 band-edge shape."""

Handle = Literal["peak", "blue", "red"]
"""A band's drag handle: its peak, or its blue or red half-maximum point."""

GsbShape = Literal["gaussian", "template"]
"""Shape of the proposed ground-state bleach band: a Gaussian, or the A0 band-edge template."""

KineticsCI = Literal["bootstrap"]
"""Interval method of a kinetics fit (``ci=None``: no intervals)."""

KineticsModel = Literal["parallel", "sequential"]
"""Global kinetics model: decay-associated (parallel) or evolution-associated (sequential)."""

BEAM_PROFILES: tuple[BeamProfile, ...] = get_args(BeamProfile)
OUTPUT_METHODS: tuple[OutputMethod, ...] = get_args(OutputMethod)
THRESHOLD_SIGNALS: tuple[ThresholdSignal, ...] = get_args(ThresholdSignal)
THRESHOLD_CI: tuple[ThresholdCI, ...] = get_args(ThresholdCI)
BAND_SHAPES: tuple[BandShape, ...] = get_args(BandShape)
HANDLES: tuple[Handle, ...] = get_args(Handle)
CASCADE_SCALINGS: tuple[CascadeScaling, ...] = get_args(CascadeScaling)
OCCUPANCY_MODES: tuple[OccupancyMode, ...] = get_args(OccupancyMode)
GSB_SHAPES: tuple[GsbShape, ...] = get_args(GsbShape)
KINETICS_CI: tuple[KineticsCI, ...] = get_args(KineticsCI)
KINETICS_MODELS: tuple[KineticsModel, ...] = get_args(KineticsModel)
