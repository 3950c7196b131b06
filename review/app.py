"""The review service's HTTP face: a JSON API (OpenAPI at /openapi.json), the reviewer UI
at /ui, metrics at /metrics.

Every request but /healthz, /metrics and the UI's static files needs `Authorization:
Bearer <token>`; the token maps to a reviewer and role (screening.reviewers). Actions are
checked with screening.holds (the same functions the worker runs) and refused at once
with 403/409; accepted ones are published to `dispositions` and show as pending until the
worker's HoldEvent comes back.
"""

# No `from __future__ import annotations`: FastAPI reads the endpoint annotations at runtime.

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from pydantic import BaseModel, Field

from review.publisher import Publisher
from review.store import HoldQuery, HoldRow, ReviewStore, utc
from schemas import Disposition, DispositionAction, ListEntry
from schemas.common import utc_now
from schemas.review import Reviewer, ReviewerRole
from screening.allowlist import allowlist_key, make_allowlist_entry
from screening.holds import Applied, HoldState, Refusal, apply_disposition, check_disposition, disposition_key
from screening.reviewers import ReviewerDirectory
from streams import topics
from streams.settings import Settings

log = logging.getLogger("tradescreen.review")

REFUSALS = Counter("tradescreen_review_refusals_total", "Review API requests refused", ["status", "code"])
ACTIONS = Counter("tradescreen_review_actions_total", "Review actions accepted and published", ["action"])

STATIC = Path(__file__).parent / "static"
_ACTING = frozenset({ReviewerRole.reviewer, ReviewerRole.senior})


@dataclass
class ReviewContext:
    settings: Settings
    store: ReviewStore
    directory: ReviewerDirectory
    publisher: Publisher
    clock: Callable[[], datetime] = utc_now
    # What the read model's ingest reports (review.ingest.ReadModelIngest.status).
    ingest_status: Callable[[], dict[str, Any]] | None = None


class ActionRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=4000, description="why: mandatory, shown in the audit trail")


class ClaimRequest(BaseModel):
    # None: claim for yourself. Another reviewer's id: assign (seniors only).
    assignee: str | None = None
    release: bool = Field(default=False, description="give the hold back to the queue")


class AllowListRequest(BaseModel):
    party_name: str = Field(min_length=1)
    country: str | None = None
    entry_key: str = Field(min_length=3, description="<list>:<source_id>")
    reason: str = Field(min_length=1, max_length=4000)
    ttl_days: float | None = Field(default=None, gt=0, le=3650)
    hold_id: str | None = None


def refuse(request: Request, status: int, code: str, detail: str, reviewer: str | None = None) -> HTTPException:
    """Log (never the token) and count a refusal; the caller raises what this returns."""
    REFUSALS.labels(str(status), code).inc()
    log.warning("review refused status=%s code=%s reviewer=%s method=%s path=%s detail=%s", status, code,
                reviewer or "-", request.method, request.url.path, detail)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(status_code=status, detail={"code": code, "detail": detail}, headers=headers)


def create_app(ctx: ReviewContext) -> FastAPI:
    app = FastAPI(title="tradescreen review", version="1", description=__doc__)
    bearer = HTTPBearer(auto_error=False)

    def current_reviewer(request: Request,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Reviewer:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise refuse(request, 401, "unauthenticated", "a bearer token is required")
        reviewer = ctx.directory.authenticate(credentials.credentials)
        if reviewer is None:
            raise refuse(request, 401, "unauthenticated", "unknown token")
        return reviewer

    Me = Annotated[Reviewer, Depends(current_reviewer)]

    def acting(request: Request, me: Reviewer) -> None:
        if me.role not in _ACTING:
            raise refuse(request, 403, "role", f"role {me.role.value} is read-only", me.id)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        ingest = ctx.ingest_status() if ctx.ingest_status else None
        healthy = ingest is None or bool(ingest["alive"])
        return JSONResponse({"status": "ok" if healthy else "read model not updating", "read_model": ingest},
                            status_code=200 if healthy else 503)

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/api/me")
    def me(me: Me) -> dict[str, Any]:
        return {"id": me.id, "name": me.name, "role": me.role.value}

    @app.get("/api/holds")
    def list_holds(
        me: Me,
        status: str = Query("open", pattern="^(open|closed|all|opened|escalated|released|confirmed)$"),
        reason_code: str | None = None, list_code: Annotated[str | None, Query(alias="list")] = None,
        outcome: str | None = Query(None, pattern="^(HOLD|BLOCK)$"), party: str | None = None,
        assignee: str | None = None, min_age_hours: float | None = Query(None, ge=0),
        max_age_hours: float | None = Query(None, ge=0),
        sort: str = Query("opened_at", pattern="^(opened_at|updated_at|outcome|status|subject|assignee)$"),
        order: str = Query("asc", pattern="^(asc|desc)$"),
        limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0),
    ) -> dict[str, Any]:
        if assignee == "me":
            assignee = me.id
        q = HoldQuery(status=status, reason_code=reason_code, list_code=list_code, outcome=outcome, party=party,
                      assignee=assignee, min_age_hours=min_age_hours, max_age_hours=max_age_hours, sort=sort,
                      descending=order == "desc", limit=limit, offset=offset)
        now = ctx.clock()
        page = ctx.store.list_holds(q, now)
        return {"total": page.total, "limit": limit, "offset": offset,
                "holds": [_summary(row, now) for row in page.holds]}

    @app.get("/api/holds/{hold_id}")
    def hold_detail(hold_id: str, request: Request, me: Me) -> dict[str, Any]:
        row = ctx.store.hold(hold_id)
        if row is None:
            raise refuse(request, 404, "unknown_hold", f"no hold {hold_id}", me.id)
        state = HoldState.model_validate_json(row.state_json)
        decisions = ctx.store.decisions_on(state.subject.kind.value, state.subject.id)
        attached = [d for d in decisions if d.decision_id in state.decision_ids]
        current = attached[-1] if attached else None
        event = ctx.store.subject_event(state.subject.kind.value, state.subject.id)
        effective = _effective_state(ctx, state)
        refusals = {a: check_disposition(effective, a, me.id, me.role) for a in DispositionAction}
        return {
            "hold": _summary(row, ctx.clock()),
            "first_reviewer": state.first_reviewer, "escalated_by": state.escalated_by,
            "decision": current.model_dump(mode="json", by_alias=True, exclude_none=True) if current else None,
            "matches": [_match(ctx, r, event) for r in (current.reasons if current else [])],
            "decisions": [dict(d.model_dump(mode="json", by_alias=True, exclude_none=True),
                               attached=d.decision_id in state.decision_ids) for d in decisions],
            "history": _history(ctx, row, state),
            "allowed_actions": [a.value for a, why in refusals.items() if why is None],
            # Why each other action is not open to this reviewer now (the UI shows it).
            "refused_actions": {a.value: why.reason for a, why in refusals.items() if why is not None},
        }

    def act(action: DispositionAction) -> Callable[..., JSONResponse]:
        def endpoint(hold_id: str, body: ActionRequest, request: Request, me: Me) -> JSONResponse:
            acting(request, me)
            row = ctx.store.hold(hold_id)
            state = HoldState.model_validate_json(row.state_json) if row else None
            now = ctx.clock()
            disposition = Disposition(hold_id=hold_id, action=action, reviewer=me.id, reason=body.reason.strip(),
                                      at=now)
            effective = _effective_state(ctx, state) if state else None
            result = apply_disposition(effective, disposition, me.role, now)
            if isinstance(result, Refusal):
                raise refuse(request, result.http_status, result.code, result.reason, me.id)
            if not isinstance(result, Applied):  # same content twice in one instant
                return JSONResponse({"status": "already_applied"}, status_code=200)
            key = disposition_key(disposition)
            try:
                ctx.publisher.publish(ctx.settings.topic(topics.DISPOSITIONS), hold_id, disposition.to_json_bytes())
            except RuntimeError as exc:
                raise refuse(request, 503, "publish_failed", str(exc), me.id) from None
            ctx.store.record_published(disposition, key)
            ACTIONS.labels(action.value).inc()
            log.info("review action=%s hold=%s reviewer=%s disposition=%s", action.value, hold_id, me.id, key)
            return JSONResponse({"status": "pending", "disposition_key": key,
                                 "disposition": disposition.model_dump(mode="json")}, status_code=202)
        endpoint.__name__ = f"{action.value}_hold"
        endpoint.__doc__ = (f"{action.value.capitalize()} a hold (mandatory reason). Checked at once against the "
                            "hold's state and the reviewer's role (403/409), then published to `dispositions`.")
        return endpoint

    for action in DispositionAction:
        app.post(f"/api/holds/{{hold_id}}/{action.value}", status_code=202)(act(action))

    @app.post("/api/holds/{hold_id}/claim")
    def claim(hold_id: str, body: ClaimRequest, request: Request, me: Me) -> dict[str, Any]:
        acting(request, me)
        row = ctx.store.hold(hold_id)
        if row is None:
            raise refuse(request, 404, "unknown_hold", f"no hold {hold_id}", me.id)
        if row.status in ("released", "confirmed"):
            raise refuse(request, 409, "wrong_state", f"hold {hold_id} is {row.status}", me.id)
        assignee = None if body.release else (body.assignee or me.id)
        if assignee not in (None, me.id):
            if me.role is not ReviewerRole.senior:
                raise refuse(request, 403, "role", "only a senior assigns holds to others", me.id)
            if ctx.directory.get(assignee) is None:
                raise refuse(request, 422, "unknown_reviewer", f"no reviewer {assignee}", me.id)
        if body.release and row.assignee not in (None, me.id) and me.role is not ReviewerRole.senior:
            raise refuse(request, 403, "role", f"hold {hold_id} is claimed by {row.assignee}", me.id)
        ctx.store.claim(hold_id, me.id, assignee, ctx.clock())
        return {"hold_id": hold_id, "assignee": assignee}

    @app.get("/api/allowlist")
    def allowlist(me: Me) -> list[dict[str, Any]]:
        return [e.model_dump(mode="json") for e in ctx.store.allowlist()]

    @app.post("/api/allowlist", status_code=201)
    def create_allowlist_entry(body: AllowListRequest, request: Request, me: Me) -> dict[str, Any]:
        acting(request, me)
        entry = ctx.store.list_entry(body.entry_key)
        if entry is None:
            raise refuse(request, 404, "unknown_entry", f"list entry {body.entry_key} is not on lists.entries",
                         me.id)
        ttl = timedelta(days=body.ttl_days or ctx.settings.allowlist_ttl_days)
        try:
            allow = make_allowlist_entry(body.party_name, body.country, entry, body.reason.strip(), me.id,
                                         ctx.clock(), ttl=ttl, hold_id=body.hold_id)
        except ValueError as exc:
            raise refuse(request, 422, "invalid", str(exc), me.id) from None
        key = allowlist_key(allow.party_name, allow.country, allow.entry_key)
        try:
            ctx.publisher.publish(ctx.settings.topic(topics.ALLOWLIST), key, allow.to_json_bytes())
        except RuntimeError as exc:
            raise refuse(request, 503, "publish_failed", str(exc), me.id) from None
        with ctx.store.session() as s:
            ctx.store.apply_allowlist(s, key, allow)
        log.info("review allowlist key=%s reviewer=%s", key, me.id)
        return {"key": key, "entry": allow.model_dump(mode="json")}

    if STATIC.is_dir():
        app.mount("/ui", StaticFiles(directory=STATIC, html=True), name="ui")
    return app


def _effective_state(ctx: ReviewContext, state: HoldState) -> HoldState:
    """The hold as it will be once the pending dispositions are applied: what a new action
    is checked against (an escalation just sent makes the hold escalated for the next one)."""
    effective = state
    for disposition, refused, _error in sorted(ctx.store.pending(state.hold_id), key=lambda p: p[0].at):
        if refused:
            continue
        result = apply_disposition(effective, disposition, ctx.directory.role_of(disposition.reviewer),
                                   disposition.at)
        if isinstance(result, Applied):
            effective = result.state
    return effective


def _summary(row: HoldRow, now: datetime) -> dict[str, Any]:
    opened = utc(row.opened_at)
    return {
        "hold_id": row.hold_id, "subject": {"kind": row.subject_kind, "id": row.subject_id},
        "status": row.status, "outcome": row.outcome, "opened_at": opened.isoformat(),
        "updated_at": utc(row.updated_at).isoformat(), "age_hours": round((now - opened).total_seconds() / 3600, 2),
        "reason_codes": [c for c in row.reason_codes.split(",") if c],
        "lists": [c for c in row.lists.split(",") if c], "party_names": row.party_names.split("\n")
        if row.party_names else [], "assignee": row.assignee, "pending": row.pending, "summary": row.summary,
        "decision_id": row.decision_id,
    }


def _history(ctx: ReviewContext, row: HoldRow, state: HoldState) -> list[dict[str, Any]]:
    """Who did what, when, why: the hold's steps, claims, and actions not yet applied."""
    items: list[dict[str, Any]] = [
        {"at": a.at.isoformat(), "what": a.status.value if i == 0 or a.reviewer else "decision attached",
         "reviewer": a.reviewer, "reason": a.reason, "decision_id": a.decision_id, "state": "applied"}
        for i, a in enumerate(state.history)]
    items += [{"at": utc(c.at).isoformat(), "what": "claimed" if c.assignee == c.by else
               ("unassigned" if c.assignee is None else f"assigned to {c.assignee}"), "reviewer": c.by,
               "reason": None, "state": "applied"} for c in ctx.store.claims(row.hold_id)]
    items += [{"at": d.at.isoformat(), "what": d.action.value, "reviewer": d.reviewer, "reason": d.reason,
               "state": "refused" if refused else "pending", "error": error}
              for d, refused, error in ctx.store.pending(row.hold_id)]
    return sorted(items, key=lambda i: i["at"])


def _match(ctx: ReviewContext, reason: Any, event: dict[str, Any] | None) -> dict[str, Any]:
    """One reason, with the listed entry and the submitted party beside it."""
    entry: ListEntry | None = None
    if reason.list_code and reason.source_id:
        entry = ctx.store.list_entry(f"{reason.list_code}:{reason.source_id}")
    party = None
    if event is not None and reason.party_name:
        for p in event.get("parties", []):
            if p.get("name") == reason.party_name and (reason.party_role in (None, p.get("role"))):
                party = p
                break
    return {"reason": reason.model_dump(mode="json", by_alias=True, exclude_none=True),
            "entry_key": f"{reason.list_code}:{reason.source_id}" if reason.list_code and reason.source_id else None,
            "entry": entry.model_dump(mode="json", by_alias=True, exclude_none=True) if entry else None,
            "party": party}

