"""Where the time goes, from a py-spy collapsed-stack file (`bench/stream.py --profile F`):
the share of samples whose stack passes through each of the worker's main steps
(inclusive), and the functions with the most samples of their own.

usage: python bench/profile_summary.py FILE [--top 25]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

# (label, substring of a frame "function (file:line)") in the order an order meets them.
STEPS = (
    ("consume (Faust stream, aiokafka fetch)", "aiokafka"),
    ("input bounds and JSON decode", "bounded_json"),
    ("pydantic parse of the event", "decode_message"),
    ("subject record read (pydantic)", "model_validate_json (pydantic"),
    ("screening: name matching", "party_matches"),
    ("screening: all rules", "evaluate (screening/rules/__init__.py"),
    ("subject record write (pydantic dump)", "model_dump_json"),
    ("table changelog (emit point)", "send_changelog"),
    ("outputs: emit (serialise, audit, produce)", "emit (streams/emitter.py"),
    ("audit chain append (RFC 8785)", "append (screening/audit.py"),
    ("facts read back (GlobalTable applier)", "fact_applier"),
    ("pre-commit flush", "flush (streams/emitter.py"),
    ("idle (event loop select)", "select (selectors.py"),
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    total = 0
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in args.file.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        for label, needle in STEPS:
            if any(needle in f for f in frames):
                inclusive[label] += count
        own[frames[-1]] += count
    print(f"{total} samples")
    for label, _ in STEPS:
        print(f"{100 * inclusive[label] / max(total, 1):6.1f}%  {label}")
    print("\nmost samples of their own:")
    for frame, count in own.most_common(args.top):
        print(f"{100 * count / max(total, 1):6.1f}%  {frame[:150]}")


if __name__ == "__main__":
    main()
