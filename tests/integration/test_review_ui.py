"""The reviewer UI in a real headless browser (Debian chromium driven by Playwright) against
a review service and a worker of its own, both on the real broker: the orders are
screened by the worker, the holds the UI shows are the worker's, and the reviewers'
actions are applied by the worker and come back on `holds`."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as pw
from playwright.sync_api import Browser, Page

from review.service import ReviewService
from schemas import Disposition, EntryKind, ListEntry
from screening.allowlist import allowlist_key
from streams.broker import EmbeddedBroker
from streams.kafka import read_topic
from tests.integration.harness import OutputReader, WorkerProcess, produce
from tests.integration.review_support import review_worker, running_review
from tests.review.conftest import ENTRY, ROLES, TOKENS

CHROMIUM = "/usr/bin/chromium"
# The machine is shared and the read model fills from the broker: give assertions time.
pw.expect.set_options(timeout=20_000)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PREFIX = "ui."
# "Moon Shipping Ltd" possibly matches it (a HOLD); "Beijing Star Trading Co Ltd" is ENTRY
# itself (a strong match: BLOCK).
MOON = ListEntry(list_code="SDN", source_id="800", kind=EntryKind.organization, name="MOONN SHIPPING",
                 addresses=[{"city": "Shanghai", "country": "CN"}], programs=["IRAN"], source_version="ui-1")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        message = f"{CHROMIUM} missing: run .ci/setup-review.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def ui_worker(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerProcess]:
    with review_worker(broker.bootstrap, tmp_path_factory.mktemp("ui-worker"), PREFIX, [ENTRY, MOON]) as worker:
        yield worker


@pytest.fixture(scope="module")
def ui_outputs(broker: EmbeddedBroker, ui_worker: WorkerProcess) -> Iterator[OutputReader]:
    reader = OutputReader(broker.bootstrap, prefix=PREFIX)
    yield reader
    reader.close()


def sign_in(page: Page, service: ReviewService, who: str) -> None:
    page.goto(f"{service.url}/ui/")
    page.fill("#token", TOKENS[who])
    page.press("#token", "Enter")
    pw.expect(page.locator("#whoami")).to_contain_text(f"({who}, {ROLES[who].value})")


def dispositions(broker: EmbeddedBroker, service: ReviewService) -> list[Disposition]:
    return [Disposition.model_validate_json(v or b"")
            for _, v in read_topic(broker.bootstrap, service.settings.topic("dispositions"), timeout_s=30)]


def held_order(broker: EmbeddedBroker, outputs: OutputReader, order_id: str, buyer: str) -> dict[str, Any]:
    """Send an order to the worker; the hold its decision opened."""
    event = {"event_id": f"ev-{order_id}", "type": "order.created", "order_id": order_id,
             "occurred_at": datetime.now(UTC).isoformat(),
             "parties": [{"role": "buyer", "name": buyer, "address": {"city": "Shanghai", "country": "CN"}}],
             "ship_to": {"country": "CN"}, "lines": []}
    produce(broker.bootstrap, PREFIX + "orders", order_id, json.dumps(event).encode())
    decision = outputs.wait_for("decisions", event_id=event["event_id"])[0]
    return outputs.wait_for("holds", decision_id=decision["decision_id"], status="opened")[0]


def test_confirm_a_hold_and_see_it_leave_the_open_queue(browser: Browser, broker: EmbeddedBroker,
                                                        ui_outputs: OutputReader, tmp_path: Path) -> None:
    with running_review(broker.bootstrap, tmp_path, prefix=PREFIX) as service:
        page = browser.new_page()
        sign_in(page, service, "bob")  # an empty queue: the holds arrive while it is open
        pw.expect(page.locator("#total")).to_have_text("(0)")
        first = held_order(broker, ui_outputs, "o-1", "Beijing Star Trading Co Ltd")["hold_id"]
        held_order(broker, ui_outputs, "o-2", "Moon Shipping Ltd")

        rows = page.locator("#holds tbody tr")
        pw.expect(rows).to_have_count(2)  # the queue polls
        # Keyboard only: a row takes focus once the queue fills; k moves up to the oldest
        # (o-1's), Enter opens it.
        pw.expect(page.locator("#holds tbody tr:focus")).to_have_count(1)
        page.keyboard.press("k")
        pw.expect(rows.first).to_be_focused()
        page.keyboard.press("Enter")
        pw.expect(page.locator("#detail-title")).to_contain_text("order o-1")
        sides = page.locator(".side-by-side")
        pw.expect(sides).to_contain_text(ENTRY.name)
        pw.expect(sides).to_contain_text("STAR TRADING")
        pw.expect(sides.locator("mark.diff").first).to_be_visible()  # Shanghai vs Beijing, at least
        row = page.locator(f'#holds tr[data-hold-id="{first}"]')
        page.click("#actions button[data-action=claim]")
        pw.expect(row.locator("td").last).to_have_text("bob")
        page.fill("#reason", "Same company as SDN:1234, same registered name")
        page.click("#actions button[data-action=confirm]")
        pw.expect(page.locator("#action-result")).to_contain_text("pending")

        # The worker applies the disposition it reads from `dispositions` and answers on
        # `holds`; the hold leaves the open queue.
        [sent] = dispositions(broker, service)
        assert (sent.hold_id, sent.action.value, sent.reviewer) == (first, "confirm", "bob")
        ui_outputs.wait_for("holds", hold_id=first, status="confirmed", reviewer="bob")
        pw.expect(row).to_have_count(0, timeout=30_000)
        pw.expect(rows).to_have_count(1)
        pw.expect(page.locator("#detail-title")).to_contain_text("confirmed")
        pw.expect(page.locator("#history")).to_contain_text("bob")
        pw.expect(page.locator("#history")).to_contain_text("Same company as SDN:1234")

        # The other hold is a false positive: allow-list the pair (a reason is needed here too).
        page.keyboard.press("Escape")
        rows.first.focus()
        page.keyboard.press("Enter")
        pw.expect(page.locator("#detail-title")).to_contain_text("order o-2")
        allow = page.locator("button.allowlist")
        allow.click()
        pw.expect(page.locator("#action-error")).to_contain_text("reason")
        page.fill("#reason", "Moon Shipping is not the listed Beijing company")
        allow.click()
        pw.expect(page.locator("#action-result")).to_contain_text("Allow-listed until")
        [(key, _)] = list(read_topic(broker.bootstrap, service.settings.topic("allowlist"), timeout_s=30))
        assert key is not None and key.decode() == allowlist_key("Moon Shipping Ltd", "CN", MOON.key)
        page.close()


def test_a_reviewer_cannot_release_a_block_and_a_senior_can(browser: Browser, broker: EmbeddedBroker,
                                                           ui_outputs: OutputReader, tmp_path: Path) -> None:
    with running_review(broker.bootstrap, tmp_path, prefix=PREFIX) as service:
        hold_id = held_order(broker, ui_outputs, "o-9", "Beijing Star Trading Co Ltd")["hold_id"]
        # Another system escalates it (rita, a reviewer).
        escalation = Disposition(hold_id=hold_id, action="escalate", reviewer="rita", reason="strong name match",
                                 at=datetime.now(UTC))
        produce(broker.bootstrap, PREFIX + "dispositions", hold_id, escalation.to_json_bytes())

        page = browser.new_page()
        sign_in(page, service, "bob")
        row = page.locator(f'#holds tr[data-hold-id="{hold_id}"]')
        pw.expect(row).to_contain_text("escalated", timeout=30_000)
        row.click()
        release = page.locator("#actions button[data-action=release]")
        pw.expect(page.locator("#detail-title")).to_contain_text("BLOCK order o-9")
        pw.expect(release).to_be_disabled()
        pw.expect(page.locator("#refused")).to_contain_text("senior")
        # Nor does going around the button help: the API refuses the same.
        status = page.evaluate("""async (id) => (await fetch('/api/holds/' + id + '/release', {method: 'POST',
            headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('tradescreen-token'),
                      'Content-Type': 'application/json'}, body: JSON.stringify({reason: 'try'})})).status""",
                               hold_id)
        assert status == 403
        page.click("#signout")

        sign_in(page, service, "sam")
        page.locator(f'#holds tr[data-hold-id="{hold_id}"]').click()
        pw.expect(release).to_be_enabled()
        page.fill("#reason", "Different date of birth and nationality: not the listed person")
        release.click()
        pw.expect(page.locator("#action-result")).to_contain_text("release sent by sam")
        pw.expect(page.locator("#history")).to_contain_text("rita")
        # The worker releases it (sam is a senior, and not who escalated it): it leaves the queue.
        assert ui_outputs.wait_for("holds", hold_id=hold_id, status="released")[0]["reviewer"] == "sam"
        pw.expect(row).to_have_count(0, timeout=30_000)
        sent = [d for d in dispositions(broker, service) if d.hold_id == hold_id]
        assert [(d.action.value, d.reviewer) for d in sent] == [("escalate", "rita"), ("release", "sam")]
        page.close()
