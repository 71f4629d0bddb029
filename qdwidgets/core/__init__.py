"""Pure computations over validated datasets: gain, occupancy, chirp, kinetics, bands, threshold.

Imports numpy, scipy, lmfit and xarray only — never a widget library (a test enforces it).
"""
