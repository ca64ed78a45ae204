# Assertions read ``expected == actual``.
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from partnercore import NotFoundError, ValidationError
from partnercore.licensing import (
    EXAMPLE_CATALOG,
    EntitlementCatalog,
    Entitlements,
    License,
    LicenseState,
)

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return datetime(2026, 10, n, 9, tzinfo=UTC)


CATALOG = EntitlementCatalog.from_mapping(
    {
        "free": {"features": ["register"], "limits": {"users": 3}},
        "full": {"features": ["register", "export"], "limits": {"users": None}},
    }
)


def test_each_state_gives_its_features() -> None:
    license = License.open("c1", T0).request_upgrade(day(2)).convert(day(5))
    assert [False, True, True] == [
        CATALOG.entitled(license, "export", at) for at in (day(1), day(3), day(6))
    ]


def test_a_trial_gives_what_full_gives() -> None:
    assert CATALOG.full == CATALOG.for_state(LicenseState.TRIAL)
    license = License.open("c1", T0).request_upgrade(day(2))
    assert (True, None) == (
        CATALOG.entitled(license, "export", day(3)),
        CATALOG.limit(license, "users", day(3)),
    )


def test_entitlements_follow_the_implicit_trial_end() -> None:
    license = License.open("c1", T0).request_upgrade(day(2))
    assert license.trial_ends_at is not None
    assert (False, 3) == (
        CATALOG.entitled(license, "export", license.trial_ends_at),
        CATALOG.limit(license, "users", license.trial_ends_at),
    )


def test_a_catalog_bound_to_a_licence_answers_entitled_and_limit() -> None:
    bound = CATALOG.for_license(License.open("c1", T0, initial_state="full"))
    assert (True, True, None) == (
        bound.entitled("export", day(2)),
        bound.entitled("register", day(2)),
        bound.limit("users", day(2)),
    )


def test_an_unknown_feature_raises_rather_than_reading_as_not_entitled() -> None:
    license = License.open("c1", T0)
    with pytest.raises(NotFoundError) as raised:
        CATALOG.entitled(license, "exprot", day(2))
    assert ("feature", "exprot") == (raised.value.kind, raised.value.id)
    with pytest.raises(NotFoundError) as raised:
        CATALOG.limit(license, "seats", day(2))
    assert ("limit", "seats") == (raised.value.kind, raised.value.id)


def test_a_feature_known_only_to_full_is_known() -> None:
    assert (frozenset({"register", "export"}), frozenset({"users"})) == (
        CATALOG.features,
        CATALOG.limit_names,
    )
    assert (False, True) == (CATALOG.allows("free", "export"), CATALOG.allows("trial", "export"))
    assert (3, None) == (CATALOG.limit_of("free", "users"), CATALOG.limit_of("full", "users"))


def test_every_limit_must_be_given_for_every_state() -> None:
    with pytest.raises(ValidationError) as raised:
        EntitlementCatalog.from_mapping(
            {"free": {"limits": {}}, "full": {"limits": {"users": None}}}
        )
    assert "free.limits" == raised.value.problems[0].path


def test_a_catalog_lists_only_free_and_full() -> None:
    with pytest.raises(ValidationError) as raised:
        EntitlementCatalog.from_mapping({"free": {}, "trial": {}, "full": {}})
    assert "trial" == raised.value.problems[0].path
    with pytest.raises(ValidationError) as raised:
        EntitlementCatalog.from_mapping({"free": {}})
    assert "full" == raised.value.problems[0].path


@pytest.mark.parametrize(
    ("plan", "path"),
    [
        ({"features": "register"}, "full.features"),
        ({"features": [""]}, "full.features"),
        ({"limits": {"users": -1}}, "full.limits.users"),
        ({"limits": {"users": 2.5}}, "full.limits.users"),
        ({"limits": {"users": True}}, "full.limits.users"),
        ({"limits": ["users"]}, "full.limits"),
        ({"seats": 3}, "full"),
        ("everything", "full"),
    ],
)
def test_bad_entitlements_are_rejected_with_their_path(plan: object, path: str) -> None:
    with pytest.raises(ValidationError) as raised:
        EntitlementCatalog.from_mapping({"free": {}, "full": plan})
    assert path == raised.value.problems[0].path


def test_entitlements_are_immutable_values() -> None:
    plan = Entitlements(features=["a"], limits={"users": 1})
    assert plan == Entitlements(features={"a"}, limits={"users": 1})
    with pytest.raises(TypeError):
        plan.limits["users"] = 5  # type: ignore[index]


def test_the_example_catalog_gives_full_more_than_free() -> None:
    assert EXAMPLE_CATALOG.free.features < EXAMPLE_CATALOG.full.features
    assert (3, None) == (
        EXAMPLE_CATALOG.limit_of("free", "users"),
        EXAMPLE_CATALOG.limit_of("full", "users"),
    )


def test_asking_about_something_that_is_not_a_licence_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as raised:
        CATALOG.entitled("c1", "export", day(2))  # type: ignore[arg-type]
    assert "license" == raised.value.problems[0].path
