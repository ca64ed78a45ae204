"""Decisions: immutable values whose explanation is written on first read, and that show
well in a REPL and a notebook."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def test_a_decision_pickles_and_copies_with_its_explanation() -> None:
    ports = build_world()
    decision = check(ports, "sam", "team.view", "c1", at("2026-05-01"))
    explanation = check(ports, "sam", "team.view", "c1", at("2026-05-01")).explanation
    unpickled = pickle.loads(pickle.dumps(decision))
    assert explanation == unpickled.explanation
    assert decision == unpickled
    copied = copy.copy(check(ports, "sam", "team.view", "c1", at("2026-05-01")))
    assert explanation == copied.explanation
    assert decision == copy.deepcopy(decision)


def test_a_decision_cannot_be_changed() -> None:
    decision = Decision(False, Rule.R5, "nothing reaches across partners")
    with pytest.raises(AttributeError, match="immutable"):
        decision.allowed = True  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        decision.rule = Rule.R1  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        decision.explanation = "anything"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del decision.via
    with pytest.raises(AttributeError, match="immutable"):
        del decision.explanation
    with pytest.raises(AttributeError, match="note"):  # (no attribute is added either)
        decision.note = "x"  # type: ignore[attr-defined]
    expected = (False, Rule.R5, "nothing reaches across partners", None)
    assert expected == (decision.allowed, decision.rule, decision.explanation, decision.via)


def test_an_explanation_written_when_read_cannot_be_changed_either() -> None:
    decision = Decision(False, Rule.DEFAULT, (str, "no membership in c1"))
    with pytest.raises(AttributeError, match="immutable"):
        decision.explanation = "anything"  # type: ignore[misc]
    assert "no membership in c1" == decision.explanation
    with pytest.raises(AttributeError, match="immutable"):
        decision.explanation = "anything"  # type: ignore[misc]
    assert Decision(False, Rule.DEFAULT, "no membership in c1") == decision


def test_an_explanation_given_as_a_function_and_values_is_written_once_when_read() -> None:
    calls = []

    def write(user: str, team: str) -> str:
        calls.append((user, team))
        return f"{user} has no membership in {team}"

    decision = Decision(False, Rule.DEFAULT, (write, "sam", "c1"))
    assert [] == calls
    assert "sam has no membership in c1" == decision.explanation
    assert "sam has no membership in c1" == decision.explanation
    assert [("sam", "c1")] == calls


def test_decisions_match_by_position_and_by_name() -> None:
    decision = Decision(True, Rule.R2, "paula is partner_admin of acme", "m-1")
    match decision:
        case Decision(True, rule, explanation, via):
            assert (Rule.R2, "paula is partner_admin of acme", "m-1") == (rule, explanation, via)
        case _:  # pragma: no cover - the case above matches
            pytest.fail("no match")


def test_a_decision_is_never_equal_to_something_else() -> None:
    decision = Decision(False, Rule.DEFAULT, "no membership in c1")
    assert decision != (False, Rule.DEFAULT, "no membership in c1", None)
    assert decision != Decision(False, Rule.DEFAULT, "no membership in c2")
    assert decision != Decision(False, Rule.R5, "no membership in c1")
    assert decision != Decision(True, Rule.DEFAULT, "no membership in c1")
    assert decision != Decision(False, Rule.DEFAULT, "no membership in c1", "m-1")


def test_an_allowed_decision_shows_its_verdict_rule_via_and_explanation() -> None:
    ports = build_world()
    decision = check(ports, "alice", "team.edit", "c1", at("2026-05-01"))
    expected = (
        "<Decision allowed by R3 via g1: grant g1 gives alice advisor on c1, which includes "
        "team.edit>"
    )
    assert expected == repr(decision)


def test_a_denial_shows_its_rule_and_explanation() -> None:
    ports = build_world()
    denial = check(ports, "sam", "team.view", "c1", at("2026-05-01"))
    expected = "<Decision denied by default: no membership in c1 and no active grant>"
    assert expected == repr(denial)
    assert "denied (default): no membership in c1 and no active grant" == str(denial)


def test_a_decision_in_a_notebook_is_html_with_its_text_escaped() -> None:
    decision = Decision(False, Rule.R5, "bob belongs to partner <beta> & not acme")
    expected = (
        '<div class="partnercore-decision"><strong style="color: #cf222e">denied by R5'
        "</strong><br>bob belongs to partner &lt;beta&gt; &amp; not acme</div>"
    )
    assert expected == decision._repr_html_()


def test_an_allowed_decision_in_a_notebook_names_what_gave_it() -> None:
    decision = Decision(True, Rule.R1, "carol is client_admin of c1", "m-<7>")
    html = decision._repr_html_()
    assert '<strong style="color: #1a7f37">allowed by R1 via m-&lt;7&gt;</strong>' in html


rules = st.sampled_from(list(Rule))
texts = st.text(min_size=1, max_size=30)
vias = st.none() | st.text(min_size=1, max_size=10)


@given(allowed=st.booleans(), rule=rules, explanation=texts, via=vias)
def test_a_decision_written_later_equals_one_written_at_once(
    allowed: bool, rule: Rule, explanation: str, via: str | None
) -> None:
    now = Decision(allowed, rule, explanation, via)
    later = Decision(allowed, rule, (str, explanation), via)
    assert now == later
    assert hash(now) == hash(Decision(allowed, rule, (str, explanation), via))
    assert repr(now) == repr(later)
    assert now == pickle.loads(pickle.dumps(Decision(allowed, rule, (str, explanation), via)))
