"""Crash safety (issue 13, point 3) on the session broker, against a slice of SDN 2021-07
(the checks are tests/integration/crash_run.py's; bench/crash_restart.py runs them with the
full list). Each run has a topic prefix of its own, so it shares the broker, not the topics."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import ListEntry
from screening.lists import load_directory
from streams.broker import EmbeddedBroker
from tests.integration import crash_run

# Enough entries for listed buyers to be held, few enough for a quick start.
SDN_SLICE = 400


@pytest.fixture(scope="module")
def sdn_slice(shared_lists: Path) -> list[ListEntry]:
    return load_directory(shared_lists / "ofac" / "sdn-2021-07").entries[:SDN_SLICE]


def test_a_worker_killed_mid_stream_is_restarted_without_loss_or_second_outcomes(
        broker: EmbeddedBroker, sdn_slice: list[ListEntry], tmp_path: Path) -> None:
    """10,000 orders waiting before the app's first start (every one of them screened: a
    first start used to drop its first fetch), SIGKILL at 30%, a new worker: every event
    decided, one outcome and one decision id each, one hold per subject, no fail-closed
    holds from the restart, ready again within 60 s, and the shipments that waited in the
    killed worker's book for their orders decided once the orders come."""
    crash_run.sigkill_and_restart(broker, sdn_slice, tmp_path, prefix="crash1.")


def test_one_of_two_workers_killed_mid_stream_its_partitions_move_to_the_survivor(
        broker: EmbeddedBroker, sdn_slice: list[ListEntry], tmp_path: Path) -> None:
    """Two workers on 10,000 orders, one killed with SIGKILL at 30%: the survivor is given
    its partitions (the broker expires the dead member after the session timeout) and
    decides every event, with one outcome and one decision id each, one hold per subject."""
    crash_run.kill_one_of_two(broker, sdn_slice, tmp_path, prefix="crash2.")
