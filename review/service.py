"""Wiring of the review service: settings -> store, reviewers, publisher, ingest, app."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import uvicorn

from review.app import ReviewContext, create_app
from review.ingest import ReadModelIngest
from review.publisher import KafkaPublisher
from review.store import ReviewStore, default_db_url
from screening.reviewers import ReviewerDirectory
from streams.kafka import create_topics
from streams.security import reviewer_directory
from streams.settings import Settings

log = logging.getLogger("tradescreen.review")


def db_url(settings: Settings) -> str:
    if settings.review_db_url:
        return settings.review_db_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return default_db_url(settings.data_dir)


@dataclass
class ReviewService:
    """A running review service: read model ingest in a thread, HTTP server in another."""

    settings: Settings
    store: ReviewStore
    ingest: ReadModelIngest
    server: uvicorn.Server
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.settings.review_host}:{self.settings.review_port}"

    def start(self) -> ReviewService:
        self.ingest.start()
        self.thread = threading.Thread(target=self.server.run, name="review-http", daemon=True)
        self.thread.start()
        return self

    def serve(self) -> None:
        """Run in the foreground until interrupted."""
        self.ingest.start()
        try:
            self.server.run()
        finally:
            self.ingest.stop()

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)
        self.ingest.stop()


def build_service(settings: Settings, bootstrap: str, rebuild: bool = False,
                  directory: ReviewerDirectory | None = None) -> ReviewService:
    directory = directory or reviewer_directory(settings)
    if not directory.reviewers:
        log.warning("review: no reviewers configured (TRADESCREEN_REVIEWERS_FILE / TRADESCREEN_REVIEWERS): "
                    "every request will be refused")
    create_topics(settings, bootstrap)
    store = ReviewStore(db_url(settings))
    if rebuild:
        store.drop_all()
    ingest = ReadModelIngest(settings, bootstrap, store)
    app = create_app(ReviewContext(settings, store, directory, KafkaPublisher(bootstrap),
                                   ingest_status=ingest.status))
    config = uvicorn.Config(app, host=settings.review_host, port=settings.review_port, log_level="warning",
                            access_log=False)
    return ReviewService(settings, store, ingest, uvicorn.Server(config))
