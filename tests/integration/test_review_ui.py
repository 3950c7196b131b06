"""The reviewer UI in a real headless browser (Debian chromium driven by Playwright) against
a review service on the real broker. The worker's side is played by `WorkerStandIn`, which
applies each published disposition with screening.holds, the functions the worker calls."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright import sync_api as pw
from playwright.sync_api import Browser, Page

from review.service import ReviewService
from schemas import Disposition
from schemas.review import ReviewerRole
from screening.allowlist import allowlist_key
from screening.holds import Applied, apply_disposition, hold_event, open_hold
from streams.broker import EmbeddedBroker
from streams.kafka import read_topic
from tests.integration.review_support import WorkerStandIn, running_review
from tests.review.conftest import ENTRY, NOW, ROLES, TOKENS, decision

CHROMIUM = "/usr/bin/chromium"
# The machine is shared and the read model fills from the broker: give assertions time.
pw.expect.set_options(timeout=20_000)
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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


def sign_in(page: Page, service: ReviewService, who: str) -> None:
    page.goto(f"{service.url}/ui/")
    page.fill("#token", TOKENS[who])
    page.press("#token", "Enter")
    pw.expect(page.locator("#whoami")).to_contain_text(f"({who}, {ROLES[who].value})")


def dispositions(broker: EmbeddedBroker, service: ReviewService) -> list[Disposition]:
    return [Disposition.model_validate_json(v or b"")
            for _, v in read_topic(broker.bootstrap, service.settings.topic("dispositions"), timeout_s=30)]


def test_confirm_a_hold_and_see_it_leave_the_open_queue(browser: Browser, broker: EmbeddedBroker,
                                                        tmp_path: Path) -> None:
    with running_review(broker.bootstrap, tmp_path) as service:
        worker = WorkerStandIn(broker.bootstrap, service.settings)
        worker.list_entry(ENTRY)
        page = browser.new_page()
        sign_in(page, service, "bob")  # an empty queue: the holds arrive while it is open
        pw.expect(page.locator("#total")).to_have_text("(0)")
        holds = {}
        for n, party in ((1, "Beijing Star Trading Co Ltd"), (2, "Moon Shipping Ltd")):
            d = decision(f"d-{n}", f"o-{n}", "HOLD", party=party, at=NOW + timedelta(minutes=n))
            worker.decision(d)
            worker.order({"order_id": f"o-{n}", "parties": [
                {"role": "buyer", "name": party, "address": {"city": "Shanghai", "country": "CN"}}]})
            state = open_hold(d, f"h-{n}", d.decided_at)
            holds[state.hold_id] = state
            worker.hold(hold_event(state, state.history[0]))

        rows = page.locator("#holds tbody tr")
        pw.expect(rows).to_have_count(2)  # the queue polls
        # Keyboard only: a row takes focus once the queue fills; k moves up to the oldest
        # (h-1), Enter opens it.
        pw.expect(page.locator("#holds tbody tr:focus")).to_have_count(1)
        page.keyboard.press("k")
        pw.expect(rows.first).to_be_focused()
        page.keyboard.press("Enter")
        pw.expect(page.locator("#detail-title")).to_contain_text("order o-1")
        sides = page.locator(".side-by-side")
        pw.expect(sides).to_contain_text(ENTRY.name)
        pw.expect(sides).to_contain_text("STAR TRADING")
        pw.expect(sides.locator("mark.diff").first).to_be_visible()  # Shanghai vs Beijing, at least
        page.click("#actions button[data-action=claim]")
        pw.expect(page.locator('#holds tr[data-hold-id="h-1"] td').last).to_have_text("bob")
        page.fill("#reason", "Same company as SDN:1234, same registered name")
        page.click("#actions button[data-action=confirm]")
        pw.expect(page.locator("#action-result")).to_contain_text("pending")
        pw.expect(page.locator('#holds tr[data-hold-id="h-1"]')).to_contain_text("pending")

        # The worker applies the disposition it reads from `dispositions` and answers on `holds`.
        [sent] = dispositions(broker, service)
        assert (sent.hold_id, sent.action.value, sent.reviewer) == ("h-1", "confirm", "bob")
        result = apply_disposition(holds["h-1"], sent, ReviewerRole.reviewer, sent.at + timedelta(seconds=1))
        assert isinstance(result, Applied)
        worker.hold(result.event)

        pw.expect(page.locator('#holds tr[data-hold-id="h-1"]')).to_have_count(0, timeout=20_000)
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
        assert key is not None and key.decode() == allowlist_key("Moon Shipping Ltd", "CN", "SDN:1234")
        page.close()


def test_a_reviewer_cannot_release_a_block_and_a_senior_can(browser: Browser, broker: EmbeddedBroker,
                                                           tmp_path: Path) -> None:
    with running_review(broker.bootstrap, tmp_path) as service:
        worker = WorkerStandIn(broker.bootstrap, service.settings)
        worker.list_entry(ENTRY)
        d = decision("d-9", "o-9", "BLOCK")
        worker.decision(d)
        state = open_hold(d, "h-9", d.decided_at)
        worker.hold(hold_event(state, state.history[0]))
        escalation = Disposition(hold_id="h-9", action="escalate", reviewer="rita", reason="strong name match",
                                 at=NOW + timedelta(minutes=1))
        escalated = apply_disposition(state, escalation, ReviewerRole.reviewer, escalation.at)
        assert isinstance(escalated, Applied)
        worker.hold(escalated.event)

        page = browser.new_page()
        sign_in(page, service, "bob")
        row = page.locator('#holds tr[data-hold-id="h-9"]')
        pw.expect(row).to_contain_text("escalated", timeout=20_000)
        row.click()
        release = page.locator("#actions button[data-action=release]")
        pw.expect(page.locator("#detail-title")).to_contain_text("BLOCK order o-9")
        pw.expect(release).to_be_disabled()
        pw.expect(page.locator("#refused")).to_contain_text("senior")
        # Nor does going around the button help: the API refuses the same.
        status = page.evaluate("""async () => (await fetch('/api/holds/h-9/release', {method: 'POST',
            headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('tradescreen-token'),
                      'Content-Type': 'application/json'}, body: JSON.stringify({reason: 'try'})})).status""")
        assert status == 403
        page.click("#signout")

        sign_in(page, service, "sam")
        page.locator('#holds tr[data-hold-id="h-9"]').click()
        pw.expect(release).to_be_enabled()
        page.fill("#reason", "Different date of birth and nationality: not the listed person")
        release.click()
        pw.expect(page.locator("#action-result")).to_contain_text("release sent by sam")
        pw.expect(page.locator("#history")).to_contain_text("rita")
        [sent] = dispositions(broker, service)
        assert (sent.action.value, sent.reviewer) == ("release", "sam")
        page.close()
