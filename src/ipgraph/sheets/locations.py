"""Where in a spreadsheet each part of an import came from, so that a finding can point at the cell to fix.

The importer knows which column writes which property (each triple it adds names its column:
:mod:`ipgraph.sheets.ingest`); :class:`Locations` keeps that, for one import, as (subject, property) → sheet, row
and column, and the row each node was written from. A finding about a property's value — its focus node and
``sh:resultPath`` — is then located at the cell (``机构 institutions!AB3``); a missing value of a row's own node
(an institution, an offering) at the empty cell of the column that writes that property on the sheet (known
once any row of the file has filled it); any other finding (a node-level rule) at the node's row, or its
institution's. Validation itself knows no spreadsheet and takes the location as a callable (:meth:`of_result`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import pyoxigraph as ox
from openpyxl.utils import get_column_letter

from ..model.iris import ID
from .cells import Row, cell_name

_INSTITUTION = str(ID) + "institution/"


class Locations:
    """(subject, property) → (sheet, row, column letter) — or, where several columns write the same property of a
    node (work systems, resources, sources), (subject, property, value) — and subject → (sheet, row), of one
    import."""

    def __init__(self):
        self.cells: dict[tuple, tuple[str, int, str]] = {}
        self.rows: dict[str, tuple[str, int]] = {}
        self.owns: set[str] = set()                                 # the rows' own nodes
        self.columns: dict[tuple[str, str], set[str]] = {}          # (sheet, property of a row's own node) → columns

    def record(self, row: Row, own: str, triples: Mapping[ox.Triple, str | None]) -> None:
        """The triples one good row wrote, each with its column key (None: implied by the row). ``own`` is the
        row's node (an institution, an offering): nodes under it are placed at the row; another institution
        (the subject of an inverse network link) is not."""
        sheet, number = row.table.name, row.row_number
        self.owns.add(own)
        place = (sheet, number)
        written: dict[tuple[str, str], dict[str, tuple]] = {}     # (subject, property) → {value: cell}
        cells: dict[str, tuple[str, int, str]] = {}               # column key → the row's cell (one tuple each)
        subjects: dict[ox.NamedNode, str] = {}                    # a node's IRI, one string per row
        for triple, column in triples.items():
            subject = subjects.get(triple.subject)
            if subject is None:
                subject = subjects[triple.subject] = sys.intern(triple.subject.value)
                if subject == own or subject.startswith(own + "/"):
                    self.rows.setdefault(subject, place)
            if column is not None and column in row.positions:
                cell = cells.get(column)
                if cell is None:
                    cell = cells[column] = (sheet, number, sys.intern(get_column_letter(row.positions[column] + 1)))
                predicate = sys.intern(triple.predicate.value)
                written.setdefault((subject, predicate), {})[triple.object.value] = cell
        for (subject, predicate), values in written.items():
            distinct = set(values.values())
            if len(distinct) == 1:
                self.cells.setdefault((subject, predicate), distinct.pop())
            else:
                for value, cell in values.items():
                    self.cells.setdefault((subject, predicate, value), cell)
            if subject == own:
                self.columns.setdefault((sheet, predicate), set()).update(cell[2] for cell in values.values())

    def update(self, other: Locations) -> None:
        """Add another import's (several spreadsheets validated together)."""
        for mine, theirs in ((self.cells, other.cells), (self.rows, other.rows)):
            for key, value in theirs.items():
                mine.setdefault(key, value)
        for key, columns in other.columns.items():
            self.columns.setdefault(key, set()).update(columns)
        self.owns |= other.owns

    def place(self, focus: str | None, path: str | None, institution: str | None = None,
              value: str | None = None) -> dict | None:
        """Where a finding points: the cell that wrote ``path`` (``value``) of ``focus``; for a row's own node
        without that value, the empty cell of the one column that writes ``path`` on its sheet; else the row of
        ``focus`` (or of ``institution``). None when the import wrote neither."""
        cell = (self.cells.get((focus, path)) or self.cells.get((focus, path, value))) if focus and path else None
        if cell is not None:
            sheet, row, column = cell
        else:
            found = self.rows.get(focus or "") or self.rows.get(institution or "")
            if found is None:
                return None
            sheet, row = found
            columns = self.columns.get((sheet, path), ()) if focus in self.owns and path else ()
            column = next(iter(columns)) if len(columns) == 1 else None
        return {"sheet": sheet, "row": row, "column": column, "where": cell_name(sheet, row, column)}

    def institutions(self) -> dict[str, dict]:
        """Each institution's place (its row): institution IRI → ``{"sheet", "row", "column": None, "where"}``."""
        return {iri: self.place(iri, None) for iri in self.rows
                if iri.startswith(_INSTITUTION) and "/" not in iri[len(_INSTITUTION):]}

    def of_result(self, result) -> dict | None:
        """:meth:`place` of a validation result (anything with ``focus``, ``path``, ``institution``, ``value``)."""
        return self.place(result.focus, result.path, result.institution, result.value)
