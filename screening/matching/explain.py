"""Explanation: one line saying what agreed and what did not."""

from __future__ import annotations

from screening.matching.scorer import NameScore
from screening.matching.tokens import TokenAgreement


def _pair_text(query: str, candidate: str, agreement: TokenAgreement) -> str:
    if agreement is TokenAgreement.exact:
        return query
    return f"{query}~{candidate} ({agreement.value})"


def explain(score: NameScore, *, matched_name: str, weak_alias: bool) -> str:
    """e.g. `'ASADI, Ali Farhan' 0.93: agreed ali, asadi, fartan~farhan (typo); query adds -; listed
    adds -`."""
    parts = [f"{matched_name!r} {score.score:.2f}"]
    agreed = ", ".join(_pair_text(p.query, p.candidate, p.agreement) for p in score.pairs)
    parts.append(f"agreed {agreed or 'nothing'}")
    if score.extra:
        parts.append("query adds " + " ".join(score.extra))
    if score.omitted:
        parts.append("partial name: query omits middle name " + " ".join(score.omitted))
    elif score.missing:
        parts.append("listed name adds " + " ".join(score.missing))
    if not score.kind_compatible:
        parts.append("kind differs")
    if score.country:
        parts.append(f"country {score.country}")
    if score.identifier:
        parts.append(f"identifier {score.identifier}")
    if weak_alias:
        parts.append("weak alias")
    return "; ".join(parts)
