"""Where the project's files are: ontology, shapes, queries and data sit beside ``src/`` in the checkout.

``IPGRAPH_HOME`` points elsewhere (e.g. a deployment that copies these folders).
"""

from __future__ import annotations

import os
from pathlib import Path

HOME = Path(os.environ.get("IPGRAPH_HOME") or Path(__file__).resolve().parents[2])

ONTOLOGY_DIR = HOME / "ontology"
SHAPES_DIR = HOME / "shapes"
QUERIES_DIR = HOME / "queries"
DATA_DIR = HOME / "data"
STANDARDS_DIR = HOME / "standards"   # official schemas the exports are checked against (HSDS 3, CPSV-AP)
