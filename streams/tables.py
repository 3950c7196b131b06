"""The two kinds of Faust table the worker declares, each adjusted where Faust's own
behaviour does not fit.

- `FeedTable`: a GlobalTable whose changelog is a topic other programs produce to (list
  entries, manifests, facts, ownership, the allow-list). Every worker reads it whole.
- `changelog_through(emitter)`: the class of the worker's own tables (subject books, holds),
  whose changelog records leave through the emit point's confluent-kafka producer rather
  than Faust's per-message send (docs/benchmarks.md: that send cost more per order than
  screening). Faust still recovers them from the changelog topic at start; the emit
  point's flush before every commit covers their delivery as it covers the outputs'.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from faust.tables.globaltable import GlobalTable
from faust.tables.table import Table

from streams.emitter import Emitter


class FeedTable(GlobalTable):
    """Faust's assignor looks the changelog up by the default name `<app>-<table>-changelog`
    even when `changelog_topic` names another topic, fails with a KeyError inside the
    consumer thread and never completes the rebalance. Naming the real topic fixes that."""

    def _changelog_topic_name(self) -> str:
        return str(self.changelog_topic.get_topic_name())


def changelog_through(emitter: Emitter) -> type[Table]:
    class EmitterTable(Table):
        def send_changelog(self, partition: int | None, key: Any, value: Any, key_serializer: Any = None,
                           value_serializer: Any = None) -> Any:
            if partition is None:
                raise RuntimeError(f"table {self.name}: a changelog record needs its partition")
            if not isinstance(key, bytes) or not (value is None or isinstance(value, bytes)):
                raise TypeError(f"table {self.name}: keys and values are bytes we encode ourselves")
            emitter.changelog(str(self.changelog_topic.get_topic_name()), partition, key, value)
            # What Faust reads back from the future it expects: the partition written.
            return SimpleNamespace(message=SimpleNamespace(partition=partition))

    return EmitterTable
