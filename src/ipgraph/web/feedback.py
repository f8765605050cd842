"""Public feedback routes (clause 7.2): submit feedback; read only the aggregate counts and ratings.

The logic — consent, the private graph, the rate limit — is in :mod:`ipgraph.admin.feedback`.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, FastAPI, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..admin import feedback
from ..model.iris import ID
from .errors import NotFound, TooManyRequests, Unprocessable
from .lang import request_language

router = APIRouter(prefix="/api", tags=["feedback"])


class FeedbackIn(BaseModel):
    institution: str = Field(..., min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                             description="机构标识（…/id/institution/{id}）/ the institution's id",
                             examples=["hl-provincial-node"])
    rating: int = Field(..., ge=1, le=5, description="评分 1–5 / rating from 1 to 5")
    comment: str = Field("", max_length=feedback.MAX_COMMENT, description="意见或建议 / the opinion or suggestion")
    contact: str | None = Field(None, max_length=feedback.MAX_CONTACT,
                                description="联系方式（仅在 consent 为 true 时保存）/ contact details, kept only with consent")
    consent: bool = Field(False, description="同意保存联系方式（同意文本见 GET /api/feedback/consent）/ consent to keep "
                                             "the contact details (text: GET /api/feedback/consent)")


class Summary(BaseModel):
    institution: str
    count: int
    average: float | None
    ratings: dict[str, int]


def install(app: FastAPI) -> None:
    """Add the routes and the per-client rate limiter (from the settings)."""
    settings = app.state.settings
    app.state.feedback_limiter = feedback.RateLimiter(settings.feedback_burst, settings.feedback_per_minute)
    app.include_router(router)


@router.get("/feedback/consent", summary="反馈同意文本 / The consent text for contact details",
            description="The text a person agrees to when leaving contact details, in Chinese and English.")
def consent_text():
    return {"version": feedback.CONSENT_VERSION, "text": feedback.CONSENT_TEXT}


@router.post(
    "/feedback", status_code=201, summary="提交意见反馈（7.2）/ Send feedback about an institution (7.2)",
    description="`contact` is kept only when `consent` is true (otherwise 422, and nothing is kept); the consent "
                "text and time are kept with it. Feedback is stored privately: the public sees only counts and "
                "ratings (`/api/institutions/{id}/feedback-summary`). Rate-limited per client (429 with "
                "`Retry-After`).",
    responses={201: {"description": "kept"}, 422: {"description": "invalid, unknown institution, or contact "
                                                                  "without consent"},
               429: {"description": "too many submissions from this client; retry later"}})
async def submit(request: Request, body: FeedbackIn = Body(...)):
    limiter: feedback.RateLimiter = request.app.state.feedback_limiter
    client = request.client.host if request.client else "unknown"
    language = request_language(request)
    submission = feedback.Submission(institution=body.institution, rating=body.rating, comment=body.comment,
                                     contact=body.contact, consent=body.consent, lang=language)
    try:
        await run_in_threadpool(feedback.check, request.app.state.store, submission)
    except feedback.FeedbackError as error:   # refused before the rate limit: it neither counts nor is kept
        raise Unprocessable(zh=error.zh, en=error.en, detail={"field": error.field}) from None
    wait = limiter.allow(client)
    if wait > 0:
        problem = TooManyRequests(zh=f"提交过于频繁，请 {int(wait) + 1} 秒后再试。",
                                  en=f"Too many submissions; try again in {int(wait) + 1} seconds.")
        return JSONResponse(problem.body(language), status_code=429, headers={"Retry-After": str(int(wait) + 1)})
    try:
        node = await run_in_threadpool(feedback.record, request.app.state.store, submission)
    except feedback.FeedbackError as error:
        raise Unprocessable(zh=error.zh, en=error.en, detail={"field": error.field}) from None
    return {"received": True, "id": str(node).rsplit("/", 1)[-1], "contact_kept": bool(body.consent and body.contact)}


@router.get("/institutions/{id}/feedback-summary", response_model=Summary,
            summary="机构反馈汇总 / An institution's feedback: counts and ratings only",
            description="How many pieces of feedback the institution has had, their average rating and the count "
                        "per rating. Never the text or contact details. 404 when there is no such institution.",
            responses={404: {"description": "no such institution"}})
def feedback_summary(request: Request, id: str = Path(..., max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")):
    store = request.app.state.store
    if not store.ask("institution-exists", institution=ID["institution/" + id]):
        raise NotFound(zh=f"没有标识为“{id}”的机构。", en=f"No institution with id {id!r}.")
    return {"institution": id, **feedback.summary(store, id)}
