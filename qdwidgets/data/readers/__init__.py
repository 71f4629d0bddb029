"""File readers, one module per format; each returns a raw dataset that ``open_dataset``
validates. See ``qdwidgets.data.io.open_dataset`` for format detection and the options.

- ``netcdf``: the native format (``qdwidgets.save``).
- ``glotaran``: Glotaran ASCII, "Time explicit" / "Wavelength explicit".
- ``delimited``: a ΔA matrix in CSV/TSV/whitespace text, delays along the first row or column.
- ``npz``: NumPy ``.npz`` with named arrays (loaded with ``allow_pickle=False``).
- ``ase``: ASE spectra as a long table; ``ase_files``: one spectrum file per pump power.

``_scans.open_scans`` (exported as ``qdwidgets.open_scans``) reads the scans of one TA
measurement, a glob pattern or a folder, with these readers.
"""
