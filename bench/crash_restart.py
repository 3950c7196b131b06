"""Crash safety, by hand, at full size (issue 13, point 3): a worker killed with SIGKILL in
the middle of 10,000 orders against full SDN 2021-07 and restarted (`--workers 1`), or one
of two workers killed (`--workers 2`), on an embedded broker of its own. The checks are
tests/integration/crash_run.py's; the suite runs them on a slice of SDN
(tests/integration/test_crash_safety.py). Results: docs/benchmarks.md, "Crash safety".
Prints what it found, keeps the logs with `--keep DIR`, exits non-zero on a failure.

usage: python bench/crash_restart.py [--workers 1|2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from screening.lists import load_directory  # noqa: E402
from streams.broker import EmbeddedBroker  # noqa: E402
from tests.integration.crash_run import kill_one_of_two, sigkill_and_restart  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=1, choices=(1, 2))
    ap.add_argument("--keep", type=Path, help="keep the workers' and broker's logs in this directory")
    args = ap.parse_args()
    entries = load_directory(REPO.parent / "shared" / "data" / "lists" / "ofac" / "sdn-2021-07").entries
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        with EmbeddedBroker(log_file=tmp / "broker.log") as broker:
            run = sigkill_and_restart if args.workers == 1 else kill_one_of_two
            try:
                run(broker, entries, tmp)
            except AssertionError as exc:
                traceback.print_exc()
                print(f"FAILED: {exc}")
                sys.exit(1)
    print("held: every event decided once, one outcome and one decision id each, one hold per subject")


if __name__ == "__main__":
    main()
