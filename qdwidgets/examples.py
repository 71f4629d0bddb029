"""Embedded example datasets: ``ta()``, ``ase()``, ``fluence()`` and the real ``hippius()``."""

from .data.examples import ase, fluence, hippius, ta

__all__ = ["ase", "fluence", "hippius", "ta"]
