"""Token similarity: exact, one typo, same sound; and the typo neighbourhood."""

from __future__ import annotations

import pytest

from screening.matching.tokens import TokenAgreement, sound_key, token_similarity, typo_neighbours

TYPO = {TokenAgreement.typo, TokenAgreement.sound}  # a one-letter change may also sound the same


@pytest.mark.parametrize(
    ("a", "b", "agreements"),
    [
        ("takashi", "taksahi", {TokenAgreement.typo}),  # adjacent swap
        ("salazar", "saazar", TYPO),  # deletion
        ("nikitina", "nikitena", TYPO),  # substitution
        ("mohammed", "muhammad", {TokenAgreement.sound}),
        ("hossein", "hussein", {TokenAgreement.sound}),
        ("yevgeny", "evgeny", TYPO),
        ("ali", "aly", {TokenAgreement.sound}),
        ("sergei", "sergey", TYPO),
        ("omar", "umar", {TokenAgreement.sound}),
    ],
)
def test_variants_meet(a: str, b: str, agreements: set[TokenAgreement]) -> None:
    similarity, why = token_similarity(a, b)
    assert why in agreements
    assert 0.75 <= similarity < 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("cohen", "kahane"),  # same consonants, spelled too differently
        ("dias", "tesa"),
        ("abc", "abd"),  # too short for a typo
        ("masse", "msa"),
        ("green", "reconstruction"),
    ],
)
def test_different_words_do_not_meet(a: str, b: str) -> None:
    assert token_similarity(a, b) == (0.0, None)


def test_longer_words_tolerate_a_typo_better() -> None:
    assert (
        token_similarity("intercontinental", "intercontnental")[0] > token_similarity("bushra", "bushaa")[0]
    )


def test_a_swap_of_neighbours_costs_less_than_other_edits() -> None:
    # HNENA for HENNA reaches the potential threshold (0.82) alone; a substitution in
    # five letters does not, and no swap in four letters does.
    assert token_similarity("hnena", "henna") == (0.85, TokenAgreement.typo)
    assert token_similarity("hexna", "henna")[0] == pytest.approx(0.8)
    assert token_similarity("saad", "sada")[0] < 0.82
    assert token_similarity("henna", "hnean") == (0.0, None)  # two swaps


def test_typo_neighbours_share_a_key_for_one_edit() -> None:
    for a, b in [("takashi", "taksahi"), ("saazar", "salazar"), ("fance", "france")]:
        keys_a = {a, *typo_neighbours(a)}
        keys_b = {b, *typo_neighbours(b)}
        assert keys_a & keys_b


def test_sound_key_folds_leading_vowels() -> None:
    assert sound_key("yevgeny") == sound_key("evgeny")
    assert sound_key("ab") == ""
