"""Stored records decoded through key tables give exactly what the converter gives: the same
record, or the same error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore.billing import BillingAccount, ClientTerms, Discount
from partnercore.licensing import License, LicensePolicy
from partnercore.serialization import make_converter, structure
from partnercore.serialization._records import HOT, RecordDecoder
from partnercore.tenancy import (
    ConsentChange,
    Grant,
    Membership,
    StatusChange,
    Team,
    TeamStatus,
    Transfer,
    User,
)

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _licence() -> License:
    license = License.open(
        "c1",
        T0,
        timezone="Europe/London",
        organisation_key="acme.example",
        policy=LicensePolicy(trial_days=7, on_trial_end="full"),
        billing_timezone="America/New_York",
    )
    license = license.request_upgrade(T0 + timedelta(days=1))
    license = license.downgrade(T0 + timedelta(days=11), at_period_end=True)
    return license.upgrade(T0 + timedelta(days=40))


RECORDS: list[object] = [
    Team.partner("p1", "Partner One", created_at=T0, timezone="Europe/Paris"),
    Team.client(
        "c1",
        "Client \u00e9 One",
        parent_id="p1",
        operated_by="partner",
        billing_model="non_reseller",
        created_at=T0,
    ),
    User("u1", "u1@example.com"),
    Membership(
        user_id="u1",
        team_id="p1",
        role="advisor",
        active_from=T0,
        active_until=T0 + timedelta(days=3),
    ),
    Grant(
        id="g1",
        partner_id="p1",
        client_id="*",
        advisor_id="u1",
        role="advisor_readonly",
        granted_at=T0,
        expires_at=T0 + timedelta(days=30),
        granted_by="u0",
    ),
    ConsentChange(client_id="c1", partner_access="revoked", at=T0, by="u2"),
    Transfer(client_id="c1", from_partner="p1", to_partner="p2", at=T0, by="ops"),
    StatusChange(
        team_id="c1", from_status=TeamStatus.ACTIVE, to_status=TeamStatus.SUSPENDED, at=T0, by="x"
    ),
    _licence(),
    BillingAccount(
        "p1",
        "book",
        Decimal("0.20"),
        clients=(
            ClientTerms(
                client_id="c1",
                price_book_id="deal",
                employee_count=40,
                discounts=(Discount(percent=Decimal("0.10"), first_period="2026-01"),),
            ),
        ),
    ),
]

CONVERTER = make_converter()
DECODER = RecordDecoder(CONVERTER)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from(["", "x", "p1", "free", "full", "2026-03-01T09:30:00Z", "\ud800", "2026"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)


def _outcome(decode: Any, data: Any, cls: type) -> object:
    try:
        return decode(data, cls)
    except ValidationError as error:
        return ("ValidationError", error.problems)


def _paths(data: Any, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in ``data`` (dict keys and list indexes) a value sits."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


def _replace(data: Any, path: tuple[object, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[head] = _replace(data[head], rest, value)  # type: ignore[index]
    return copy


def test_every_hot_class_has_a_record_here() -> None:
    assert set(HOT) - {type(r) for r in RECORDS} <= {
        __import__("partnercore").licensing.LicenseEvent,
        LicensePolicy,
        ClientTerms,
        Discount,
    }


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_stored_record_comes_back_equal_through_its_key_table(record: object) -> None:
    data = json.loads(json.dumps(CONVERTER.unstructure(record)))
    assert record == DECODER.decode(data, type(record))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_change_to_a_stored_record_decodes_as_the_converter_decodes_it(
    data: st.DataObject,
) -> None:
    record = data.draw(st.sampled_from(RECORDS))
    cls = type(record)
    stored = json.loads(json.dumps(CONVERTER.unstructure(record)))
    path = data.draw(st.sampled_from(_paths(stored)))
    change = data.draw(st.sampled_from(["replace", "drop", "add"]))
    if change == "replace" or not path:
        changed = _replace(stored, path, data.draw(JSON))
    else:
        parent = path[:-1]
        container = stored
        for step in parent:
            container = container[step]
        if isinstance(container, dict):
            copy = dict(container)
            if change == "drop":
                copy.pop(path[-1])
            else:
                copy[data.draw(st.text(max_size=4))] = data.draw(JSON)
        else:
            copy = list(container)
            if change == "drop":
                copy.pop(path[-1])  # type: ignore[arg-type]
            else:
                copy.append(data.draw(JSON))
        changed = _replace(stored, parent, copy)
    expected = _outcome(lambda d, c: structure(d, c, converter=CONVERTER), changed, cls)
    assert expected == _outcome(DECODER.decode, changed, cls)
