"""Administrators' routes under ``/admin``: upload, evaluations and cases, retirement, feedback, compliance.

Every route but the page shell (``GET /admin``, which holds no data) needs ``Authorization: Bearer <token>``;
the token comes from ``IPGRAPH_ADMIN_TOKEN`` or the first line of ``IPGRAPH_ADMIN_TOKEN_FILE``, read once when
the app is built, and is compared in constant time (``hmac.compare_digest``). No header: 401; a wrong token:
403; no token configured: every admin route answers 403 and says how to configure one. The write logic is in
:mod:`ipgraph.admin.write`; this module reads requests and shapes answers.
"""

from __future__ import annotations

import csv
import hmac
import io
from datetime import date
from pathlib import Path as FilePath

from fastapi import APIRouter, Body, Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from ..admin import feedback, history
from ..admin import write as write_path
from ..admin.preview import Preview
from ..admin.staging import Staged
from ..matching.matcher import MAX_LIMIT
from ..matching.understanding import MatchInputError
from ..settings import Settings
from ..validation.reference import clause_key
from . import coverage
from .admin_sheets import XLSX, workbook
from .errors import (ApiError, BadRequest, Forbidden, NotFound, PayloadTooLarge, Unauthorized, Unprocessable,
                     UnsupportedMediaType)
from .lang import request_language
from .freshness import refresh_after_write
from .public import get_matcher, hold_records

router = APIRouter(prefix="/admin", tags=["admin"])
_bearer = HTTPBearer(auto_error=False, description="the administrators' token (IPGRAPH_ADMIN_TOKEN)")
_TEMPLATE = FilePath(__file__).parent / "templates" / "admin.html"
_KEY = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


class ValidationFailed(ApiError):
    status, code = 422, "validation_failed"


def configured_token(settings: Settings) -> str | None:
    """The admin token from the settings (the token file's first line when no token is set), or None."""
    if settings.admin_token:
        return settings.admin_token
    if settings.admin_token_file:
        try:
            lines = FilePath(settings.admin_token_file).read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        return lines[0].strip() if lines and lines[0].strip() else None
    return None


def require_admin(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> str:
    """The agent label of the caller. Raises Forbidden (disabled or wrong token) or Unauthorized (no token)."""
    expected = getattr(request.app.state, "admin_token", None)
    if not expected:
        raise Forbidden(zh="管理接口未启用：请设置环境变量 IPGRAPH_ADMIN_TOKEN（或 IPGRAPH_ADMIN_TOKEN_FILE 指向存放令牌的文件）后重启服务。",
                        en="The admin routes are disabled: set IPGRAPH_ADMIN_TOKEN (or IPGRAPH_ADMIN_TOKEN_FILE, a file "
                           "holding the token) and restart the service.")
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized(zh="需要管理令牌：请求头 Authorization: Bearer <令牌>。",
                           en="An admin token is required: send the header Authorization: Bearer <token>.")
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise Forbidden(zh="管理令牌不正确。", en="The admin token is wrong.")
    return write_path.agent_label(credentials.credentials)


def writer(app: FastAPI) -> write_path.Writer:
    """The app's one writer (created on first use), which refreshes the match index after each commit."""
    current = getattr(app.state, "writer", None)
    if current is None:
        current = write_path.Writer(app.state.store,
                                    on_commit=lambda: (refresh_after_write(app), coverage.publish(app)),
                                    before_commit=lambda: hold_records(app))
        app.state.writer = current
    return current


def install(app: FastAPI) -> None:
    """Add the admin routes; the token is read once here, not during requests."""
    app.state.admin_token = configured_token(app.state.settings)
    app.include_router(router)


_AUTH_ERRORS = {401: {"description": "no admin token sent"},
                403: {"description": "wrong admin token, or admin routes not configured"}}


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    too_large = PayloadTooLarge(zh=f"上传内容超过上限 {limit} 字节。", en=f"The upload is larger than the limit of {limit} bytes.",
                                detail={"limit": limit})
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _rejected(error: write_path.Rejected, lang: str, rows: dict | None = None, places=None) -> ValidationFailed:
    counts = error.report.counts
    return ValidationFailed(
        zh=f"数据有 {counts['Violation']} 项违反规范，未写入任何内容。请按报告修改后重新上传。",
        en=f"The data has {counts['Violation']} violations; nothing was written. Fix them as the report says "
           "and upload again.",
        detail={"report": error.report.to_json(lang, places), **({"rows": rows} if rows else {})})




def _accepted(result: write_path.WriteResult, lang: str) -> dict:
    return {"accepted": True, "activity": result.activity, "graphs": result.graphs,
            "institutions": result.institutions, "report": result.report.to_json(lang)}


_UPLOAD_TYPES = sorted(write_path.RDF_TYPES) + sorted(write_path.SPREADSHEET_TYPES)


@router.post(
    "/upload", summary="上传机构或整个网络的数据 / Upload institutions' or a whole network's data",
    description="The request body is the file itself, its `Content-Type` one of: " + ", ".join(_UPLOAD_TYPES)
                + ". 先校验后写入；`dry_run=true` 只校验并预览变更，不写入任何内容。 / "
                  "With `dry_run=true` the upload is only checked: the answer (200) is the report the write would "
                  "give (`conforms`, `report`) and a preview of the change (`change`: institutions added, changed, "
                  "unchanged; triples in and out), and nothing is written — the same check `ipgraph validate` runs. "
                  "The data is validated first (with the ontology, schemes and regions, and the rest of the "
                  "network); a Violation the upload brings (or any on an uploaded institution) refuses it with the "
                  "report (422) and nothing changes. Otherwise the graph of each institution the upload describes "
                  "(gives an rdf:type) is replaced, in one transaction; other triples — links about other "
                  "institutions, IP administrations — are added to their graphs; "
                  "the match index is rebuilt, and the report (warnings) is returned. Unreadable input: 400 with "
                  "line/column (or sheet/row/column); too large: 413; another content type: 415. For a "
                  "spreadsheet, each result of the report (check-only or refused) has `place` (电子表格中的位置：工作表、"
                  "行、列): the sheet, row and column of the cell that wrote the value it is about, or its node's row.",
    responses={**_AUTH_ERRORS, 400: {"description": "the upload cannot be parsed"},
               413: {"description": "the upload is larger than IPGRAPH_MAX_UPLOAD_BYTES"},
               415: {"description": "unsupported content type"},
               422: {"description": "refused: the data has Violations (report attached)"}},
    openapi_extra={"requestBody": {"required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                                   for t in _UPLOAD_TYPES}}})
async def upload(request: Request, agent: str = Depends(require_admin),
                 lang: str | None = Query(None, description="zh or en"),
                 dry_run: bool = Query(False, description="只校验并预览，不写入 / check and preview only, write "
                                                          "nothing")):
    language = request_language(request)
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in write_path.RDF_TYPES and media_type not in write_path.SPREADSHEET_TYPES:
        raise UnsupportedMediaType(zh=f"不支持的内容类型“{media_type or '（无）'}”；可用：{', '.join(_UPLOAD_TYPES)}。",
                                   en=f"Unsupported content type {media_type or '(none)'!r}; use one of: "
                                      f"{', '.join(_UPLOAD_TYPES)}.")
    body = await _body(request, request.app.state.settings.max_upload_bytes)
    if not body.strip():
        raise BadRequest(zh="上传内容为空。", en="The upload is empty.")
    try:
        data, locations = await run_in_threadpool(write_path.read_upload, body, media_type)
    except write_path.BadUpload as error:
        raise BadRequest(zh=error.zh, en=error.en, detail={"problems": error.problems}) from None
    # a spreadsheet's findings point at the cell that wrote the value (or the row of the node they are about)
    places = locations.of_result if locations is not None else None
    rows = locations.institutions() if locations is not None else {}
    if dry_run:
        answer = (await run_in_threadpool(_preview, writer(request.app), data)).as_dict(language, places)
        return {"accepted": False, "dry_run": True, **answer, **({"rows": rows} if rows else {})}
    try:
        result = await run_in_threadpool(writer(request.app).upload, data, agent=agent)
    except write_path.Rejected as error:
        raise _rejected(error, language, rows, places) from None
    except ValueError:
        raise Unprocessable(zh="上传内容没有描述任何机构（缺少机构的 rdf:type）。",
                            en="The upload describes no institution (no rdf:type for any institution).") from None
    return _accepted(result, language)


def _preview(current: write_path.Writer, data) -> Preview:
    staged = Staged.from_graph(data)
    try:
        return current.preview(staged)
    finally:
        staged.close()


@router.get("/template.xlsx", summary="空白电子表格模板 / The empty spreadsheet template",
            description="管理员填写机构与服务的 XLSX 模板（下拉列表取自本服务的词表）；填好后可上传到 /admin/upload。 / "
                        "The administrators' XLSX template (drop-down lists from this service's vocabularies), "
                        "to fill in and upload to /admin/upload (docs/spreadsheet.md).",
            responses={**_AUTH_ERRORS, 200: {"content": {XLSX: {}}}})
def template(request: Request, agent: str = Depends(require_admin)):
    from ..sheets.template import write_template

    store = request.app.state.store
    return workbook(lambda path: write_template(path, store=store), "ipgraph-template.xlsx")


@router.get("/network.xlsx", summary="当前网络（已填写的模板）/ The current network as a filled template",
            description="本服务当前的全部机构及其服务，写入同一模板：改好后重新上传即可更新。模板没有对应列的数据不写入（见 "
                        "docs/spreadsheet.md）。 / Every institution the service now holds, with its offerings, "
                        "written into the same template: edit it and upload it again. What the template has no "
                        "column for is left out (docs/spreadsheet.md).",
            responses={**_AUTH_ERRORS, 200: {"content": {XLSX: {}}}})
def network(request: Request, agent: str = Depends(require_admin)):
    from ..admin.backup import network_graph
    from ..sheets.template import write_spreadsheet

    store = request.app.state.store
    graph = network_graph(store)
    return workbook(lambda path: write_spreadsheet(graph, path, store=store), "ipgraph-network.xlsx")


class EvaluationIn(BaseModel):
    kind: str = Field(..., pattern="^(dynamic-monitoring|mid-term|summary)$",
                      description="动态监测 dynamic-monitoring、中期评估 mid-term 或总结评估 summary (7.1)")
    date: date
    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=5000)


class CaseIn(BaseModel):
    title: str = Field(..., min_length=1, max_length=300)
    date: date
    description: str | None = Field(None, max_length=5000)
    reported_to: str | None = Field(None, max_length=100, pattern=_KEY,
                                    description="the IP administration it was reported to (key, e.g. hl-230600)")


def _add(request: Request, id: str, agent: str, make, action: str) -> dict:
    try:
        result, subject = writer(request.app).add_record(id, make, agent=agent, action=action)
    except write_path.NotAnInstitution:
        raise NotFound(zh=f"没有标识为“{id}”的机构。", en=f"No institution with id {id!r}.") from None
    except write_path.Rejected as error:
        raise _rejected(error, request_language(request)) from None
    return {**_accepted(result, request_language(request)), "record": str(subject)}


@router.post("/institutions/{id}/evaluations", summary="记录评估（7.1）/ Record an evaluation (7.1)",
             responses={**_AUTH_ERRORS, 404: {"description": "no such institution"},
                        422: {"description": "invalid request, or refused by validation"}})
def add_evaluation(request: Request, id: str = Path(..., max_length=200, pattern=_KEY),
                   evaluation: EvaluationIn = Body(...), agent: str = Depends(require_admin)):
    return _add(request, id, agent, lambda existing: history.evaluation_graph(
        id, existing, kind=evaluation.kind, on=evaluation.date, title=evaluation.title,
        description=evaluation.description), "evaluation")


@router.post("/institutions/{id}/cases", summary="记录实践案例（7.3）/ Record a practice case (7.3)",
             responses={**_AUTH_ERRORS, 404: {"description": "no such institution"},
                        422: {"description": "invalid request, or refused by validation"}})
def add_case(request: Request, id: str = Path(..., max_length=200, pattern=_KEY), case: CaseIn = Body(...),
             agent: str = Depends(require_admin)):
    return _add(request, id, agent, lambda existing: history.case_graph(
        id, existing, title=case.title, on=case.date, description=case.description,
        reported_to=case.reported_to), "practice-case")


def _export(rows: list[dict], format: str, name: str):
    if format == "csv":
        out = io.StringIO()
        columns = ["institution", "institution_name", "record", "type", "date", "title", "description", "reported_to"]
        writer_ = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer_.writeheader()
        writer_.writerows(rows)
        return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    return {"total": len(rows), name: rows}


@router.get("/evaluations", summary="评估列表与导出 / Evaluations: list or export (JSON or CSV)",
            responses={**_AUTH_ERRORS, 200: {"content": {"application/json": {}, "text/csv": {}}}})
def list_evaluations(request: Request, institution: str | None = Query(None, max_length=200, pattern=_KEY),
                     format: str = Query("json", pattern="^(json|csv)$"), agent: str = Depends(require_admin)):
    return _export(history.records(request.app.state.store, "evaluations", institution), format, "evaluations")


@router.get("/cases", summary="实践案例列表与导出 / Practice cases: list or export (JSON or CSV)",
            responses={**_AUTH_ERRORS, 200: {"content": {"application/json": {}, "text/csv": {}}}})
def list_cases(request: Request, institution: str | None = Query(None, max_length=200, pattern=_KEY),
               format: str = Query("json", pattern="^(json|csv)$"), agent: str = Depends(require_admin)):
    return _export(history.records(request.app.state.store, "cases", institution), format, "cases")


@router.delete("/institutions/{id}", summary="撤销机构（保留历史）/ Retire an institution (history kept)",
               description="Drops the institution's graph in one transaction: it is gone from matching, pages, "
                           "/sparql and dumps; its last content is kept in the provenance graph with who and when.",
               responses={**_AUTH_ERRORS, 404: {"description": "no such institution"}})
def retire(request: Request, id: str = Path(..., max_length=200, pattern=_KEY),
           reason: str | None = Query(None, max_length=500, description="why it is retired"),
           agent: str = Depends(require_admin)):
    try:
        result = writer(request.app).retire(id, agent=agent, reason=reason)
    except write_path.NotAnInstitution:
        raise NotFound(zh=f"没有标识为“{id}”的机构。", en=f"No institution with id {id!r}.") from None
    return {"retired": id, "activity": result.activity, "graphs": result.graphs,
            "report": result.report.to_json(request_language(request))}


@router.get("/activities", summary="写入记录（PROV）/ Recorded writes (PROV)", responses=_AUTH_ERRORS)
def list_activities(request: Request, limit: int = Query(100, ge=1, le=1000), agent: str = Depends(require_admin)):
    return {"activities": history.activities(request.app.state.store, limit)}


@router.get("/feedback", summary="意见反馈（7.2，含经同意的联系方式）/ Feedback received, with per-institution summaries",
            responses=_AUTH_ERRORS)
def list_feedback(request: Request, institution: str | None = Query(None, max_length=200, pattern=_KEY),
                  agent: str = Depends(require_admin)):
    store = request.app.state.store
    items = feedback.listing(store)
    if institution:
        items = [item for item in items if item["institution"] == institution]
    return {"total": len(items), "summaries": feedback.summaries(store, institution), "feedback": items}


@router.get("/compliance", summary="合规概览：机构 × 条款 / Compliance overview: institutions × clauses",
            description="From the incremental validation state: per institution, the count of Violations, "
                        "Warnings and Infos under each clause. Filters: `region` (a place name or GB/T 2260 code: "
                        "that region and those under it), `kind` (TISC, outlet, node, …), `clause` (a clause and "
                        "its sub-clauses, e.g. 5.1 or 6.3.2), `severity`.",
            responses={**_AUTH_ERRORS, 422: {"description": "unknown region or kind"}})
def compliance(request: Request,
               region: str | None = Query(None, max_length=100, examples=["哈尔滨", "230100"]),
               kind: str | None = Query(None, max_length=100, examples=["TISC", "outlet"]),
               clause: str | None = Query(None, max_length=50, examples=["5.1", "7.1"]),
               severity: str | None = Query(None, pattern="^(Violation|Warning|Info)$"),
               results: bool = Query(False, description="include each result (focus, message), not only counts"),
               lang: str | None = Query(None, description="zh or en"),
               agent: str = Depends(require_admin)):
    language = request_language(request)
    report = writer(request.app).compliance_report()
    matcher = get_matcher(request.app)
    index = matcher.index
    keep: set[str] | None = None
    if region or kind:
        keep, offset = set(), 0
        try:
            while True:
                total, iris = matcher.institutions(kind=kind, region=region, limit=MAX_LIMIT, offset=offset)
                keep.update(iris)
                offset += MAX_LIMIT
                if offset >= total:
                    break
        except MatchInputError as error:
            raise Unprocessable(zh=error.zh, en=error.en, detail={"field": error.field,
                                                                  "suggestions": error.suggestions,
                                                                  "candidates": error.candidates}) from None
    rows: dict[str, dict] = {}
    clauses: set[str] = set()
    totals = {"Violation": 0, "Warning": 0, "Info": 0}
    for result in report.results:
        if result.institution is None or (keep is not None and result.institution not in keep):
            continue
        if severity and result.severity != severity:
            continue
        if clause and not (result.clause == clause or result.clause.startswith(clause + ".")
                           or result.clause.startswith(clause + " ")):
            continue
        row = rows.get(result.institution)
        if row is None:
            position = index.position.get(result.institution)
            row = rows[result.institution] = {
                "institution": result.institution, "id": result.institution.rsplit("/", 1)[-1],
                "label": report.label(result.institution, language),
                "kind": index.classes[int(index.kind[position])] if position is not None else None,
                "region": index.regions[int(index.region[position])]
                if position is not None and int(index.region[position]) >= 0 else None,
                "counts": {"Violation": 0, "Warning": 0, "Info": 0}, "clauses": {}}
            if results:
                row["results"] = []
        row["counts"][result.severity] += 1
        row["clauses"].setdefault(result.clause, {"Violation": 0, "Warning": 0, "Info": 0})[result.severity] += 1
        if results:
            row["results"].append(result.as_dict(language))
        clauses.add(result.clause)
        totals[result.severity] += 1
    return {"filters": {"region": region, "kind": kind, "clause": clause, "severity": severity},
            "clauses": sorted(clauses, key=clause_key), "counts": totals,
            "institutions": sorted(rows.values(), key=lambda r: r["institution"])}


@router.get("", response_class=HTMLResponse, include_in_schema=False)
def page(request: Request):
    """The administration page: a shell whose script asks for the token and calls the routes above."""
    language = request_language(request)
    return HTMLResponse(_TEMPLATE.read_text(encoding="utf-8").replace("{{lang}}", language),
                        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                                 "Referrer-Policy": "no-referrer"})
