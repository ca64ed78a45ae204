"""The contracts every tenancy port must honour, and an end-to-end contract for the bundle.

Subclass a contract in a test module and override its fixture with an empty store of yours.
``TenancyPortsContract`` runs the tenancy services and the access check through a whole
``TenancyPorts`` bundle: a host's adapters must give the decisions the rules require.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from partnercore._errors import ConflictError, NotFoundError
from partnercore.tenancy import (
    ALL,
    AuditAction,
    AuditEntry,
    AuditTrail,
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
    TenancyPorts,
    Transfer,
    User,
    UserRepository,
    add_membership,
    add_user,
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
    "AuditTrailContract",
    "ConsentRepositoryContract",
    "GrantRepositoryContract",
    "MembershipRepositoryContract",
    "TeamHistoryContract",
    "TeamRepositoryContract",
    "TenancyPortsContract",
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
        assert (_nothing(ODD_KEYS), _nothing(ODD_KEYS)) == (
            answers(history.for_team, ODD_KEYS),
            answers(history.transfers_from, ODD_KEYS),
        )


class AuditTrailContract:
    """Override the ``audit`` fixture with an empty ``AuditTrail``."""

    @pytest.fixture
    def audit(self) -> AuditTrail:
        raise NotImplementedError("provide a fixture 'audit': an empty AuditTrail")

    def test_entries_come_back_in_the_order_appended(self, audit: AuditTrail) -> None:
        entries = [
            AuditEntry(
                at=_day(day),
                actor=actor,
                action=action,
                team_id=team,
                subject=team,
                detail=f"entry {n}",
            )
            for n, (day, actor, action, team) in enumerate(
                [
                    (3, "paula", AuditAction.GRANT_CREATED, "c1"),
                    (1, None, AuditAction.TEAM_CREATED, "c2"),
                    (2, "carol", AuditAction.PARTNER_ACCESS_REVOKED, "c1"),
                ]
            )
        ]
        for entry in entries:
            audit.append(entry)
        assert entries == list(audit.entries())
        assert [entries[0], entries[2]] == list(audit.for_team("c1"))
        assert [] == list(audit.for_team("c9"))

    def test_changing_a_returned_list_does_not_change_the_trail(self, audit: AuditTrail) -> None:
        entry = AuditEntry(
            at=_T0,
            actor="paula",
            action=AuditAction.GRANT_REVOKED,
            team_id="c1",
            subject="g1",
            detail="grant g1 revoked",
        )
        audit.append(entry)
        audit.entries().clear()
        audit.for_team("c1").clear()
        assert [entry] == list(audit.entries())
        assert [entry] == list(audit.for_team("c1"))

    def test_appending_anything_but_an_entry_is_a_validation_error_and_changes_nothing(
        self, audit: AuditTrail
    ) -> None:
        wrong = (*NOT_RECORDS, _partner("p1"))
        assert _refused(wrong) == answers(audit.append, wrong)
        assert [] == list(audit.entries())

    def test_a_key_no_team_can_have_finds_nothing(self, audit: AuditTrail) -> None:
        audit.append(
            AuditEntry(
                at=_T0,
                actor=None,
                action=AuditAction.TEAM_CREATED,
                team_id="p1",
                subject="p1",
                detail="created",
            )
        )
        assert _nothing(ODD_KEYS) == answers(audit.for_team, ODD_KEYS)

    def test_odd_details_come_back_exactly(self, audit: AuditTrail) -> None:
        entries = [
            AuditEntry(
                at=_T0,
                actor="paula",
                action=AuditAction.TEAM_CREATED,
                team_id="c1",
                subject="c1",
                detail=text,
            )
            for text in ODD_TEXTS
        ]
        for entry in entries:
            audit.append(entry)
        assert entries == list(audit.for_team("c1"))

    def test_troublesome_details_are_refused_or_kept_exactly(self, audit: AuditTrail) -> None:
        def outcome(n: int, detail: str) -> str:
            def entry() -> AuditEntry:
                return AuditEntry(
                    at=_T0,
                    actor=None,
                    action=AuditAction.TEAM_CREATED,
                    team_id=f"c{n}",
                    subject=f"c{n}",
                    detail=detail,
                )

            def stored() -> AuditEntry | None:
                found = audit.for_team(f"c{n}")
                return found[0] if found else None

            return kept_or_refused(entry, audit.append, stored)

        assert _kept_or_refused(TROUBLESOME_TEXTS) == {
            label(detail): outcome(n, detail) for n, detail in enumerate(TROUBLESOME_TEXTS)
        }


class TenancyPortsContract:
    """Override the ``ports`` fixture with a ``TenancyPorts`` bundle of empty stores.

    Runs the tenancy services and the access rules end to end through the bundle.
    """

    @pytest.fixture
    def ports(self) -> TenancyPorts:
        raise NotImplementedError("provide a fixture 'ports': a TenancyPorts of empty stores")

    @pytest.fixture
    def world(self, ports: TenancyPorts) -> TenancyPorts:
        """Partners p1 and p2; clients c1 (client-run) and c2 (partner-operated) of p1."""
        create_partner(ports, "p1", "Partner One", at=_T0)
        create_partner(ports, "p2", "Partner Two", at=_T0)
        create_client(ports, "c1", "Client One", partner_id="p1", operated_by="client",
                      billing_model="reseller", at=_T0)  # fmt: skip
        create_client(ports, "c2", "Client Two", partner_id="p1", operated_by="partner",
                      billing_model="non_reseller", at=_T0)  # fmt: skip
        for user in ("paula", "alice", "bob", "carol"):
            add_user(ports, User(user, f"{user}@example.com"))
        add_membership(ports, _membership("paula", "p1", "partner_admin", 0))
        add_membership(ports, _membership("alice", "p1", "advisor", 0))
        add_membership(ports, _membership("bob", "p2", "advisor", 0))
        add_membership(ports, _membership("carol", "c1", "client_admin", 0))
        grant_access(ports, attrs.evolve(_grant("g1", "p1", "c1", "alice", 1), expires_at=_day(60)))
        return ports

    def test_a_grant_gives_access_until_it_expires(self, world: TenancyPorts) -> None:
        assert (True, Rule.R3, "g1") == _short(check(world, "alice", "team.edit", "c1", _day(2)))
        assert (False, Rule.R3, None) == _short(check(world, "alice", "team.edit", "c1", _day(60)))

    def test_a_revoked_grant_gives_nothing_from_its_revocation(self, world: TenancyPorts) -> None:
        revoke_grant(world, "g1", at=_day(10), by="paula")
        assert check(world, "alice", "team.view", "c1", _day(9)).allowed
        assert not check(world, "alice", "team.view", "c1", _day(10)).allowed

    def test_an_advisor_who_left_loses_the_grant(self, world: TenancyPorts) -> None:
        end_membership(world, "p1/alice/advisor@2026-01-01T00:00:00Z", at=_day(20))
        assert not check(world, "alice", "team.view", "c1", _day(21)).allowed

    def test_consent_revoked_then_restored(self, world: TenancyPorts) -> None:
        revoke_partner_access(world, "c1", at=_day(5), by="carol")
        restore_partner_access(world, "c1", at=_day(8), by="carol")
        assert (False, Rule.R4, None) == _short(check(world, "alice", "team.view", "c1", _day(6)))
        assert (True, Rule.R3, "g1") == _short(check(world, "alice", "team.view", "c1", _day(8)))

    def test_a_transfer_ends_the_old_partners_grants(self, world: TenancyPorts) -> None:
        transfer_client(world, "c1", "p2", at=_day(30), by="paula")
        assert check(world, "alice", "team.view", "c1", _day(29)).allowed
        assert (False, Rule.R5, None) == _short(check(world, "alice", "team.view", "c1", _day(30)))
        assert ["c1"] == [c.id for c in world.teams.clients_of("p2")]

    def test_a_suspended_client_keeps_only_the_partner_admins_administration(
        self, world: TenancyPorts
    ) -> None:
        suspend_team(world, "c1", at=_day(3), by="paula")
        assert not check(world, "carol", "team.view", "c1", _day(4)).allowed
        assert check(world, "paula", Permission.LICENSE_MANAGE, "c1", _day(4)).allowed

    def test_reverse_lookups_agree_with_checks(self, world: TenancyPorts) -> None:
        assert ["c1"] == teams(world, "alice", "team.edit", _day(2))
        assert ["alice", "carol"] == [h.user_id for h in who(world, "c1", "team.edit", _day(2))]
        assert ["c2", "p1"] == teams(world, "paula", "team.edit", _day(2))

    def test_nothing_reaches_across_partners(self, world: TenancyPorts) -> None:
        for team in ("p1", "c1", "c2"):
            for permission in Permission:
                assert not check(world, "bob", permission, team, _day(2)).allowed

    def test_every_change_is_in_the_audit_trail(self, world: TenancyPorts) -> None:
        revoke_grant(world, "g1", at=_day(10), by="paula")
        actions = [e.action for e in world.audit.for_team("c1")]
        assert [
            AuditAction.TEAM_CREATED,
            AuditAction.MEMBERSHIP_ADDED,
            AuditAction.GRANT_CREATED,
            AuditAction.GRANT_REVOKED,
        ] == actions


def _short(decision: Decision) -> tuple[bool, Rule, str | None]:
    return (decision.allowed, decision.rule, decision.via)
