"""Exceptions raised by qdwidgets.

Every message says what is wrong and how to fix it, so that a student can act on it.
"""

from __future__ import annotations


class QDError(Exception):
    """Base class of every qdwidgets error."""


class DatasetError(QDError, ValueError):
    """A dataset or file does not meet the dataset contract (see ``qdwidgets.data.validate``)."""


class FitError(QDError, ValueError):
    """A fit cannot be set up or did not converge; the message says why and what to try."""
