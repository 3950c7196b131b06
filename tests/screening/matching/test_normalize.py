"""Normaliser rules, one table per rule."""

from __future__ import annotations

import pytest

from schemas.lists import EntryKind
from screening.matching.normalize import TokenRole, fold, normalize_name

ORG = EntryKind.organization
PERSON = EntryKind.person


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("ＡＣＭＥ", "acme"),  # NFKC: full-width letters
        ("José Ñúñez", "jose nunez"),  # diacritics removed
        ("STRASSE Straße", "strasse strasse"),  # case folding
        ("Мухаммад", "mukhammad"),  # Cyrillic transliterated
        ("Андрей Юрьевич ВОРОБЬЁВ", "andrey yuryevich vorobyov"),  # ье YE, ьё YO, as the lists write
        ("Фёдор ГОРБАЧЁВ", "fyodor gorbachov"),  # ё YO, O after ч
        ("عبد الله", "bdllh"),  # one name (ABDULLAH), not the article
        ("عبد الرحمن", "bdl rhmn"),  # ABDUL RAHMAN
        ("AL-NU'AYMI", "al nuaymi"),  # apostrophe joins, hyphen separates
        ("S.A. DE C.V.", "sa de cv"),  # dots join abbreviations
        ("TRAVEL & TOURS", "travel and tours"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("AL-RASHID TRADING", "AL RASHID TRADING"),
        ("ROMDOUL CAPITAL PAWN CO., LTD.", "ROMDOUL CAPITAL PAWN CO LTD"),
        ("M. D. S. IMPORT EXPORT CO., LTD.", "MDS IMPORT EXPORT COMPANY LIMITED"),
        ("HEBRON S.A.", "HEBRON SOCIEDAD ANONIMA"),
        ("BELSHINA OAO", "BELSHINA OJSC"),
        ("ZALIV OOO", "ZALIV OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU"),
        ("SIEMENS GMBH", "SIEMENS LIMITED"),
        ("SOUTH WEALTH RESOURCES CO.", "SOUTH WEALTH RESOURCES COMPANY"),
        ("TAKTAR INVESTMENT COMPANY", "TAKTAR INVESTMENT CMOPANY"),  # typo in a legal word
        ("PIRUSETI ENTERPRISES LTD", "PIRUSETI ENTERUPRISES LTD"),  # in a plural
        ("GOODWILL CHARITABLE ORGANIZATION, INC.", "GOODWILL CHARITABE ORGANIZATION INC"),  # in a phrase
        ("VOSTOK LIMITED LIABILITY COMPANY", "VOSTOK LIMITED LIABILTY COMPANY"),
        ("BEIJING HUA GONGSI", "BEIJING HUA COMPANY"),
    ],
)
def test_same_organisation_names_normalise_alike(a: str, b: str) -> None:
    assert normalize_name(a, ORG).tokens == normalize_name(b, ORG).tokens


@pytest.mark.parametrize(
    ("name", "legal"),
    [
        ("ACME TRADING LLC", "llc"),
        ("ACME TRADING CO., LTD.", "llc"),
        ("ACME JOINT STOCK COMPANY", "jsc"),
        ("ACME YOUXIAN GONGSI", "llc"),
    ],
)
def test_legal_forms_are_kept_with_low_role(name: str, legal: str) -> None:
    tokens = normalize_name(name, ORG)
    assert legal in tokens.tokens
    assert tokens.roles[tokens.tokens.index(legal)] is TokenRole.legal
    assert tokens.roles[tokens.tokens.index("acme")] is TokenRole.identity


def test_a_name_made_only_of_legal_words_keeps_them_as_identity() -> None:
    tokens = normalize_name("SA", ORG)
    assert tokens.tokens == ("sa",)
    assert TokenRole.legal not in tokens.roles


@pytest.mark.parametrize(
    ("listed", "natural"),
    [
        ("BELTRAN LEYVA, Alfredo", "Alfredo BELTRAN LEYVA"),
        ("AL-TIKRITI, Mohammad Barzan", "Mohammad Barzan AL TIKRITI"),
    ],
)
def test_person_last_comma_first_is_turned_around(listed: str, natural: str) -> None:
    assert normalize_name(listed, PERSON).tokens == normalize_name(natural, PERSON).tokens


def test_organisation_comma_is_not_a_name_order() -> None:
    assert normalize_name("RUNNING BROOK, LLC", ORG).tokens[0] == "running"


@pytest.mark.parametrize(
    ("name", "kind", "token", "role"),
    [
        ("Dr. Jacob THOMAS", PERSON, "dr", TokenRole.title),
        ("Ali bin Hassan", PERSON, "bin", TokenRole.particle),
        ("BANCO DE LA REPUBLICA", ORG, "de", TokenRole.particle),
        ("K. P. TO JEANS WEAR", ORG, "to", TokenRole.initial),
    ],
)
def test_token_roles(name: str, kind: EntryKind, token: str, role: TokenRole) -> None:
    tokens = normalize_name(name, kind)
    assert tokens.roles[tokens.tokens.index(token)] is role
