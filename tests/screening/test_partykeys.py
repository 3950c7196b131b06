"""Party keys: the same detail written two ways gives the same key; different details don't."""

from __future__ import annotations

from typing import Any

import pytest

from schemas import Address
from screening.partykeys import email_key, identifier_key, keys_from_ids, name_key, phone_key, street_address


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Nordlicht Automation GmbH", "NORDLICHT AUTOMATION", True),
    ("Kangyuan Trading Ltd", "Kangyuan Trading Limited", True),
    ("Nordlicht Automation GmbH", "Nordlicht Robotics GmbH", False),
])
def test_name_key(a: str, b: str, same: bool) -> None:
    assert (name_key(a) == name_key(b)) is same


@pytest.mark.parametrize(("a", "b", "same"), [
    ("+852 2345 6789", "2345-6789", True),
    ("0086 10 6212 3456", "010-62123456", True),
    ("+852 2345 6789", "+852 2345 6780", False),
])
def test_phone_key(a: str, b: str, same: bool) -> None:
    assert (phone_key(a) == phone_key(b)) is same


def test_short_or_empty_details_give_no_key() -> None:
    assert phone_key("12345") is None and phone_key(None) is None
    assert email_key("not-an-email") is None and email_key("MAILTO:Info@X.example") == "info@x.example"
    assert identifier_key("ABC") is None and identifier_key("Male") is None
    assert identifier_key("IMO 9187629") == identifier_key("9187629")
    assert identifier_key("1027700256297 (RU)") == "1027700256297"


def test_list_ids_sorted_into_phones_emails_identifiers() -> None:
    ids: dict[str, Any] = {"phone_number": ["+98 21 8877 6655"], "fax": "+98 21 8877 6656",
                           "email_address": ["a@b.example"], "dob": ["12 Jan 1960"], "website": ["www.x.example"],
                           "registration_id": ["10103456789 (IR)"], "vessel_flag": "Iran"}
    phones, emails, identifiers = keys_from_ids(ids)
    assert phones == {"88776655", "88776656"} and emails == {"a@b.example"} and identifiers == {"10103456789"}


def addr(line1: str, city: str | None, country: str = "HK") -> Address:
    return Address(line1=line1, city=city, country=country)


@pytest.mark.parametrize(("a", "b", "same"), [
    # Abbreviations, punctuation, case.
    (addr("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street", None),
     addr("room 1905, 19/f, nam wo hong building, 148 wing lok st.", "Hong Kong"), True),
    # The list's street line carries the district and "Hong Kong"; its city is the district.
    (addr("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street, Sheung Wang, Hong Kong", "Sheung Wang"),
     addr("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street", "Hong Kong"), True),
    (addr("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street", "Sheung Wan"),
     addr("Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street", "Kowloon"), False),
    (addr("17 Ko Fai Road, Yau Tong", "Kowloon"), addr("17 Ko Fai Rd", "Kowloon"), True),
    (addr("17 Ko Fai Road", None), addr("17 Ko Fai Road", None, "SG"), False),
    (addr("18 Ko Fai Road", None), addr("17 Ko Fai Road", None), False),
])
def test_street_address(a: Address, b: Address, same: bool) -> None:
    sa, sb = street_address(a), street_address(b)
    assert sa is not None and sb is not None
    assert sa.same_place(sb) is same and sb.same_place(sa) is same


def test_a_street_line_without_a_number_or_three_words_names_no_place() -> None:
    assert street_address(addr("Hong Kong", "Hong Kong")) is None
    assert street_address(addr("Main Road", None)) is None
    assert street_address(Address(city="Beijing", country="CN")) is None
