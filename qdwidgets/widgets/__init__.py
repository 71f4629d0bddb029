"""Jupyter views over ``qdwidgets.core``: state in traits, no science. One file per widget."""
