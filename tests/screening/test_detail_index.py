"""DetailIndex: holders by detail, and the street heads that let FRONT_COMPANY skip a party."""

from __future__ import annotations

from screening.detail_index import DetailIndex


def test_a_street_head_is_held_while_some_holder_gives_an_address_under_it() -> None:
    index = DetailIndex()
    assert not index.holds_any([("address", "HK|148 wing lok st")]) and not index.may_hold_street("HK|148")
    index.add(("address", "HK|148 wing lok st"), "sdn:1")
    index.add(("address", "HK|148 wing lok st sheung wan"), "sdn:2")
    index.add(("phone", "23456789"), "sdn:1")
    assert index.may_hold_street("HK|148") and not index.may_hold_street("HK|149")
    assert index.holds_any([("phone", "23456789")]) and index.holders(("address", "HK|148 wing lok st")) == {"sdn:1"}
    index.discard(("address", "HK|148 wing lok st"), "sdn:1")
    assert index.may_hold_street("HK|148")  # sdn:2 still gives one
    index.discard(("address", "HK|148 wing lok st sheung wan"), "sdn:2")
    index.discard(("address", "HK|148 wing lok st sheung wan"), "sdn:2")  # twice: no harm
    assert not index.may_hold_street("HK|148") and index.holds_any([("phone", "23456789")])
    index.discard(("phone", "23456789"), "sdn:1")
    assert not index.holds_any([("phone", "23456789")]) and index.holders(("phone", "23456789")) == set()
