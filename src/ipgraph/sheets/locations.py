"""Where in a spreadsheet each part of an import came from, so that a finding can point at the cell to fix.

The importer knows which column writes which property (each triple it adds names its column:
:mod:`ipgraph.sheets.ingest`); :class:`Locations` keeps that, for one import, as (subject, property) → sheet, row
and column, and the row each node was written from. A finding about a property's value — its focus node and
``sh:resultPath`` — is then located at the cell (``机构 institutions!AC3``); one about a node with no such cell
(a missing value, a node-level rule) at the node's row, or its institution's; validation itself knows no
spreadsheet and takes the location as a callable (:meth:`Locations.place`).
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox
from openpyxl.utils import get_column_letter

from .cells import Row, cell_name


class Locations:
    """(subject, property) → (sheet, row, column letter), and subject → (sheet, row), of one import."""

    def __init__(self):
        self.cells: dict[tuple[str, str], tuple[str, int, str]] = {}
        self.rows: dict[str, tuple[str, int]] = {}

    def record(self, row: Row, own: str, triples: Mapping[ox.Triple, str | None]) -> None:
        """The triples one good row wrote, each with its column key (None: implied by the row). ``own`` is the
        row's node (an institution, an offering): nodes under it are placed at the row; another institution
        (the subject of an inverse network link) is not."""
        sheet, number = row.table.name, row.row_number
        letters = {}
        for triple, column in triples.items():
            subject = triple.subject.value
            if subject == own or subject.startswith(own + "/"):
                self.rows.setdefault(subject, (sheet, number))
            if column is not None and column in row.positions:
                letter = letters.get(column) or letters.setdefault(column, get_column_letter(row.positions[column] + 1))
                self.cells.setdefault((subject, triple.predicate.value), (sheet, number, letter))

    def update(self, other: Locations) -> None:
        """Add another import's (several spreadsheets validated together)."""
        for mine, theirs in ((self.cells, other.cells), (self.rows, other.rows)):
            for key, value in theirs.items():
                mine.setdefault(key, value)

    def place(self, focus: str | None, path: str | None, institution: str | None = None) -> dict | None:
        """Where a finding points: the cell that wrote ``path`` of ``focus``, else the row of ``focus`` (or of
        ``institution``); None when the import wrote neither."""
        cell = self.cells.get((focus, path)) if focus and path else None
        if cell is not None:
            sheet, row, column = cell
        else:
            found = self.rows.get(focus or "") or self.rows.get(institution or "")
            if found is None:
                return None
            (sheet, row), column = found, None
        return {"sheet": sheet, "row": row, "column": column, "where": cell_name(sheet, row, column)}

    def of_result(self, result) -> dict | None:
        """:meth:`place` of a validation result (anything with ``focus``, ``path`` and ``institution``)."""
        return self.place(result.focus, result.path, result.institution)
