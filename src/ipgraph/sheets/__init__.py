"""Administrators' spreadsheets ↔ RDF: the workbook layout with its vocabularies (``workbook``), reading
cells (``cells``), import (``ingest``), the template and export (``template``) and the unified social credit
code (``uscc``). May import ``validation``, ``store`` and ``model``.
"""
