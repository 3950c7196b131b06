"""Explanations name what agreed and what did not."""

from __future__ import annotations

from screening.matching.explain import explain
from screening.matching.scorer import NameScore, TokenPair
from screening.matching.tokens import TokenAgreement


def test_explanation_lists_agreements_and_differences() -> None:
    score = NameScore(
        score=0.91,
        name_score=0.93,
        pairs=(
            TokenPair("ali", "ali", 1.0, TokenAgreement.exact, 5.0),
            TokenPair("fartan", "farhan", 0.83, TokenAgreement.typo, 9.0),
        ),
        extra=("jr",),
        missing=("asadi",),
        kind_compatible=False,
        country="differs",
    )
    text = explain(score, matched_name="ASADI, Ali Farhan", weak_alias=True)
    assert "\n" not in text
    for part in [
        "'ASADI, Ali Farhan' 0.91",
        "fartan~farhan (typo)",
        "query adds jr",
        "listed name adds asadi",
        "kind differs",
        "country differs",
        "weak alias",
    ]:
        assert part in text
