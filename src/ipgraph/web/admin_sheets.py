"""The spreadsheet side of the administrators' routes (:mod:`ipgraph.web.admin`): workbooks sent as downloads,
and where each institution sits in an uploaded spreadsheet, so that a report can point at the row to fix.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi.responses import Response
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(write: Callable[[Path], object], name: str) -> Response:
    """The workbook ``write`` makes, as an XLSX download named ``name``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        body = path.read_bytes()
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


_KEY_HEADERS = {"机构标识", "key", "institution key"}


def spreadsheet_rows(body: bytes) -> dict[str, dict]:
    """For a spreadsheet upload: each institution's sheet and row (its key's cell), so that the report can say
    where to fix what it finds. Empty when the body cannot be read as one."""
    from ..model.iris import ID
    from ..sheets.cells import SpreadsheetError, read_tables

    try:
        table = read_tables(body)["institutions"]
    except (SpreadsheetError, KeyError):
        return {}
    column = 0
    for _, values in table.rows[:2]:
        for index, value in enumerate(values):
            if isinstance(value, str) and value.strip() in _KEY_HEADERS:
                column = index
    found = {}
    for number, values in table.rows:
        key = values[column] if column < len(values) else None
        if isinstance(key, str) and key.strip() and key.strip() not in _KEY_HEADERS:
            found[str(ID["institution/" + key.strip()])] = {"sheet": table.name, "row": number,
                                                            "column": get_column_letter(column + 1)}
    return found
