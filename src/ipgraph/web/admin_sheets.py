"""The spreadsheet side of the administrators' routes (:mod:`ipgraph.web.admin`): workbooks sent as downloads.
(Where a finding sits in an uploaded spreadsheet is the importer's: :mod:`ipgraph.sheets.locations`.)
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(write: Callable[[Path], object], name: str) -> Response:
    """The workbook ``write`` makes, as an XLSX download named ``name``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        body = path.read_bytes()
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
