"""Decisions: plain values whose explanation is written on first read."""

from __future__ import annotations

import copy
import pickle

import attrs

from partnercore.tenancy import Decision, Rule, check, revoke_grant
from tests.tenancy.conftest import at, build_world


def test_an_explanation_read_after_the_store_changed_is_the_one_decided() -> None:
    ports = build_world()
    unread = check(ports, "alice", "team.edit", "c1", at("2026-05-01"))
    expected = check(ports, "alice", "team.edit", "c1", at("2026-05-01")).explanation
    revoke_grant(ports, "g1", at=at("2026-04-01"), by="paula")
    assert expected == unread.explanation
    assert "grant g1" in unread.explanation


def test_an_unread_decision_equals_one_built_by_hand() -> None:
    ports = build_world()
    decision = check(ports, "alice", "team.edit", "c1", at("2026-05-01"))
    by_hand = Decision(True, Rule.R3, decision.explanation, "g1")
    fresh = check(ports, "alice", "team.edit", "c1", at("2026-05-01"))
    assert by_hand == fresh
    assert hash(by_hand) == hash(check(ports, "alice", "team.edit", "c1", at("2026-05-01")))
    assert repr(by_hand) == repr(check(ports, "alice", "team.edit", "c1", at("2026-05-01")))


def test_a_decision_pickles_copies_and_evolves_with_its_explanation() -> None:
    ports = build_world()
    decision = check(ports, "sam", "team.view", "c1", at("2026-05-01"))
    explanation = check(ports, "sam", "team.view", "c1", at("2026-05-01")).explanation
    assert explanation == pickle.loads(pickle.dumps(decision)).explanation
    assert (
        explanation
        == copy.copy(check(ports, "sam", "team.view", "c1", at("2026-05-01"))).explanation
    )
    evolved = attrs.evolve(check(ports, "sam", "team.view", "c1", at("2026-05-01")), via="x")
    assert explanation == evolved.explanation
    assert {"allowed": False, "rule": Rule.DEFAULT, "explanation": explanation, "via": None} == (
        attrs.asdict(check(ports, "sam", "team.view", "c1", at("2026-05-01")))
    )
