"""Name-matching evaluation sets built from the public lists, and their figures.

    .venv/bin/python bench/eval_names.py [--shared ../shared] [--per-family 300] [--write PATH]

Positives: OFAC SDN 2021-07 entries (the index holds that list), each query made from one
listed name by one rule, so nothing is picked by hand:

- partial: a person as given name + surname, middle names and patronymic dropped (the
  given name the first word of the first-name part that is no title or particle: Haji
  KHAN is a title and a surname, not a partial name);
- initials: a person with given names as initials (all, or the first only; titles and
  particles left out, the initial the first letter: 'Ali -> A.);
- word_order: a person's "LAST, First" written "LAST First" with no comma;
- typo: one edit (delete, insert, substitute, swap) in a word of five letters or more;
- translit: one systematic romanisation variant (KH/H, OU/U, Y/I, V/W ...) in a word;
- legal_form: an organisation's legal form written another way, or left out.

Hard negatives, expected to match nothing:

- neg_company: real organisation names from other US lists in the CSL 2022-05 (Entity
  List, Unverified List, DTC, ISN ...) that share a word of the name proper with an SDN
  name, but not all of their words;
- neg_person: a common SDN given name with a surname of another listed person, no SDN
  name holding both; and real person names from the DPL and DTC lists that share a word
  with an SDN person.

Each query falls in a part by a hash of its entry key (or negative name): a quarter is
held out, never looked at while tuning, and both parts are reported per family.

Cross-script: entries of the UN 2026-02 and UK 2025-04 lists that give a name in
Cyrillic, Arabic, Han or Greek script beside a Latin one. Queried both ways: the
non-Latin name against an index of the entries' Latin names, and the Latin name against
an index of their non-Latin names.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from schemas.lists import EntryKind, ListEntry
from screening.lists import load_directory, parse_file
from screening.matching import NameIndex, normalize_name
from screening.matching.normalize import TokenRole, fold_words, token_role

REPO = Path(__file__).resolve().parents[1]
HELD_OUT_SHARE = 4  # one query in this many is held out

# Systematic variants between romanisation schemes (English, French, German, ISO), each
# applied at most once to one word of a name.
TRANSLIT_RULES: tuple[tuple[str, str], ...] = (
    ("KH", "H"),
    ("OU", "U"),
    ("U", "OU"),
    ("Y", "I"),
    ("II", "Y"),
    ("IY", "Y"),
    ("YA", "IA"),
    ("YU", "IU"),
    ("V", "W"),
    ("W", "V"),
    ("J", "DJ"),
    ("ZH", "J"),
    ("SH", "SCH"),
    ("EE", "I"),
    ("OO", "U"),
    ("PH", "F"),
    ("Q", "K"),
    ("E", "A"),
)
# Ways of writing one legal form; a query swaps one for another of its group.
LEGAL_GROUPS: tuple[tuple[str, ...], ...] = (
    ("LLC", "L.L.C.", "LIMITED LIABILITY COMPANY", "OOO"),
    ("LTD", "LTD.", "LIMITED", "CO., LTD.", "COMPANY LIMITED"),
    ("JSC", "J.S.C.", "JOINT STOCK COMPANY", "AO", "OAO"),
    ("S.A.", "SA", "SOCIEDAD ANONIMA"),
    ("INC", "INC.", "INCORPORATED", "CORP", "CORPORATION"),
    ("GMBH", "G.M.B.H."),
    ("CO.", "COMPANY"),
)
SCRIPTS = ("CYRILLIC", "ARABIC", "CJK", "GREEK")


def part_of(key: str) -> str:
    digest = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)
    return "held_out" if digest % HELD_OUT_SHARE == 0 else "dev"


def person_parts(name: str) -> tuple[str, list[str]] | None:
    """(surname, given names) of an OFAC 'LAST, First Middle' name."""
    last, sep, first = name.partition(",")
    if not sep or "," in first:
        return None
    given = first.split()
    if not last.strip() or not given:
        return None
    return last.strip(), given


def given_names(given: list[str]) -> list[str]:
    """The given names proper of an OFAC person's first-name part: titles (Haji, Dr.) and
    particles (El) left out, which are not what a partial name or initials keep."""
    proper = []
    for word in given:
        folded = fold_words(word)
        if folded and token_role(folded[0], EntryKind.person) is TokenRole.identity:
            proper.append(word)
    return proper


def initial(word: str) -> str | None:
    """The initial of a given name (its first letter: 'Ali -> A.)."""
    letters = [ch for ch in word if ch.isalpha()]
    return f"{letters[0].upper()}." if letters else None


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    letter = rng.choice("AEIOUNRSTLMK")
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + letter + word[i:]
    if op == 2:
        return word[:i] + letter + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _replace_word(name: str, rng: random.Random, change: Callable[[str], str | None]) -> str | None:
    words = name.split()
    order = list(range(len(words)))
    rng.shuffle(order)
    for k in order:
        changed = change(words[k])
        if changed and changed != words[k]:
            words[k] = changed
            return " ".join(words)
    return None


def positives(sdn: list[ListEntry], rng: random.Random, per_family: int) -> list[dict[str, object]]:
    found: dict[str, list[dict[str, object]]] = defaultdict(list)
    entries = list(sdn)
    rng.shuffle(entries)

    def add(family: str, entry: ListEntry, name: str) -> None:
        if len(found[family]) < per_family and name.strip() and name != entry.name:
            found[family].append(
                {"name": name, "kind": entry.kind.value, "expect": entry.key, "family": family, "key": entry.key}
            )

    for entry in entries:
        if entry.kind is EntryKind.person and (parts := person_parts(entry.name)):
            last, given = parts
            proper = given_names(given)
            if len(given) >= 2 and proper:
                add("partial", entry, f"{proper[0]} {last}")
            initials = [i for g in proper if (i := initial(g))]
            if initials:
                chosen = initials if rng.random() < 0.5 else initials[:1]
                add("initials", entry, f"{' '.join(chosen)} {last}")
            add("word_order", entry, f"{last} {' '.join(given)}")

            def variant(word: str) -> str | None:
                upper = word.upper()
                rules = [r for r in TRANSLIT_RULES if r[0] in upper[1:] or (r[0] in upper and r[0] != "E")]
                if not rules or len(word) < 4:
                    return None
                a, b = rng.choice(rules)
                at = upper.find(a, 1) if a in upper[1:] else upper.find(a)
                return upper[:at] + b + upper[at + len(a) :]

            changed = _replace_word(entry.name, rng, variant)
            if changed:
                add("translit", entry, changed)
        if entry.kind is EntryKind.organization:
            upper = f" {entry.name.upper()} "
            for group in LEGAL_GROUPS:
                present = [form for form in group if f" {form} " in upper.replace(",", " , ")]
                if present:
                    form = max(present, key=len)
                    other = rng.choice([f for f in group if f != form] + [""])
                    swapped = re.sub(rf"(?<![A-Z]){re.escape(form)}(?![A-Z])", other, entry.name.upper(), count=1)
                    add("legal_form", entry, " ".join(swapped.replace(" ,", ",").split()).strip(" ,"))
                    break
        changed = _replace_word(entry.name, rng, lambda w: typo(w, rng) if len(w) >= 5 and w.isalpha() else None)
        if changed:
            add("typo", entry, changed)
    return [q for family in found.values() for q in family]


def _words(name: str, kind: EntryKind) -> set[str]:
    """The identifying words of a name, abbreviations in brackets left out."""
    # The CSL export writes a curly apostrophe as "?" (PEOPLE?S): read it as one.
    tokens = normalize_name(re.sub(r"(?<=\w)\?(?=\w)", "'", re.sub(r"\([^)]*\)", " ", name)), kind)
    return {t for t, r in zip(tokens.tokens, tokens.roles, strict=True) if r == 0 and len(t) > 2}


def negatives(
    sdn: list[ListEntry], others: list[ListEntry], rng: random.Random, per_family: int
) -> list[dict[str, object]]:
    listed_sets: set[frozenset[str]] = set()
    word_owners: Counter[str] = Counter()
    for entry in sdn:
        for name in (entry.name, *entry.aliases, *entry.weak_aliases):
            words = _words(name, entry.kind)
            listed_sets.add(frozenset(words))
            word_owners.update(words)
    found: list[dict[str, object]] = []
    companies = people = 0
    pool = list(others)
    rng.shuffle(pool)

    def same_party(words: frozenset[str]) -> bool:
        """Its words are, or hold, or are held by, a listed name's (the same party on
        both lists, written fuller or shorter)."""
        return any(len(listed) >= 2 and (listed <= words or words <= listed) for listed in by_word[min(words)])

    by_word: dict[str, list[frozenset[str]]] = defaultdict(list)
    for listed in listed_sets:
        for word in listed:
            by_word[word].append(listed)
    for entry in pool:
        words = _words(entry.name, entry.kind)
        if len(words) < 2 or not any(word_owners[w] for w in words):
            continue
        if any(same_party(frozenset(_words(n, entry.kind)) or frozenset({""})) for n in (entry.name, *entry.aliases)):
            continue
        if entry.kind is EntryKind.organization and companies < per_family:
            companies += 1
            family = "neg_company"
        elif entry.kind is EntryKind.person and people < per_family // 2:
            people += 1
            family = "neg_person"
        else:
            continue
        found.append({"name": entry.name, "kind": entry.kind.value, "expect": None, "family": family})
    # Common given names with a surname of another listed person.
    # "A different surname": no listed person name holds a spelling of the given name
    # (rapidfuzz's normalised Levenshtein >= 0.7, not this matcher) beside a spelling of
    # the surname.
    person_words = [
        {w.upper() for w in re.findall(r"[A-Za-z]+", n)}
        for e in sdn
        if e.kind is EntryKind.person
        for n in (e.name, *e.aliases, *e.weak_aliases)
    ]
    persons = [p for e in sdn if e.kind is EntryKind.person and (p := person_parts(e.name))]
    given_counts = Counter(given[0].upper() for _, given in persons)
    common = [g for g, _ in given_counts.most_common(60) if len(g) > 2 and g.isalpha()]
    holding: dict[str, list[set[str]]] = {
        g: [ws for ws in person_words if any(Levenshtein.normalized_similarity(g, w) >= 0.7 for w in ws)]
        for g in common
    }
    surnames = sorted({last.upper() for last, _ in persons if last.isalpha()})
    made = 0
    while made < per_family - people:
        given_name, surname = rng.choice(common), rng.choice(surnames)
        if any(
            any(Levenshtein.normalized_similarity(surname, w) >= 0.7 for w in ws if w != given_name)
            for ws in holding[given_name]
        ):
            continue
        name = f"{given_name.title()} {surname}"
        found.append({"name": name, "kind": "person", "expect": None, "family": "neg_person"})
        made += 1
    return found


def script_of(text: str) -> str | None:
    """The non-Latin script of `text` (of SCRIPTS), if its letters are in one."""
    for ch in text:
        if ch.isalpha() and not ch.isascii():
            name = unicodedata.name(ch, "")
            for script in SCRIPTS:
                if name.startswith(script):
                    return "HAN" if script == "CJK" else script
    return None


def cross_script_entries(shared: Path) -> list[tuple[ListEntry, list[str], list[str], str]]:
    lists = shared / "data" / "lists"
    found = []
    for path in (lists / "un" / "UN_consolidated-2026-02.xml", lists / "uk" / "UK_Sanctions_List-2025-04.xlsx"):
        for entry in parse_file(path).entries:
            names = [entry.name, *entry.aliases]
            scripted = [n for n in names if script_of(n)]
            latin = [n for n in names if n.isascii()]
            if scripted and latin:
                found.append((entry, latin, scripted, script_of(scripted[0]) or ""))
    return found


def cross_script(shared: Path, timings: dict[str, list[float]] | None = None) -> dict[str, tuple[int, int]]:
    """Recall per (direction, script): (hits, queries); per direction the seconds each
    query took, into `timings` when given."""
    entries = cross_script_entries(shared)
    results: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for direction in ("script->latin", "latin->script"):
        index = NameIndex()
        for entry, latin, scripted, _ in entries:
            names = latin if direction == "script->latin" else scripted
            index.upsert(entry.model_copy(update={"name": names[0], "aliases": names[1:], "weak_aliases": []}))
        for entry, latin, scripted, script in entries:
            query = scripted[0] if direction == "script->latin" else latin[0]
            start = time.perf_counter()
            keys = {m.key for m in index.search(query, kind=entry.kind)}
            if timings is not None:
                timings.setdefault(direction, []).append(time.perf_counter() - start)
            held = results[f"{direction} {script}"]
            held[0] += entry.key in keys
            held[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(results.items())}


def build(shared: Path, per_family: int, seed: int = 20261201) -> list[dict[str, object]]:
    rng = random.Random(seed)
    lists = shared / "data" / "lists"
    sdn = load_directory(lists / "ofac" / "sdn-2021-07").entries
    csl = parse_file(lists / "csl" / "consolidated-2022-05.csv.gz").entries
    others = [e for e in csl if e.list_code not in ("SDN", "SSI", "NS-MBS", "FSE", "CMIC", "PLC", "CAP", "MEU")]
    # Three times as many negatives per family as positives: a false-positive rate of
    # 0.005 needs more than a few hundred to be told apart from 0.01.
    queries = positives(sdn, rng, per_family) + negatives(sdn, others, rng, 3 * per_family)
    for n, query in enumerate(queries):
        query["id"] = f"e{n:05d}"
        query["part"] = part_of(str(query.pop("key", None) or query["name"]))
    return queries


def evaluate(index: NameIndex, queries: Iterable[dict[str, object]]) -> dict[tuple[str, str], list[int]]:
    """Per (part, family): [hits or false positives, queries]."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for query in queries:
        kind = EntryKind(str(query["kind"])) if query.get("kind") else None
        keys = {m.key for m in index.search(str(query["name"]), kind=kind)}
        held = tally[(str(query["part"]), str(query["family"]))]
        held[0] += (query["expect"] in keys) if query["expect"] else bool(keys)
        held[1] += 1
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO / ".." / "shared")
    parser.add_argument("--per-family", type=int, default=300)
    parser.add_argument("--write", type=Path, help="also write the queries as jsonl")
    parser.add_argument("--no-cross-script", action="store_true")
    args = parser.parse_args()
    queries = build(args.shared, args.per_family)
    if args.write:
        args.write.write_text("".join(json.dumps(q) + "\n" for q in queries))
    index = NameIndex()
    for entry in load_directory(args.shared / "data" / "lists" / "ofac" / "sdn-2021-07").entries:
        index.upsert(entry)
    start = time.perf_counter()
    tally = evaluate(index, queries)
    print(f"{len(queries)} queries in {time.perf_counter() - start:.1f} s")
    for part in ("dev", "held_out"):
        pos = [v for (p, f), v in tally.items() if p == part and not f.startswith("neg")]
        neg = [v for (p, f), v in tally.items() if p == part and f.startswith("neg")]
        recall = sum(v[0] for v in pos) / max(1, sum(v[1] for v in pos))
        fpr = sum(v[0] for v in neg) / max(1, sum(v[1] for v in neg))
        print(f"{part}: recall {recall:.4f} ({sum(v[1] for v in pos)}), FPR {fpr:.4f} ({sum(v[1] for v in neg)})")
        for (p, family), (n, total) in sorted(tally.items()):
            if p == part:
                label = "false positives" if family.startswith("neg") else "recall"
                print(f"  {family:12s} {label} {n / total:.4f} ({n}/{total})")
    dev_set = args.shared / "eval" / "names-dev.jsonl"
    if dev_set.is_file():  # the shared dev set, through the same tally
        shared_queries = [{**json.loads(line), "part": "shared-dev"} for line in dev_set.read_text().splitlines()]
        shared_tally = evaluate(index, shared_queries)
        pos = [v for (_, f), v in shared_tally.items() if not f.startswith("neg")]
        neg = [v for (_, f), v in shared_tally.items() if f.startswith("neg")]
        print(
            f"shared dev set: recall {sum(v[0] for v in pos) / sum(v[1] for v in pos):.4f}, "
            f"FPR {sum(v[0] for v in neg) / sum(v[1] for v in neg):.4f}"
        )
    if not args.no_cross_script:
        timings: dict[str, list[float]] = {}
        for label, (hits, total) in cross_script(args.shared, timings).items():
            print(f"cross-script {label}: recall {hits / total:.4f} ({hits}/{total})")
        for direction, seconds in timings.items():
            ordered = sorted(seconds)
            print(
                f"cross-script {direction} query time: mean {1000 * sum(ordered) / len(ordered):.3f} ms, "
                f"p99 {1000 * ordered[int(0.99 * (len(ordered) - 1))]:.3f} ms ({len(ordered)} queries, each once)"
            )


if __name__ == "__main__":
    main()
