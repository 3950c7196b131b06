"""A realistic mixed stream of orders and shipments for `tradescreen demo`: mostly clean
trade, some to embargoed destinations, some with listed or near-listed parties, and the
ZTE pattern of goods routed through Hong Kong and Dubai."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator
from datetime import datetime

from schemas import Address, Leg, Line, OrderEvent, Party, ShipmentEvent

_CLEAN_BUYERS = [
    ("Nordlicht Automation GmbH", "Stuttgart", "DE"), ("Kansai Precision Devices K.K.", "Osaka", "JP"),
    ("Maple Ridge Networks Inc.", "Ottawa", "CA"), ("Sol de Monterrey Electrónica S.A. de C.V.", "Monterrey", "MX"),
    ("Brightwater Telecom Ltd", "Manchester", "GB"), ("Lakeside Medical Imaging LLC", "Madison", "US"),
    ("Vasa Datacenter AB", "Stockholm", "SE"), ("Alpes Robotique SAS", "Grenoble", "FR"),
    ("Southern Cross Instruments Pty Ltd", "Perth", "AU"), ("Han River Semiconductor Co., Ltd.", "Seoul", "KR"),
]
# Parties that are, or look like, listed ones (demo list: ZTE-case Entity List entries).
_LISTED_LIKE = [
    ("Beijing 8 Star International Co Ltd", "Beijing", "CN"), ("BEIJING 8-STAR INTL CO.", "Beijing", "CN"),
    ("ZTE Parsian Co.", "Tehran", "IR"), ("Zte Kangxun Telecom Company Limited", "Shenzhen", "CN"),
]
_EMBARGOED = [("Pars Electronic Trading", "Tehran", "IR"), ("Damascus Network Services", "Damascus", "SY"),
              ("Havana Telecom Supplies", "Havana", "CU"), ("Pyongyang General Trading", "Pyongyang", "KP")]
_ITEMS = [("BB-CHIPSET-7", "baseband chipset", "5A991", 14.5), ("SW-ROUTER-4", "carrier router", "5A002", 8200.0),
          ("OSC-200", "digital oscilloscope", "3A992", 2300.0), ("PUMP-11", "industrial pump", "EAR99", 640.0),
          ("FPGA-X9", "programmable logic device", "3A001", 450.0)]
_SELLER = Party(role="seller", name="Northwind Network Systems Inc.",
                address=Address(city="Richardson", region="TX", country="US"))


def _party(role: str, name: str, city: str, country: str) -> Party:
    return Party(role=role, name=name, address=Address(city=city, country=country))


def _lines(rng: random.Random) -> list[Line]:
    out = []
    for sku, desc, eccn, value in rng.sample(_ITEMS, rng.randint(1, 3)):
        out.append(Line(sku=sku, description=desc, quantity=rng.randint(1, 500), unit_value=value,
                        currency="USD", eccn=eccn, origin_country="US"))
    return out


def demo_events(now: datetime, seed: int | None = None) -> Iterator[OrderEvent | ShipmentEvent]:
    """An endless mixed stream; about 75% clean, 10% embargoed, 15% listed-like parties."""
    rng = random.Random(seed)
    n = 0
    while True:
        n += 1
        roll = rng.random()
        if roll < 0.75:
            buyer = rng.choice(_CLEAN_BUYERS)
        elif roll < 0.85:
            buyer = rng.choice(_EMBARGOED)
        else:
            buyer = rng.choice(_LISTED_LIKE)
        order_id = f"SO-DEMO-{n:06d}"
        parties = [_SELLER, _party("buyer", *buyer)]
        if rng.random() < 0.3:
            parties.append(_party("end_user", *rng.choice(_CLEAN_BUYERS + _LISTED_LIKE)))
        yield OrderEvent(event_id=str(uuid.UUID(int=rng.getrandbits(128))), type="order.created",
                         order_id=order_id, occurred_at=now, parties=parties,
                         ship_to=Address(city=buyer[1], country=buyer[2]), lines=_lines(rng),
                         payment={"method": rng.choice(["wire", "letter_of_credit", "card"])})
        if rng.random() < 0.5:
            # The ZTE pattern: a shipment that leaves via Hong Kong and Dubai, sometimes on to Iran.
            final = buyer[2]
            via = rng.choice([["HK"], ["AE"], ["HK", "AE"], []])
            if rng.random() < 0.1:
                via, final = ["HK", "AE"], "IR"
            stops = ["US", *via, final]
            legs = [Leg(**{"from": a, "to": b}) for a, b in itertools.pairwise(stops) if a != b]
            yield ShipmentEvent(
                event_id=str(uuid.UUID(int=rng.getrandbits(128))), type="shipment.booked",
                shipment_id=f"SH-DEMO-{n:06d}", order_id=order_id, occurred_at=now,
                mode=rng.choice(["sea", "air", "courier"]),
                parties=[_SELLER, _party("consignee", *buyer),
                         _party("forwarder", "Pearl River Forwarding Ltd", "Hong Kong", "HK")],
                legs=legs, declared_value=round(rng.uniform(500, 90000), 2), currency="USD",
            )
