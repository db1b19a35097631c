"""Exports of the results: files for a GIS or a spreadsheet, print-quality maps and the scenario report.

Modules, each importing only those above it in this list:

* :mod:`~geo.export.options` — export options parsed once into enums (formats, paper, view, language, dpi), :class:`ExportError`.
* :mod:`~geo.export.style` — the colours shared with the dashboard's maps.
* :mod:`~geo.export.names` — file names (``junheng_<region>_<scenario>_<kind>_<date>``) and output paths.
* :mod:`~geo.export.tables` — the tables for people (Chinese headers) of XLSX and CSV exports.
* :mod:`~geo.export.files` — GeoJSON, GeoPackage, XLSX and CSV writers and download bytes.
* :mod:`~geo.export.printkit` — fonts, text fitting, page geometry, legend, scale bar, north arrow.
* :mod:`~geo.export.mapdraw` — the map body shared by the map sheet and the report.
* :mod:`~geo.export.mapimage` — :func:`~geo.export.mapimage.render_map`, the map sheet.
* :mod:`~geo.export.reporttext` — the report's rows and sentences (KPIs, impact, checks, 差异系数).
* :mod:`~geo.export.report` — :func:`~geo.export.report.build_report`, the scenario report PDF.

The package imports nothing itself, so ``import geo.export.options`` stays light.
"""
