"""Worker web views: GET /health (JSON) and GET /metrics (Prometheus exposition)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from schemas.common import utc_now
from streams import metrics

if TYPE_CHECKING:
    from streams.handlers import Worker

DEMO_WARNING = ("DEMO LIST LOADED: the built-in demo list holds a handful of public ZTE-case facts and is "
                "NOT fit for compliance use. Load official lists (tradescreen lists load/fetch).")


def health_report(worker: Worker) -> dict[str, Any]:
    now = utc_now()
    state = worker.state
    age = state.age(now)
    loaded_at = state.loaded_at()
    problem = state.availability_problem(now, worker.screener.policy.max_list_age)
    report: dict[str, Any] = {
        "status": "ok" if worker.broker_reachable and problem is None else "degraded",
        "broker": {"bootstrap": worker.bootstrap, "reachable": worker.broker_reachable},
        "lists": {
            "version": state.version(),
            "entries": state.counts(),
            "loaded_at": loaded_at.isoformat() if loaded_at else None,
            "age_seconds": round(age.total_seconds(), 1) if age is not None else None,
            "max_age_hours": worker.settings.max_list_age_hours,
            "fail_closed": problem,
            # Lists whose entries differ from what their last load published: a load still
            # arriving, or changes produced outside a load.
            "differs_from_manifest": state.incomplete_lists(),
            "demo": state.is_demo(),
        },
    }
    if state.is_demo():
        report["warning"] = DEMO_WARNING
    return report


def register_views(worker: Worker) -> None:
    app = worker.app

    @app.page("/health")
    class Health(View):
        async def get(self, request: Request) -> Response:
            return self.json(health_report(worker))

    @app.page("/metrics")
    class Metrics(View):
        async def get(self, request: Request) -> Response:
            age = worker.state.age(utc_now())
            metrics.LIST_STATE_AGE.set(age.total_seconds() if age is not None else -1)
            return self.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])
