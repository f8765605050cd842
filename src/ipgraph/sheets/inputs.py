"""Administrators' input files into one graph: RDF in any syntax or a spreadsheet (XLSX template or CSV).

Errors name the file and where — line and column, or sheet, row and column — in Chinese and English
(:class:`~ipgraph.validation.reference.InputError`). Validation itself takes the graph: it knows no spreadsheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rdflib import Graph

from ..validation.reference import InputError, read_graph
from .ingest import ImportResult, SpreadsheetError, import_spreadsheet

SPREADSHEET_SUFFIXES = (".xlsx", ".csv")


def read_spreadsheet_graph(source: Path | bytes, *, name: str | None = None) -> Graph:
    """The spreadsheet template (XLSX or CSV) as RDF, by :mod:`ipgraph.sheets.ingest`.

    Raises InputError naming every bad cell (sheet, row, column), in zh and en.
    """
    return import_located(source, name=name).graph


def import_located(source: Path | bytes, *, name: str | None = None, write=None) -> ImportResult:
    """The spreadsheet's import (its triples as pyoxigraph's, or handed to ``write`` row by row: see
    :func:`~ipgraph.sheets.ingest.import_spreadsheet`), with the cell each part came from
    (:class:`~ipgraph.sheets.locations.Locations`, for a report to point at). Raises InputError as above."""
    label = name or (str(source) if isinstance(source, Path) else "<input>")
    try:
        return import_spreadsheet(source, locate=True, write=write)
    except SpreadsheetError as error:
        raise InputError("; ".join(p.message("en") for p in error.problems), source=label,
                         zh="；".join(p.message("zh") for p in error.problems),
                         problems=[p.as_dict() for p in error.problems]) from None


def read_inputs(paths: Sequence[Path]) -> Graph:
    """All inputs in one graph. Raises InputError for the first that cannot be read."""
    graph = Graph()
    for path in paths:
        if not path.is_file():
            raise InputError("no such file", source=str(path), zh="文件不存在")
        if path.suffix.lower() in SPREADSHEET_SUFFIXES:
            graph += read_spreadsheet_graph(path)
        else:
            graph += read_graph(path)
    return graph
