"""Embedded example datasets: ``ta()``, ``ase()`` and the real ``hippius()`` measurement."""

from .data.examples import ase, hippius, ta

__all__ = ["ase", "hippius", "ta"]
