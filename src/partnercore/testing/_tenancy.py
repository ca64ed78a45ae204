"""The contracts every tenancy port must honour, and an end-to-end contract for the store.

Subclass a contract in a test module and override its fixture with an empty store of yours.
``TenancyStoreContract`` runs the tenancy services and the access check through a whole
store: a host's adapters must give the decisions the rules require, append the events of
every write, and keep a refused write or a failed unit of work from changing anything.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import attrs
import pytest

from partnercore._errors import AccessDeniedError, ConflictError, NotFoundError
from partnercore.events import SYSTEM, TeamStatusChanged
from partnercore.tenancy import (
    ALL,
    ConsentChange,
    ConsentRepository,
    Decision,
    Grant,
    GrantRepository,
    Membership,
    MembershipRepository,
    PartnerAccess,
    Permission,
    Rule,
    StatusChange,
    Team,
    TeamHistory,
    TeamRepository,
    TeamStatus,
    TenancyStore,
    Transfer,
    User,
    UserRepository,
    add_membership,
    add_user,
    audit_trail,
    check,
    create_client,
    create_partner,
    end_membership,
    grant_access,
    restore_partner_access,
    revoke_grant,
    revoke_partner_access,
    suspend_team,
    teams,
    transfer_client,
    who,
)
from partnercore.testing._hostile import (
    NOT_RECORDS,
    ODD_KEYS,
    ODD_TEXTS,
    REFUSED_OR_KEPT,
    TROUBLESOME_TEXTS,
    answers,
    kept_or_refused,
    label,
)

__all__ = [
    "ConsentRepositoryContract",
    "GrantRepositoryContract",
    "MembershipRepositoryContract",
    "TeamHistoryContract",
    "TeamRepositoryContract",
    "TenancyStoreContract",
    "UserRepositoryContract",
]

_T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _day(n: int) -> datetime:
    return _T0 + timedelta(days=n)


def _partner(team_id: str) -> Team:
    return Team.partner(team_id, f"Partner {team_id}", created_at=_T0)


def _client(team_id: str, partner_id: str) -> Team:
    return Team.client(
        team_id,
        f"Client {team_id}",
        parent_id=partner_id,
        operated_by="client",
        billing_model="reseller",
        created_at=_T0,
    )


def _membership(user: str, team: str, role: str, start: int, end: int | None = None) -> Membership:
    return Membership(
        user_id=user,
        team_id=team,
        role=role,
        active_from=_day(start),
        active_until=None if end is None else _day(end),
    )


def _refused(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "raises ValidationError" for value in values}


def _none(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "None" for value in values}


def _not_found(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "raises NotFoundError" for value in values}


def _nothing(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): "nothing" for value in values}


def _kept_or_refused(values: tuple[object, ...]) -> dict[str, str]:
    return {label(value): REFUSED_OR_KEPT for value in values}


def _grant(grant_id: str, partner: str, client: str, advisor: str, start: int = 0) -> Grant:
    return Grant(
        id=grant_id,
        partner_id=partner,
        client_id=client,
        advisor_id=advisor,
        role="advisor",
        granted_at=_day(start),
        granted_by="admin",
    )


class TeamRepositoryContract:
    """Override the ``teams`` fixture with an empty ``TeamRepository``."""

    @pytest.fixture
    def teams(self) -> TeamRepository:
        raise NotImplementedError("provide a fixture 'teams': an empty TeamRepository")

    def test_an_added_team_comes_back_equal(self, teams: TeamRepository) -> None:
        team = attrs.evolve(
            _client("c1", "p1"), organisation_key="c1.example", timezone="Asia/Tokyo"
        )
        teams.add(_partner("p1"))
        teams.add(team)
        assert team == teams.get("c1")
        assert team == teams.find("c1")

    def test_an_unknown_team_is_not_found(self, teams: TeamRepository) -> None:
        assert None is teams.find("nope")
        with pytest.raises(NotFoundError):
            teams.get("nope")

    def test_clients_of_partners_gives_each_partners_clients_as_clients_of_does_at_once(
        self, teams: TeamRepository
    ) -> None:
        for team in (_partner("p1"), _partner("p2"), _partner("p3")):
            teams.add(team)
        for team in (_client("c2", "p1"), _client("c1", "p1"), _client("c3", "p2")):
            teams.add(team)
        teams.save(_client("c3", "p1"))  # moved: only its current partner has it
        found = teams.clients_of_partners(["p2", "p3", "nobody", "p1", "p1"])
        assert {"p1": list(teams.clients_of("p1"))} == {
            partner_id: list(clients) for partner_id, clients in found.items()
        }
        assert ["c1", "c2", "c3"] == [team.id for team in found["p1"]]
        assert ({}, {}, {}) == (
            dict(teams.clients_of_partners([])),
            dict(teams.clients_of_partners({"c1"})),
            dict(teams.clients_of_partners(cast(list[str], list(ODD_KEYS)))),
        )

    def test_clients_of_partners_wants_a_collection_of_ids_not_one_id(
        self, teams: TeamRepository
    ) -> None:
        teams.add(_partner("p1"))
        teams.add(_client("c1", "p1"))
        refused = {label(value): "raises ValidationError" for value in ("p1", b"p1", None, 7)}
        assert refused == answers(teams.clients_of_partners, ("p1", b"p1", None, 7))

    def test_adding_a_duplicate_id_conflicts_and_keeps_the_first(
        self, teams: TeamRepository
    ) -> None:
        teams.add(_partner("p1"))
        with pytest.raises(ConflictError):
            teams.add(attrs.evolve(_partner("p1"), name="Other"))
        assert "Partner p1" == teams.get("p1").name

    def test_saving_replaces_a_stored_team(self, teams: TeamRepository) -> None:
        teams.add(_partner("p1"))
        teams.save(attrs.evolve(_partner("p1"), status=TeamStatus.SUSPENDED))
        assert TeamStatus.SUSPENDED == teams.get("p1").status

    def test_saving_an_unknown_team_is_not_found(self, teams: TeamRepository) -> None:
        with pytest.raises(NotFoundError):
            teams.save(_partner("p1"))

    def test_partners_are_every_partner_sorted_by_id(self, teams: TeamRepository) -> None:
        for team in (_partner("p2"), _partner("p1"), _client("c1", "p1"), _partner("p10")):
            teams.add(team)
        assert ["p1", "p10", "p2"] == [t.id for t in teams.partners()]

    def test_clients_of_a_partner_are_its_current_clients_sorted_by_id(
        self, teams: TeamRepository
    ) -> None:
        for team in (_partner("p1"), _partner("p2"), _client("c2", "p1"), _client("c1", "p1")):
            teams.add(team)
        teams.add(_client("c3", "p2"))
        assert ["c1", "c2"] == [t.id for t in teams.clients_of("p1")]
        assert [] == teams.clients_of("nobody")

    def test_a_saved_transfer_moves_the_client_between_partners(
        self, teams: TeamRepository
    ) -> None:
        for team in (_partner("p1"), _partner("p2"), _client("c1", "p1")):
            teams.add(team)
        teams.save(attrs.evolve(teams.get("c1"), parent_id="p2"))
        assert [] == teams.clients_of("p1")
        assert ["c1"] == [t.id for t in teams.clients_of("p2")]

    def test_changing_a_returned_list_does_not_change_the_store(
        self, teams: TeamRepository
    ) -> None:
        teams.add(_partner("p1"))
        teams.add(_client("c1", "p1"))
        teams.partners().clear()
        teams.clients_of("p1").clear()
        assert 1 == len(teams.partners())
        assert 1 == len(teams.clients_of("p1"))

    # -- bad input: ValidationError for a write, nothing found for a lookup -------------

    def test_writing_anything_but_a_team_is_a_validation_error_and_changes_nothing(
        self, teams: TeamRepository
    ) -> None:
        teams.add(_partner("p1"))
        wrong = (*NOT_RECORDS, User("p2", "p2@example.com"))
        assert (_refused(wrong), _refused(wrong)) == (
            answers(teams.add, wrong),
            answers(teams.save, wrong),
        )
        assert ([_partner("p1")], None) == (teams.partners(), teams.find("p2"))

    def test_a_key_no_team_can_have_finds_nothing(self, teams: TeamRepository) -> None:
        teams.add(_partner("p1"))
        teams.add(_client("c1", "p1"))
        assert (_none(ODD_KEYS), _not_found(ODD_KEYS), _nothing(ODD_KEYS)) == (
            answers(teams.find, ODD_KEYS),
            answers(teams.get, ODD_KEYS),
            answers(teams.clients_of, ODD_KEYS),
        )

    def test_odd_names_come_back_exactly(self, teams: TeamRepository) -> None:
        added = [
            attrs.evolve(_client(f"c{n}", "p1"), name=name, organisation_key=name)
            for n, name in enumerate(ODD_TEXTS)
        ]
        for team in added:
            teams.add(team)
        renamed = [attrs.evolve(team, name=f"{team.name} \U0001f4bc") for team in added]
        for team in renamed:
            teams.save(team)
        assert (renamed, renamed) == (
            [teams.get(team.id) for team in added],
            teams.clients_of("p1"),
        )

    def test_troublesome_names_are_refused_or_kept_exactly(self, teams: TeamRepository) -> None:
        def outcome(n: int, name: str) -> str:
            return kept_or_refused(
                lambda: attrs.evolve(_partner(f"p{n}"), name=name),
                teams.add,
                lambda: teams.find(f"p{n}"),
            )

        assert _kept_or_refused(TROUBLESOME_TEXTS) == {
            label(name): outcome(n, name) for n, name in enumerate(TROUBLESOME_TEXTS)
        }


class UserRepositoryContract:
    """Override the ``users`` fixture with an empty ``UserRepository``."""

    @pytest.fixture
    def users(self) -> UserRepository:
        raise NotImplementedError("provide a fixture 'users': an empty UserRepository")

    def test_an_added_user_comes_back_equal(self, users: UserRepository) -> None:
        user = User("alice", "alice@acme.example", "Alice A.")
        users.add(user)
        assert user == users.get("alice")
        assert user == users.find("alice")

    def test_an_unknown_user_is_not_found(self, users: UserRepository) -> None:
        assert None is users.find("nope")
        with pytest.raises(NotFoundError):
            users.get("nope")

    def test_adding_a_duplicate_id_conflicts_and_keeps_the_first(
        self, users: UserRepository
    ) -> None:
        users.add(User("alice", "alice@acme.example"))
        with pytest.raises(ConflictError):
            users.add(User("alice", "other@acme.example"))
        assert "alice@acme.example" == users.get("alice").email

    def test_adding_anything_but_a_user_is_a_validation_error_and_changes_nothing(
        self, users: UserRepository
    ) -> None:
        wrong = (*NOT_RECORDS, _partner("p1"))
        assert _refused(wrong) == answers(users.add, wrong)
        assert None is users.find("p1")

    def test_a_key_no_user_can_have_finds_nothing(self, users: UserRepository) -> None:
        users.add(User("p1", "p1@example.com"))
        assert (_none(ODD_KEYS), _not_found(ODD_KEYS)) == (
            answers(users.find, ODD_KEYS),
            answers(users.get, ODD_KEYS),
        )

    def test_odd_names_and_addresses_come_back_exactly(self, users: UserRepository) -> None:
        added = [
            User(f"u{n}", f"u{n}.\U0001f680@example.com", text) for n, text in enumerate(ODD_TEXTS)
        ]
        for user in added:
            users.add(user)
        assert added == [users.get(user.id) for user in added]

    def test_troublesome_names_are_refused_or_kept_exactly(self, users: UserRepository) -> None:
        def outcome(n: int, name: str) -> str:
            return kept_or_refused(
                lambda: User(f"u{n}", f"u{n}@example.com", name),
                users.add,
                lambda: users.find(f"u{n}"),
            )

        assert _kept_or_refused(TROUBLESOME_TEXTS) == {
            label(name): outcome(n, name) for n, name in enumerate(TROUBLESOME_TEXTS)
        }


class MembershipRepositoryContract:
    """Override the ``memberships`` fixture with an empty ``MembershipRepository``."""

    @pytest.fixture
    def memberships(self) -> MembershipRepository:
        raise NotImplementedError("provide a fixture 'memberships': an empty MembershipRepository")

    def test_an_added_membership_comes_back_by_id(self, memberships: MembershipRepository) -> None:
        membership = _membership("alice", "p1", "advisor", 0, 30)
        memberships.add(membership)
        assert membership == memberships.get(membership.id)

    def test_an_unknown_membership_is_not_found(self, memberships: MembershipRepository) -> None:
        with pytest.raises(NotFoundError):
            memberships.get("nope")

    def test_adding_a_duplicate_id_conflicts(self, memberships: MembershipRepository) -> None:
        memberships.add(_membership("alice", "p1", "advisor", 0))
        with pytest.raises(ConflictError):
            memberships.add(_membership("alice", "p1", "advisor", 0, 5))
        assert [None] == [m.active_until for m in memberships.for_team("p1")]

    def test_lookups_by_team_user_and_both_are_oldest_first(
        self, memberships: MembershipRepository
    ) -> None:
        late = _membership("alice", "p1", "partner_admin", 20)
        early = _membership("alice", "p1", "advisor", 0, 20)
        bob = _membership("bob", "p1", "advisor", 10)
        elsewhere = _membership("alice", "c1", "member", 5)
        for membership in (late, bob, elsewhere, early):
            memberships.add(membership)
        assert [early, bob, late] == list(memberships.for_team("p1"))
        assert [early, elsewhere, late] == list(memberships.for_user("alice"))
        assert [early, late] == list(memberships.between("alice", "p1"))
        assert [] == list(memberships.between("bob", "c1"))
        assert [] == list(memberships.for_team("nobody"))

    def test_for_teams_gives_each_teams_memberships_as_for_team_does_at_once(
        self, memberships: MembershipRepository
    ) -> None:
        late = _membership("alice", "p1", "partner_admin", 20)
        early = _membership("alice", "p1", "advisor", 0, 20)
        bob = _membership("bob", "p1", "advisor", 10)
        elsewhere = _membership("alice", "c1", "member", 5)
        for membership in (late, bob, elsewhere, early):
            memberships.add(membership)
        memberships.save(attrs.evolve(bob, active_until=_day(15)))
        found = memberships.for_teams(["c1", "nobody", "p1", "c1"])
        assert {"p1": list(memberships.for_team("p1")), "c1": [elsewhere]} == {
            team_id: list(found_) for team_id, found_ in found.items()
        }
        assert ([early.id, bob.id, late.id], _day(15)) == (
            [m.id for m in found["p1"]],
            found["p1"][1].active_until,
        )
        assert ({}, {}) == (
            dict(memberships.for_teams([])),
            dict(memberships.for_teams(cast(list[str], list(ODD_KEYS)))),
        )

    def test_for_teams_wants_a_collection_of_ids_not_one_id(
        self, memberships: MembershipRepository
    ) -> None:
        memberships.add(_membership("alice", "p1", "advisor", 0))
        refused = {label(value): "raises ValidationError" for value in ("p1", b"p1", None, 7)}
        assert refused == answers(memberships.for_teams, ("p1", b"p1", None, 7))

    def test_saving_an_ended_membership_shows_in_every_lookup(
        self, memberships: MembershipRepository
    ) -> None:
        membership = _membership("alice", "p1", "advisor", 0)
        memberships.add(membership)
        ended = attrs.evolve(membership, active_until=_day(9))
        memberships.save(ended)
        assert ended == memberships.get(membership.id)
        assert [ended] == list(memberships.for_team("p1"))
        assert [ended] == list(memberships.for_user("alice"))
        assert [ended] == list(memberships.between("alice", "p1"))

    def test_saving_an_unknown_membership_is_not_found(
        self, memberships: MembershipRepository
    ) -> None:
        with pytest.raises(NotFoundError):
            memberships.save(_membership("alice", "p1", "advisor", 0))

    def test_writing_anything_but_a_membership_is_a_validation_error_and_changes_nothing(
        self, memberships: MembershipRepository
    ) -> None:
        membership = _membership("alice", "p1", "advisor", 0)
        memberships.add(membership)
        wrong = (*NOT_RECORDS, _grant("g1", "p1", "c1", "alice"))
        assert (_refused(wrong), _refused(wrong)) == (
            answers(memberships.add, wrong),
            answers(memberships.save, wrong),
        )
        assert [membership] == list(memberships.for_team("p1"))

    def test_a_key_no_membership_can_have_finds_nothing(
        self, memberships: MembershipRepository
    ) -> None:
        memberships.add(_membership("p1", "p1", "advisor", 0))
        assert (
            _not_found(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
        ) == (
            answers(memberships.get, ODD_KEYS),
            answers(memberships.for_team, ODD_KEYS),
            answers(memberships.for_user, ODD_KEYS),
            answers(memberships.between, ODD_KEYS, "p1"),
            answers(memberships.between, ODD_KEYS, "p1", last=True),
        )


class GrantRepositoryContract:
    """Override the ``grants`` fixture with an empty ``GrantRepository``."""

    @pytest.fixture
    def grants(self) -> GrantRepository:
        raise NotImplementedError("provide a fixture 'grants': an empty GrantRepository")

    def test_an_added_grant_comes_back_equal(self, grants: GrantRepository) -> None:
        grant = attrs.evolve(
            _grant("g1", "p1", "c1", "alice"), role="advisor_admin", expires_at=_day(30)
        )
        grants.add(grant)
        assert grant == grants.get("g1")
        assert grant == grants.find("g1")

    def test_an_unknown_grant_is_not_found(self, grants: GrantRepository) -> None:
        assert None is grants.find("nope")
        with pytest.raises(NotFoundError):
            grants.get("nope")

    def test_adding_a_duplicate_id_conflicts_and_keeps_the_first(
        self, grants: GrantRepository
    ) -> None:
        grants.add(_grant("g1", "p1", "c1", "alice"))
        with pytest.raises(ConflictError):
            grants.add(_grant("g1", "p1", "c2", "bob"))
        assert "c1" == grants.get("g1").client_id
        assert [] == list(grants.for_client("p1", "c2"))

    def test_lookups_are_indexed_by_client_all_clients_advisor_and_partner(
        self, grants: GrantRepository
    ) -> None:
        later = _grant("g1", "p1", "c1", "alice", start=5)
        earlier = _grant("g2", "p1", "c1", ALL, start=1)
        every = _grant("g3", "p1", ALL, "alice", start=2)
        other_client = _grant("g4", "p1", "c2", "bob")
        other_partner = _grant("g5", "p2", "c9", "alice")
        for grant in (later, earlier, every, other_client, other_partner):
            grants.add(grant)
        assert [earlier, later] == list(grants.for_client("p1", "c1"))
        assert [every] == list(grants.for_all_clients("p1"))
        assert [] == list(grants.for_all_clients("p2"))
        assert [other_partner, every, later] == list(grants.for_advisor("alice"))
        assert [other_client, earlier, every, later] == list(grants.for_partner("p1"))

    def test_a_saved_revocation_shows_in_every_lookup(self, grants: GrantRepository) -> None:
        grant = _grant("g1", "p1", "c1", "alice")
        every = _grant("g2", "p1", ALL, "alice")
        grants.add(grant)
        grants.add(every)
        revoked = attrs.evolve(grant, revoked_at=_day(3), revoked_by="admin")
        revoked_every = attrs.evolve(every, revoked_at=_day(4), revoked_by="admin")
        grants.save(revoked)
        grants.save(revoked_every)
        assert revoked == grants.get("g1")
        assert [revoked] == list(grants.for_client("p1", "c1"))
        assert [revoked_every] == list(grants.for_all_clients("p1"))
        assert [revoked, revoked_every] == list(grants.for_advisor("alice"))
        assert [revoked, revoked_every] == list(grants.for_partner("p1"))

    def test_saving_an_unknown_grant_is_not_found(self, grants: GrantRepository) -> None:
        with pytest.raises(NotFoundError):
            grants.save(_grant("g1", "p1", "c1", "alice"))

    def test_writing_anything_but_a_grant_is_a_validation_error_and_changes_nothing(
        self, grants: GrantRepository
    ) -> None:
        grant = _grant("g1", "p1", "c1", "alice")
        grants.add(grant)
        wrong = (*NOT_RECORDS, _membership("alice", "p1", "advisor", 0))
        assert (_refused(wrong), _refused(wrong)) == (
            answers(grants.add, wrong),
            answers(grants.save, wrong),
        )
        assert [grant] == list(grants.for_partner("p1"))

    def test_a_key_no_grant_can_have_finds_nothing(self, grants: GrantRepository) -> None:
        grants.add(_grant("p1", "p1", "c1", "p1"))
        grants.add(_grant("g2", "p1", ALL, "p1"))
        assert (
            _none(ODD_KEYS),
            _not_found(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
            _nothing(ODD_KEYS),
        ) == (
            answers(grants.find, ODD_KEYS),
            answers(grants.get, ODD_KEYS),
            answers(grants.for_client, ODD_KEYS, "c1"),
            answers(grants.for_client, ODD_KEYS, "p1", last=True),
            answers(grants.for_all_clients, ODD_KEYS),
            answers(grants.for_advisor, ODD_KEYS),
            answers(grants.for_partner, ODD_KEYS),
        )


class ConsentRepositoryContract:
    """Override the ``consents`` fixture with an empty ``ConsentRepository``."""

    @pytest.fixture
    def consents(self) -> ConsentRepository:
        raise NotImplementedError("provide a fixture 'consents': an empty ConsentRepository")

    def test_changes_come_back_per_client_oldest_first(self, consents: ConsentRepository) -> None:
        revoked = ConsentChange(
            client_id="c1", partner_access=PartnerAccess.REVOKED, at=_day(1), by="carol"
        )
        restored = ConsentChange(
            client_id="c1", partner_access=PartnerAccess.RESTORED, at=_day(2), by="carol"
        )
        other = ConsentChange(
            client_id="c2", partner_access=PartnerAccess.REVOKED, at=_day(0), by="dave"
        )
        for change in (restored, other, revoked):
            consents.add(change)
        assert [revoked, restored] == list(consents.for_client("c1"))
        assert [other] == list(consents.for_client("c2"))
        assert [] == list(consents.for_client("c3"))

    def test_adding_anything_but_a_consent_change_is_a_validation_error(
        self, consents: ConsentRepository
    ) -> None:
        wrong = (*NOT_RECORDS, _grant("g1", "p1", "c1", "alice"))
        assert _refused(wrong) == answers(consents.add, wrong)

    def test_a_key_no_client_can_have_finds_nothing(self, consents: ConsentRepository) -> None:
        consents.add(
            ConsentChange(client_id="p1", partner_access=PartnerAccess.REVOKED, at=_T0, by="c")
        )
        assert _nothing(ODD_KEYS) == answers(consents.for_client, ODD_KEYS)


class TeamHistoryContract:
    """Override the ``history`` fixture with an empty ``TeamHistory``."""

    @pytest.fixture
    def history(self) -> TeamHistory:
        raise NotImplementedError("provide a fixture 'history': an empty TeamHistory")

    def test_changes_come_back_per_team_oldest_first_with_transfers_per_old_partner(
        self, history: TeamHistory
    ) -> None:
        moved = Transfer(client_id="c1", from_partner="p1", to_partner="p2", at=_day(5), by="x")
        back = Transfer(client_id="c1", from_partner="p2", to_partner="p1", at=_day(9), by="x")
        paused = StatusChange(
            team_id="c1",
            from_status=TeamStatus.ACTIVE,
            to_status=TeamStatus.SUSPENDED,
            at=_day(7),
            by="x",
        )
        for change in (back, paused, moved):
            history.add(change)
        assert [moved, paused, back] == list(history.for_team("c1"))
        assert [moved] == list(history.transfers_from("p1"))
        assert [back] == list(history.transfers_from("p2"))
        assert [] == list(history.for_team("c2"))
        assert [] == list(history.transfers_from("p3"))

    def test_adding_anything_but_a_transfer_or_status_change_is_a_validation_error(
        self, history: TeamHistory
    ) -> None:
        wrong = (*NOT_RECORDS, _partner("p1"))
        assert _refused(wrong) == answers(history.add, wrong)
        assert [] == list(history.for_team("p1"))

    def test_a_key_no_team_can_have_finds_nothing(self, history: TeamHistory) -> None:
        history.add(Transfer(client_id="p1", from_partner="p1", to_partner="p2", at=_T0, by="x"))
        assert (_nothing(ODD_KEYS), _nothing(ODD_KEYS), {}) == (
            answers(history.for_team, ODD_KEYS),
            answers(history.transfers_from, ODD_KEYS),
            dict(history.for_teams(cast(list[str], list(ODD_KEYS)))),
        )

    def test_for_teams_gives_each_teams_changes_as_for_team_does_at_once(
        self, history: TeamHistory
    ) -> None:
        moved = Transfer(client_id="c1", from_partner="p1", to_partner="p2", at=_day(5), by="x")
        back = Transfer(client_id="c1", from_partner="p2", to_partner="p1", at=_day(9), by="x")
        paused = StatusChange(
            team_id="c2",
            from_status=TeamStatus.ACTIVE,
            to_status=TeamStatus.SUSPENDED,
            at=_day(7),
            by="x",
        )
        for change in (back, paused, moved):
            history.add(change)
        found = history.for_teams(["c2", "c1", "c3", "c1"])
        assert {"c1": [moved, back], "c2": [paused]} == {
            team_id: list(changes) for team_id, changes in found.items()
        }
        assert {} == dict(history.for_teams([]))
        assert {} == dict(history.for_teams(set()))

    def test_for_teams_wants_a_collection_of_ids_not_one_id(self, history: TeamHistory) -> None:
        history.add(Transfer(client_id="c1", from_partner="p1", to_partner="p2", at=_T0, by="x"))
        refused = {label(value): "raises ValidationError" for value in ("c1", b"c1", None, 7)}
        assert refused == answers(history.for_teams, ("c1", b"c1", None, 7))

    def test_transfers_from_partners_gives_each_partners_transfers_out_at_once(
        self, history: TeamHistory
    ) -> None:
        later = Transfer(client_id="c1", from_partner="p1", to_partner="p2", at=_day(9), by="x")
        earlier = Transfer(client_id="c2", from_partner="p1", to_partner="p3", at=_day(5), by="x")
        back = Transfer(client_id="c1", from_partner="p2", to_partner="p1", at=_day(12), by="x")
        paused = StatusChange(
            team_id="c2",
            from_status=TeamStatus.ACTIVE,
            to_status=TeamStatus.SUSPENDED,
            at=_day(7),
            by="x",
        )
        for change in (later, paused, back, earlier):
            history.add(change)
        found = history.transfers_from_partners(["p3", "p2", "nobody", "p1", "p2"])
        assert {"p1": [earlier, later], "p2": [back]} == {
            partner_id: list(transfers) for partner_id, transfers in found.items()
        }
        assert ({}, {}) == (
            dict(history.transfers_from_partners([])),
            dict(history.transfers_from_partners(cast(list[str], list(ODD_KEYS)))),
        )
        refused = {label(value): "raises ValidationError" for value in ("p1", b"p1", None, 7)}
        assert refused == answers(history.transfers_from_partners, ("p1", b"p1", None, 7))


class TenancyStoreContract:
    """Override the ``store`` fixture with an empty store (a ``TenancyStore``; every
    :class:`~partnercore.store.Store` is one).

    Runs the tenancy services and the access rules end to end through the store: the
    decisions the rules require, the events every write appends (the audit trail), refused
    writes that change nothing, and units of work that a host opens around several services.
    """

    @pytest.fixture
    def store(self) -> TenancyStore:
        raise NotImplementedError("provide a fixture 'store': an empty TenancyStore")

    @pytest.fixture
    def world(self, store: TenancyStore) -> TenancyStore:
        """Partners p1 and p2; clients c1 (client-run) and c2 (partner-operated) of p1;
        paula partner admin and alice advisor of p1, bob advisor of p2, carol client admin
        of c1; grant g1 gives alice ``advisor`` on c1 from day 1 to day 60."""
        create_partner(store, "p1", "Partner One", at=_T0, by=SYSTEM)
        create_partner(store, "p2", "Partner Two", at=_T0, by=SYSTEM)
        for user in ("paula", "alice", "bob", "carol"):
            add_user(store, User(user, f"{user}@example.com"), at=_T0, by=SYSTEM)
        add_membership(store, _membership("paula", "p1", "partner_admin", 0), at=_T0, by=SYSTEM)
        add_membership(store, _membership("alice", "p1", "advisor", 0), at=_T0, by="paula")
        add_membership(store, _membership("bob", "p2", "advisor", 0), at=_T0, by=SYSTEM)
        create_client(store, "c1", "Client One", partner_id="p1", operated_by="client",
                      billing_model="reseller", at=_T0, by="paula")  # fmt: skip
        create_client(store, "c2", "Client Two", partner_id="p1", operated_by="partner",
                      billing_model="non_reseller", at=_T0, by="paula")  # fmt: skip
        add_membership(store, _membership("carol", "c1", "client_admin", 0), at=_T0, by="paula")
        grant = attrs.evolve(
            _grant("g1", "p1", "c1", "alice", 1), granted_by="paula", expires_at=_day(60)
        )
        grant_access(store, grant, at=_day(1), by="paula")
        return store

    def test_a_grant_gives_access_until_it_expires(self, world: TenancyStore) -> None:
        assert (True, Rule.R3, "g1") == _short(check(world, "alice", "team.edit", "c1", _day(2)))
        assert (False, Rule.R3, None) == _short(check(world, "alice", "team.edit", "c1", _day(60)))

    def test_a_revoked_grant_gives_nothing_from_its_revocation(self, world: TenancyStore) -> None:
        revoke_grant(world, "g1", at=_day(10), by="paula")
        assert check(world, "alice", "team.view", "c1", _day(9)).allowed
        assert not check(world, "alice", "team.view", "c1", _day(10)).allowed

    def test_an_advisor_who_left_loses_the_grant(self, world: TenancyStore) -> None:
        end_membership(world, "p1/alice/advisor@2026-01-01T00:00:00Z", at=_day(20), by="paula")
        assert not check(world, "alice", "team.view", "c1", _day(21)).allowed

    def test_consent_revoked_then_restored(self, world: TenancyStore) -> None:
        revoke_partner_access(world, "c1", at=_day(5), by="carol")
        restore_partner_access(world, "c1", at=_day(8), by="carol")
        assert (False, Rule.R4, None) == _short(check(world, "alice", "team.view", "c1", _day(6)))
        assert (True, Rule.R3, "g1") == _short(check(world, "alice", "team.view", "c1", _day(8)))

    def test_a_transfer_ends_the_old_partners_grants(self, world: TenancyStore) -> None:
        transfer_client(world, "c1", "p2", at=_day(30), by=SYSTEM)
        assert check(world, "alice", "team.view", "c1", _day(29)).allowed
        assert (False, Rule.R5, None) == _short(check(world, "alice", "team.view", "c1", _day(30)))
        assert ["c1"] == [c.id for c in world.teams.clients_of("p2")]

    def test_a_suspended_client_keeps_only_the_partner_admins_administration(
        self, world: TenancyStore
    ) -> None:
        suspend_team(world, "c1", at=_day(3), by="paula")
        assert not check(world, "carol", "team.view", "c1", _day(4)).allowed
        assert check(world, "paula", Permission.LICENSE_MANAGE, "c1", _day(4)).allowed

    def test_reverse_lookups_agree_with_checks(self, world: TenancyStore) -> None:
        assert ["c1"] == teams(world, "alice", "team.edit", _day(2))
        assert ["alice", "carol"] == [h.user_id for h in who(world, "c1", "team.edit", _day(2))]
        assert ["c2", "p1"] == teams(world, "paula", "team.edit", _day(2))

    def test_nothing_reaches_across_partners(self, world: TenancyStore) -> None:
        for team in ("p1", "c1", "c2"):
            for permission in Permission:
                assert not check(world, "bob", permission, team, _day(2)).allowed

    def test_every_change_is_in_the_audit_trail_with_its_actor(self, world: TenancyStore) -> None:
        revoke_grant(world, "g1", at=_day(10), by="paula")
        assert [
            ("client_created", "paula", _T0),
            ("membership_added", "paula", _T0),
            ("grant_created", "paula", _day(1)),
            ("grant_revoked", "paula", _day(10)),
        ] == [(e.kind, e.by, e.at) for e in audit_trail(world, "c1")]

    def test_every_write_appends_its_events_with_consecutive_revisions(
        self, world: TenancyStore
    ) -> None:
        events = world.events.since(0)
        assert list(range(1, len(events) + 1)) == [e.revision for e in events]
        assert len(events) == world.revision()
        suspend_team(world, "c2", at=_day(3), by="paula")
        [suspended] = world.events.since(len(events))
        assert (TeamStatusChanged, len(events) + 1, "c2", "suspended", "active") == (
            type(suspended),
            suspended.revision,
            suspended.team_id,
            getattr(suspended, "status", None),
            getattr(suspended, "previous", None),
        )

    def test_a_refused_write_raises_with_the_decision_and_writes_nothing(
        self, world: TenancyStore
    ) -> None:
        before = _tenancy_state(world)
        with pytest.raises(AccessDeniedError) as refused:
            transfer_client(world, "c1", "p2", at=_day(30), by="paula")  # not p2's admin
        assert (False, Rule.R5) == (refused.value.decision.allowed, refused.value.decision.rule)
        with pytest.raises(AccessDeniedError):
            revoke_grant(world, "g1", at=_day(10), by="alice")  # an advisor, not an admin
        with pytest.raises(AccessDeniedError):
            revoke_partner_access(world, "c1", at=_day(5), by="paula")  # R4: client admins only
        assert before == _tenancy_state(world)

    def test_a_host_unit_of_work_around_several_services_commits_them_together(
        self, world: TenancyStore
    ) -> None:
        start = world.revision()
        with world.unit_of_work():
            revoke_grant(world, "g1", at=_day(10), by="paula")
            suspend_team(world, "c2", at=_day(10), by="paula")
        assert ["grant_revoked", "team_status_changed"] == [
            e.kind for e in world.events.since(start)
        ]
        assert [start + 1, start + 2] == [e.revision for e in world.events.since(start)]

    def test_an_error_leaving_a_host_unit_of_work_undoes_every_service_in_it(
        self, world: TenancyStore
    ) -> None:
        before = _tenancy_state(world)

        def failing() -> None:
            with world.unit_of_work():
                revoke_grant(world, "g1", at=_day(10), by="paula")
                transfer_client(world, "c1", "p2", at=_day(30), by=SYSTEM)
                add_user(world, User("dave", "dave@example.com"), at=_day(30), by=SYSTEM)
                raise _HostError

        with pytest.raises(_HostError):
            failing()
        assert before == _tenancy_state(world)
        assert world.users.find("dave") is None

    def test_a_refused_service_inside_a_host_unit_leaves_the_others_to_commit(
        self, world: TenancyStore
    ) -> None:
        start = world.revision()
        with world.unit_of_work():
            revoke_grant(world, "g1", at=_day(10), by="paula")
            with pytest.raises(AccessDeniedError):
                transfer_client(world, "c1", "p2", at=_day(30), by="paula")
        assert ["grant_revoked"] == [e.kind for e in world.events.since(start)]
        assert "p1" == world.teams.get("c1").parent_id
        assert [] == list(world.history.for_team("c1"))


class _HostError(Exception):
    """What a host's own code raises inside a unit of work, in these tests."""


def _tenancy_state(store: TenancyStore) -> object:
    """What the store holds about the contract's world, read through its repositories."""
    teams = ("p1", "p2", "c1", "c2")
    return (
        [store.teams.find(t) for t in teams],
        [[c.id for c in store.teams.clients_of(t)] for t in teams],
        [store.memberships.for_team(t) for t in teams],
        [list(store.grants.for_partner(t)) for t in teams],
        [list(store.consents.for_client(t)) for t in teams],
        [list(store.history.for_team(t)) for t in teams],
        store.events.since(0),
        store.revision(),
    )


def _short(decision: Decision) -> tuple[bool, Rule, str | None]:
    return (decision.allowed, decision.rule, decision.via)
