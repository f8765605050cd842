"""The HSDS tabular export: a Frictionless Data Package (``datapackage.json``) with one CSV per HSDS table.

Table names, file names and columns come from the official HSDS 3.0.1 schemas in ``standards/hsds-3/`` (each
schema's ``name``, ``path`` and its one-to-one properties, in order), so the CSVs are what HSDS tools expect.
Rows are the nested objects of a :class:`~ipgraph.matching.hsds.Directory`, flattened: every phone, contact,
address … becomes a row of its own table, joined by the ``*_id`` columns.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import cache

from ..paths import STANDARDS_DIR
from .hsds import VERSION, Directory, one_to_one

HSDS_DIR = STANDARDS_DIR / "hsds-3"
TABLES = ("organization", "location", "address", "schedule", "phone", "contact", "service", "service_at_location",
          "cost_option", "attribute", "taxonomy", "taxonomy_term")
_TYPES = {"string": "string", "number": "number", "integer": "integer", "boolean": "boolean"}


@cache
def schema(table: str) -> dict:
    return json.loads((HSDS_DIR / f"{table}.json").read_text(encoding="utf-8"))


def columns(table: str) -> list[str]:
    """The table's columns: the schema's properties that are neither arrays nor nested objects."""
    return [name for name, prop in schema(table)["properties"].items()
            if prop.get("type") != "array" and "$ref" not in prop and prop.get("type") != "object"]


def rows(found: Directory) -> dict[str, dict[str, dict]]:
    """Every object of the directory by table and id (an object met twice is one row)."""
    tables: dict[str, dict[str, dict]] = {t: {} for t in TABLES}

    def add(table: str, obj: dict) -> None:
        tables[table].setdefault(obj["id"], one_to_one(obj))

    for org in found.organizations.values():
        add("organization", org)
        for child, table in (("phones", "phone"), ("contacts", "contact")):
            for item in org.get(child, ()):
                add(table, item)
        for loc in org.get("locations", ()):
            add("location", loc)
            for address in loc.get("addresses", ()):
                add("address", address)
            for schedule in loc.get("schedules", ()):
                add("schedule", schedule)
    for svc in found.services.values():
        add("service", svc)
        for child, table in (("phones", "phone"), ("contacts", "contact"), ("cost_options", "cost_option"),
                             ("attributes", "attribute"), ("service_at_locations", "service_at_location")):
            for item in svc.get(child, ()):
                add(table, item)
    for tax in found.taxonomies.values():
        add("taxonomy", tax)
    for term in found.taxonomy_terms.values():
        add("taxonomy_term", term)
    return tables


def _csv(table: str, items: dict[str, dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(table), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for item in items.values():
        writer.writerow({k: ("" if v is None else v) for k, v in item.items()})
    return out.getvalue().encode("utf-8")


def datapackage(found: Directory) -> dict:
    resources = []
    for table in TABLES:
        spec = schema(table)
        fields = []
        for name in columns(table):
            prop = spec["properties"][name]
            fields.append({k: v for k, v in {"name": name, "type": _TYPES.get(prop.get("type"), "string"),
                                             "format": prop.get("format") if prop.get("format") != "uri" else "uri",
                                             "description": prop.get("description")}.items() if v})
        resources.append({"name": spec["name"], "path": spec["path"], "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "schema": {"fields": fields, "primaryKey": "id"}})
    return {"name": "ipgraph-hsds", "title": "知识产权信息公共服务体系 — HSDS " + VERSION,
            "profile": "tabular-data-package", "language": found.lang,
            "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
            "resources": resources}


def datapackage_zip(found: Directory) -> bytes:
    """``datapackage.json`` and the CSVs, zipped (the files' times fixed, so the same data gives the same bytes)."""
    tables = rows(found)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        def write(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)

        write("datapackage.json", json.dumps(datapackage(found), ensure_ascii=False, indent=1).encode("utf-8"))
        for table in TABLES:
            write(schema(table)["path"], _csv(table, tables[table]))
    return out.getvalue()
