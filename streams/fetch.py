"""`lists fetch` at the network edge: download the configured official list files with
conditional requests, time-outs and retries; keep the last good snapshot of each source;
parse a download before it may replace that snapshot; hold back (quarantine) an update
that shrinks a list by more than the allowed fraction.

Snapshot store, one folder per source under `<data_dir>/lists/`:

    <source>/<file name>            the last good download (what was last published)
    <source>/meta.json              etag, last_modified, sha256, size, fetched_at, url
    <source>/incoming/<file name>   a download being checked; promoted or discarded
    quarantine/<UTC time>-<file>    updates held back for review
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from schemas import Alert, AlertSeverity, ListEntry
from screening.decisions import stable_id
from screening.lists import ListLoad, detect_format, load_directory, parse_file
from screening.lists.loader import FORMAT_OFAC_PART
from streams.list_publisher import PublishReport
from streams.settings import Settings

log = logging.getLogger("tradescreen.fetch")

CODE_FETCH_FAILED = "LIST_FETCH_FAILED"
CODE_QUARANTINED = "LIST_QUARANTINED"
USER_AGENT = "tradescreen-lists-fetch/0.1"
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


# --- configuration -------------------------------------------------------------------


@dataclass(frozen=True)
class ListSource:
    name: str
    url: str
    file_name: str  # saved under this name: the list parsers recognise files by name


def _file_name_of(url: str) -> str:
    parts = urlsplit(url)
    name = parts.fragment or PurePosixPath(unquote(parts.path)).name
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"cannot tell a file name from {url!r}: add one as a fragment, e.g. '#sdn.csv'")
    return name.lower()


def list_sources(settings: Settings, only: Collection[str] = ()) -> list[ListSource]:
    """The configured sources (all, or the ones named in `only`), in name order."""
    unknown = sorted(set(only) - set(settings.list_sources))
    if unknown:
        raise ValueError(f"unknown list source(s) {', '.join(unknown)}; configured: "
                         f"{', '.join(sorted(settings.list_sources))}")
    sources: list[ListSource] = []
    for name, url in sorted(settings.list_sources.items()):
        if not _SOURCE_NAME.match(name):
            raise ValueError(f"list source name {name!r} must be letters, digits, '.', '_' or '-'")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"list source {name}: {url!r} is not an http(s) URL")
        sources.append(ListSource(name, url.split("#", 1)[0], _file_name_of(url)))
    by_file: dict[str, str] = {}
    for source in sources:
        # All sources are parsed side by side in one folder: two files with one name clash.
        if source.file_name in by_file:
            raise ValueError(f"list sources {by_file[source.file_name]} and {source.name} both save "
                             f"as {source.file_name}")
        by_file[source.file_name] = source.name
    return [s for s in sources if not only or s.name in only]


# --- snapshot store ------------------------------------------------------------------


@dataclass(frozen=True)
class SnapshotMeta:
    url: str
    file_name: str
    sha256: str
    size: int
    fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    # Entries per list that this file's set yielded when it was accepted: tells which of
    # several files feeding one list is the one that shrank.
    lists: dict[str, int] | None = None

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "fetched_at": self.fetched_at.isoformat()}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> SnapshotMeta:
        raw = json.loads(text)
        return cls(**{**raw, "fetched_at": datetime.fromisoformat(raw["fetched_at"])})


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of(cls, settings: Settings) -> SnapshotStore:
        return cls(settings.data_dir / "lists")

    def _dir(self, source: ListSource) -> Path:
        return self.root / source.name

    def meta(self, source: ListSource) -> SnapshotMeta | None:
        path = self._dir(source) / "meta.json"
        try:
            meta = SnapshotMeta.from_json(path.read_text())
        except (OSError, ValueError, TypeError, KeyError) as exc:
            if path.exists():
                log.warning("list_snapshot_meta_unreadable source=%s path=%s error=%s", source.name, path, exc)
            return None
        return meta if meta.file_name == source.file_name else None

    def current(self, source: ListSource) -> Path | None:
        """The last good file of `source`, if its metadata vouches for it."""
        meta = self.meta(source)
        path = self._dir(source) / source.file_name
        return path if meta is not None and path.is_file() else None

    def incoming(self, source: ListSource) -> Path:
        path = self._dir(source) / "incoming" / source.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def promote(self, source: ListSource, meta: SnapshotMeta) -> Path:
        """The checked download becomes the last good snapshot. File first, then the
        metadata, each by rename: a crash in between leaves metadata that names an older
        sha256 and the next fetch simply downloads again."""
        target = self._dir(source) / source.file_name
        os.replace(self.incoming(source), target)
        tmp = self._dir(source) / "meta.json.tmp"
        tmp.write_text(meta.to_json())
        os.replace(tmp, self._dir(source) / "meta.json")
        return target

    def discard(self, source: ListSource) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.incoming(source).unlink()

    def quarantine(self, source: ListSource, at: datetime) -> Path:
        target = self.root / "quarantine" / f"{at.strftime('%Y%m%dT%H%M%SZ')}-{source.file_name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(self.incoming(source), target)
        return target

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One fetch at a time per store: two would promote over each other's downloads."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RuntimeError(f"another `lists fetch` holds {self.root / '.lock'}") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


# --- download ------------------------------------------------------------------------


class FetchStatus(StrEnum):
    new = "new"
    not_modified = "not_modified"
    failed = "failed"


@dataclass
class Download:
    source: ListSource
    status: FetchStatus
    attempts: int
    meta: SnapshotMeta | None = None  # of the incoming file (new) or the snapshot (not_modified)
    error: str | None = None


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3
    base_delay_s: float = 1.0
    max_delay_s: float = 30.0

    def delay(self, retry: int, rng: random.Random) -> float:
        """Exponential back-off with jitter (half fixed, half random), so several
        fetchers that failed together do not retry together."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2**retry)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class _Retryable(Exception):
    pass


class _Failed(Exception):
    pass


def make_client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(settings.fetch_timeout_s), follow_redirects=True,
                        headers={"User-Agent": USER_AGENT})


def _expected_sha256(headers: httpx.Headers) -> str | None:
    """A sha-256 the server states for the body (RFC 9530 Repr-Digest, or RFC 3230 Digest)."""
    for header, pattern in (("repr-digest", r"sha-256=:([A-Za-z0-9+/=]+):"), ("digest", r"sha-256=([A-Za-z0-9+/=]+)")):
        match = re.search(pattern, headers.get(header, ""), re.IGNORECASE)
        if match:
            return base64.b64decode(match.group(1)).hex()
    return None


def _get_once(client: httpx.Client, source: ListSource, store: SnapshotStore, now: datetime) -> Download:
    previous = store.meta(source) if store.current(source) is not None else None
    headers: dict[str, str] = {}
    if previous is not None and previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous is not None and previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    target = store.incoming(source)
    try:
        with client.stream("GET", source.url, headers=headers) as response:
            if response.status_code == 304 and previous is not None:
                return Download(source, FetchStatus.not_modified, 1, previous)
            if response.status_code >= 500 or response.status_code in (408, 429):
                raise _Retryable(f"HTTP {response.status_code} from {source.url}")
            if response.status_code != 200:
                raise _Failed(f"HTTP {response.status_code} from {source.url}")
            digest = hashlib.sha256()
            size = 0
            with target.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            # Content-Length counts the bytes on the wire, before any Content-Encoding.
            received = response.num_bytes_downloaded if response.headers.get("content-encoding") else size
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and received != int(declared):
                raise _Retryable(f"truncated download: {received} of {declared} bytes")
            if size == 0:
                raise _Retryable("empty response body")
            stated = _expected_sha256(response.headers)
            if stated is not None and stated != digest.hexdigest():
                raise _Retryable(f"sha-256 mismatch: server states {stated[:12]}…, got {digest.hexdigest()[:12]}…")
            meta = SnapshotMeta(url=source.url, file_name=source.file_name, sha256=digest.hexdigest(), size=size,
                                fetched_at=now, etag=response.headers.get("etag"),
                                last_modified=response.headers.get("last-modified"))
    except httpx.TransportError as exc:  # connect/read time-outs, resets, a body cut short
        raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
    if previous is not None and previous.sha256 == meta.sha256:
        # Same bytes (a server that ignores conditional requests): nothing new, but keep
        # its fresh validators so the next request can be conditional.
        meta = replace(meta, lists=previous.lists)
        store.promote(source, meta)
        return Download(source, FetchStatus.not_modified, 1, meta)
    return Download(source, FetchStatus.new, 1, meta)


def download(client: httpx.Client, source: ListSource, store: SnapshotStore, now: datetime, *,
             policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep,
             rng: random.Random | None = None) -> Download:
    """One source into its `incoming` slot, retrying connection errors, 5xx and truncated
    bodies. Never raises for network trouble: a failed Download says why."""
    rng = rng or random.Random()
    error = ""
    for attempt in range(policy.retries + 1):
        if attempt:
            pause = policy.delay(attempt - 1, rng)
            log.info("list_fetch_retry source=%s attempt=%d delay_s=%.2f error=%r", source.name, attempt + 1,
                     pause, error)
            sleep(pause)
        try:
            result = _get_once(client, source, store, now)
            result.attempts = attempt + 1
            return result
        except _Retryable as exc:
            error = str(exc)
        except (_Failed, OSError, httpx.HTTPError) as exc:
            error = str(exc)
            store.discard(source)
            return Download(source, FetchStatus.failed, attempt + 1, error=error)
    store.discard(source)
    return Download(source, FetchStatus.failed, policy.retries + 1,
                    error=f"{error} (gave up after {policy.retries + 1} attempts)")


# --- validation ----------------------------------------------------------------------


@dataclass
class SetCheck:
    """What parsing a folder of candidate files showed, by file name."""

    counts_of: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> entries per list of its set
    set_of: dict[str, str] = field(default_factory=dict)  # file -> the primary file of its set
    problems: dict[str, str] = field(default_factory=dict)  # file -> why its set is unusable


def check_sets(folder: Path) -> SetCheck:
    """Parse every list set in `folder` on its own (an OFAC primary file with its parts).
    A set is unusable if parsing raises, yields no entries, or one of its files produced
    more malformed rows than the set has entries (an error page saved as alt.csv)."""
    check = SetCheck()
    files = sorted(p for p in folder.iterdir() if p.is_file())
    read: set[str] = set()
    for path in files:
        if detect_format(path) == FORMAT_OFAC_PART:
            continue
        try:
            load = parse_file(path)
        except Exception as exc:  # a parser bug on odd input must not stop the other sources
            check.problems[path.name] = f"parse error: {type(exc).__name__}: {exc}"
            read.add(path.name)
            continue
        names = {Path(f).name for f in load.files} | {path.name}
        read |= names
        for name in names:
            check.counts_of[name] = load.by_list()
            check.set_of[name] = path.name
        issues_by_file: dict[str, list[str]] = {}
        for issue in load.issues:
            issues_by_file.setdefault(Path(issue.file).name, []).append(f"line {issue.line}: {issue.message}")
        if not load.entries:
            first = load.issues[0].message if load.issues else "no rows"
            for name in names:
                check.problems[name] = f"no list entries in the {path.name} set ({first})"
        for name, issues in issues_by_file.items():
            if len(issues) > len(load.entries) / 2 and name in names:
                check.problems.setdefault(name, f"{len(issues)} malformed rows (first: {issues[0]})")
    for path in files:
        if path.name not in read:
            check.problems[path.name] = "part of an OFAC set whose primary file is not configured"
    return check


def _link_folder(folder: Path, files: Mapping[str, Path]) -> None:
    for old in folder.iterdir():
        old.unlink()
    for name, path in files.items():
        (folder / name).symlink_to(path.resolve())


# --- the whole run -------------------------------------------------------------------


@dataclass(frozen=True)
class Quarantined:
    list_code: str
    published: int
    fetched: int
    sources: tuple[str, ...]
    files: tuple[Path, ...]  # where the held-back downloads are; empty if none was new

    @property
    def shrink(self) -> float:
        return 1 - self.fetched / self.published


@dataclass
class FetchOutcome:
    downloads: list[Download]
    invalid: dict[str, str] = field(default_factory=dict)  # source name -> why rejected
    quarantined: list[Quarantined] = field(default_factory=list)
    report: PublishReport | None = None
    counts: dict[str, int] = field(default_factory=dict)  # list code -> entries published
    alerts: list[Alert] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.invalid) or any(d.status is FetchStatus.failed for d in self.downloads)


PublishFn = Callable[[list[ListEntry], set[str]], PublishReport]


def _shrunk(published: Mapping[str, int], fetched: Mapping[str, int], max_shrink: float) -> dict[str, tuple[int, int]]:
    return {code: (published[code], n) for code, n in fetched.items()
            if published.get(code, 0) > 0 and n < published[code] * (1 - max_shrink)}


def refresh_lists(settings: Settings, sources: list[ListSource], store: SnapshotStore, client: httpx.Client,
                  now: datetime, *, published_counts: Callable[[], Mapping[str, int]], publish: PublishFn | None,
                  force: bool = False, sleep: Callable[[float], None] = time.sleep,
                  rng: random.Random | None = None) -> FetchOutcome:
    """Download, check, quarantine, publish. `publish` None is a dry run: nothing is
    published, promoted or moved. Lists are parsed all together from the last good
    snapshot of every configured source plus the accepted downloads, so a source that
    failed keeps contributing its last good data and merging (native file over CSL copy)
    works as in `lists load`."""
    all_sources = list_sources(settings)
    store.root.mkdir(parents=True, exist_ok=True)
    policy = RetryPolicy(retries=settings.fetch_retries)
    downloads = [download(client, s, store, now, policy=policy, sleep=sleep, rng=rng) for s in sources]
    outcome = FetchOutcome(downloads)
    for d in downloads:
        log.info("list_fetch source=%s status=%s attempts=%d size=%s sha256=%s error=%r", d.source.name,
                 d.status.value, d.attempts, d.meta.size if d.meta else "-",
                 d.meta.sha256[:12] if d.meta else "-", d.error)
    new = {d.source.name: d for d in downloads if d.status is FetchStatus.new}
    by_file = {s.file_name: s for s in all_sources}

    def candidates() -> dict[str, Path]:
        files: dict[str, Path] = {}
        for s in all_sources:
            path = store.incoming(s) if s.name in new else store.current(s)
            if path is not None:
                files[s.file_name] = path
        return files

    with tempfile.TemporaryDirectory(dir=store.root, prefix=".check-") as tmp:
        folder = Path(tmp)
        while True:
            _link_folder(folder, candidates())
            check = check_sets(folder)
            rejected = {by_file[f].name: why for f, why in check.problems.items() if by_file[f].name in new}
            # An OFAC set is taken whole: new alt.csv rows beside a stale sdn.csv would
            # point at the wrong entries.
            unusable = {d.source.file_name for d in downloads if d.status is FetchStatus.failed}
            unusable |= {s.file_name for s in all_sources if s.name in outcome.invalid}
            for f in unusable:
                for g, primary in check.set_of.items():
                    if primary == check.set_of.get(f) and g != f and by_file[g].name in new:
                        rejected.setdefault(by_file[g].name, f"held back: {by_file[f].name} of the same "
                                                             f"{primary} set was not updated")
            if not rejected:
                break
            for name, why in rejected.items():
                outcome.invalid[name] = why
                store.discard(new.pop(name).source)
        for file, why in check.problems.items():
            log.warning("list_snapshot_unusable file=%s problem=%r", file, why)

        # Every source answering "not modified" is a successful load too: republishing
        # (an empty delta) refreshes the manifests' loaded_at, so workers do not fail
        # closed for staleness while the official lists simply have not changed.
        confirmed = bool(downloads) and all(d.status is FetchStatus.not_modified for d in downloads)
        if new or force or confirmed:
            load, excluded, check = _hold_back_shrinking(settings, store, folder, check, new, candidates, outcome,
                                                  dict(published_counts()), now, dry_run=publish is None)
            entries = [e for e in load.entries if e.list_code not in excluded]
            scope = set(load.by_list()) - excluded
            if publish is None:
                outcome.counts = {code: n for code, n in load.by_list().items() if code in scope}
            elif scope:
                outcome.report = publish(entries, scope)
                outcome.counts = dict(outcome.report.counts)
    for d in new.values():
        if publish is not None and d.meta is not None:
            store.promote(d.source, replace(d.meta, lists=check.counts_of.get(d.source.file_name, {})))
        else:
            store.discard(d.source)
    outcome.alerts = make_alerts(outcome, store, now)
    return outcome


def _hold_back_shrinking(settings: Settings, store: SnapshotStore, folder: Path, check: SetCheck,
                         new: dict[str, Download], candidates: Callable[[], dict[str, Path]],
                         outcome: FetchOutcome, published: Mapping[str, int], now: datetime,
                         *, dry_run: bool) -> tuple[ListLoad, set[str], SetCheck]:
    """Parse the candidates together; while a list shrinks too much and a new download
    feeds it, move that download to quarantine and parse again with its last good
    snapshot. Returns the final load and the lists that still shrink with no new file to
    blame (a --force run, or state published by other means): those are not published."""
    held: dict[str, Quarantined] = {}
    while True:
        load = load_directory(folder)
        shrunk = _shrunk(published, load.by_list(), settings.max_list_shrink)
        for code, (before, after) in shrunk.items():
            held.setdefault(code, Quarantined(code, before, after, (), ()))
        blamed = _culprits(shrunk, check, new, store, settings.max_list_shrink)
        if not blamed:
            break
        for name, codes in sorted(blamed.items()):
            source = new.pop(name).source
            path = store.incoming(source) if dry_run else store.quarantine(source, now)
            if dry_run:
                store.discard(source)
            for code in codes:
                q = held[code]
                held[code] = replace(q, sources=(*q.sources, name), files=(*q.files, path))
            log.warning("list_quarantined source=%s lists=%s file=%s", name, ",".join(sorted(codes)), path)
        _link_folder(folder, candidates())
        check = check_sets(folder)
    outcome.quarantined = list(held.values())
    return load, set(shrunk), check


def _culprits(shrunk: Collection[str], check: SetCheck, new: Mapping[str, Download], store: SnapshotStore,
              max_shrink: float) -> dict[str, set[str]]:
    """New downloads to hold back, with the shrunk lists each is blamed for: a file whose
    own set lost more than the allowed fraction of a list against what it yielded when last
    accepted (the CSL copy of SDN does not take the blame for sdn.csv); if none did on its
    own, every new file that feeds the list."""
    feeding: dict[str, set[str]] = {}
    dropped: dict[str, set[str]] = {}
    for name, d in new.items():
        counts = check.counts_of.get(d.source.file_name, {})
        prior = meta.lists if (meta := store.meta(d.source)) is not None else None
        for code in shrunk:
            before = (prior or {}).get(code)
            if code not in counts and not before:
                continue
            feeding.setdefault(code, set()).add(name)
            if before is not None and counts.get(code, 0) < before * (1 - max_shrink):
                dropped.setdefault(code, set()).add(name)
    blamed: dict[str, set[str]] = {}
    for code in shrunk:
        for name in dropped.get(code) or feeding.get(code, set()):
            blamed.setdefault(name, set()).add(code)
    return blamed


def make_alerts(outcome: FetchOutcome, store: SnapshotStore, now: datetime) -> list[Alert]:
    alerts: list[Alert] = []
    by_name = {d.source.name: d for d in outcome.downloads}
    failures = {d.source.name: d.error or "" for d in outcome.downloads if d.status is FetchStatus.failed}
    failures.update({name: f"downloaded file rejected: {why}" for name, why in outcome.invalid.items()})
    for name, why in sorted(failures.items()):
        source = by_name[name].source
        last_good = store.current(source)
        # Critical when there is no last good copy to keep serving.
        severity = AlertSeverity.warning if last_good is not None else AlertSeverity.critical
        kept = f"keeping last good snapshot {last_good}" if last_good else "no earlier snapshot exists"
        alerts.append(Alert(alert_id=stable_id("a", CODE_FETCH_FAILED, name, now.isoformat()), severity=severity,
                            code=CODE_FETCH_FAILED, summary=f"list source {name} ({source.url}): {why}; {kept}",
                            at=now))
    for q in outcome.quarantined:
        where = ", ".join(str(f) for f in q.files) if q.files else "no new file (held at the published state)"
        severity = AlertSeverity.critical if q.shrink >= 0.5 else AlertSeverity.warning
        alerts.append(Alert(
            alert_id=stable_id("a", CODE_QUARANTINED, q.list_code, str(q.fetched), now.isoformat()),
            severity=severity, code=CODE_QUARANTINED, list_code=q.list_code,
            summary=(f"list {q.list_code} update quarantined, not published: {q.published} -> {q.fetched} entries "
                     f"({q.shrink:.0%} fewer) from {', '.join(q.sources) or 'current snapshots'}; "
                     f"for review: {where}"),
            at=now))
    return alerts
