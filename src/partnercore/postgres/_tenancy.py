"""The tenancy repositories on PostgreSQL: teams, users, memberships, grants, consent, history.

Each record is stored whole as ``jsonb`` next to the key columns its lookups need, each lookup
backed by an index. "Oldest first" orders by the record's instant and then by insertion order
(``seq``). Records of a team carry its partner (``partner_id``, the distribution key): a
partner team's own id, a client's current partner; a record of a team not stored (yet) is keyed
by the team's own id. Saving a client team under another partner moves every record of the
client to that partner (:func:`~partnercore.postgres._migrations.move_client`) in the same unit
of work.

Inserts use ``ON CONFLICT DO NOTHING``: a duplicate id is a :class:`ConflictError` with a plain
message, even when two connections insert the same id at once, and never aborts the host's
transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

from partnercore._errors import ConflictError, NotFoundError
from partnercore._fields import check_instance
from partnercore.postgres._database import Database, ids_of, is_key
from partnercore.postgres._migrations import move_client
from partnercore.tenancy import (
    ALL,
    ConsentChange,
    Grant,
    Membership,
    StatusChange,
    Team,
    TeamChange,
    TeamKind,
    Transfer,
    User,
)

__all__ = [
    "PARTNER_OF",
    "PostgresConsents",
    "PostgresGrants",
    "PostgresMemberships",
    "PostgresTeamHistory",
    "PostgresTeams",
    "PostgresUsers",
]

T = TypeVar("T")

PARTNER_OF = "coalesce((SELECT t.partner_id FROM {schema}.teams AS t WHERE t.id = %s), %s)"
"""SQL for the partner of a team (two parameters: the team id twice); the team's own id when
the team is not stored."""


def _records(db: Database, cls: type[T], sql: str, *parameters: object) -> list[T]:
    return [db.load(row[0], cls) for row in db.query(sql, parameters)]


def _count(db: Database, table: str) -> int:
    row = db.query_one(f"SELECT count(*) FROM {{schema}}.{table}")
    return 0 if row is None else db.integer(row[0], f"the number of {table}")


class PostgresTeams:
    """Teams by id, with indexes for partners and each partner's current clients."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, team_id: str) -> Team:
        team = self.find(team_id)
        if team is None:
            raise NotFoundError("team", str(team_id))
        return team

    def find(self, team_id: str) -> Team | None:
        if not is_key(team_id):
            return None
        row = self._db.query_one("SELECT record FROM {schema}.teams WHERE id = %s", (team_id,))
        return None if row is None else self._db.load(row[0], Team)

    def add(self, team: Team) -> None:
        check_instance(team, Team, "team")
        added = self._db.execute(
            "INSERT INTO {schema}.teams (partner_id, id, kind, parent_id, record)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (_partner(team), team.id, team.kind.value, team.parent_id, self._db.dump(team)),
        )
        if added == 0:
            raise ConflictError(f"team {team.id!r} already exists", kind="team", id=team.id)

    def save(self, team: Team) -> None:
        check_instance(team, Team, "team")
        partner = _partner(team)
        with self._db.unit_of_work():
            moved = self._db.query_one(
                "SELECT partner_id <> %s FROM {schema}.teams WHERE id = %s FOR UPDATE",
                (partner, team.id),
            )
            if moved is None:
                raise NotFoundError("team", team.id)
            self._db.execute(
                "UPDATE {schema}.teams SET partner_id = %s, kind = %s, parent_id = %s,"
                " record = %s WHERE id = %s",
                (partner, team.kind.value, team.parent_id, self._db.dump(team), team.id),
            )
            if moved[0]:
                move_client(self._db, team.id, partner)

    def partners(self) -> list[Team]:
        return _records(
            self._db,
            Team,
            "SELECT record FROM {schema}.teams WHERE kind = 'partner' ORDER BY id",
        )

    def clients_of(self, partner_id: str) -> list[Team]:
        if not is_key(partner_id):
            return []
        return _records(
            self._db,
            Team,
            "SELECT record FROM {schema}.teams WHERE partner_id = %s AND kind = %s ORDER BY id",
            partner_id,
            TeamKind.CLIENT.value,
        )

    def clients_of_partners(self, partner_ids: Collection[str]) -> dict[str, list[Team]]:
        keys = ids_of(partner_ids, "partner_ids")
        if not keys:
            return {}
        db = self._db
        rows = db.query(
            "SELECT partner_id, record FROM {schema}.teams"
            " WHERE partner_id = ANY(%s) AND kind = %s ORDER BY partner_id, id",
            (keys, TeamKind.CLIENT.value),
        )
        found: dict[str, list[Team]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(db.load(record, Team))
        return found

    def __len__(self) -> int:
        return _count(self._db, "teams")


def _partner(team: Team) -> str:
    return team.parent_id if team.parent_id is not None else team.id


class PostgresUsers:
    """Users by id."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, user_id: str) -> User:
        user = self.find(user_id)
        if user is None:
            raise NotFoundError("user", str(user_id))
        return user

    def find(self, user_id: str) -> User | None:
        if not is_key(user_id):
            return None
        row = self._db.query_one("SELECT record FROM {schema}.users WHERE id = %s", (user_id,))
        return None if row is None else self._db.load(row[0], User)

    def add(self, user: User) -> None:
        check_instance(user, User, "user")
        added = self._db.execute(
            "INSERT INTO {schema}.users (id, record) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (user.id, self._db.dump(user)),
        )
        if added == 0:
            raise ConflictError(f"user {user.id!r} already exists", kind="user", id=user.id)

    def __len__(self) -> int:
        return _count(self._db, "users")


class PostgresMemberships:
    """Memberships by id, by team, by user and by (user, team), oldest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, membership_id: str) -> Membership:
        membership = self._find(membership_id)
        if membership is None:
            raise NotFoundError("membership", str(membership_id))
        return membership

    def _find(self, membership_id: str) -> Membership | None:
        if not is_key(membership_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.memberships WHERE id = %s", (membership_id,)
        )
        return None if row is None else self._db.load(row[0], Membership)

    def add(self, membership: Membership) -> None:
        check_instance(membership, Membership, "membership")
        added = self._db.execute(
            "INSERT INTO {schema}.memberships"
            " (partner_id, id, user_id, team_id, active_from, record)"
            f" VALUES ({PARTNER_OF}, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                membership.team_id,
                membership.team_id,
                membership.id,
                membership.user_id,
                membership.team_id,
                membership.active_from,
                self._db.dump(membership),
            ),
        )
        if added == 0:
            raise ConflictError(
                f"membership {membership.id!r} already exists",
                kind="membership",
                id=membership.id,
            )

    def save(self, membership: Membership) -> None:
        check_instance(membership, Membership, "membership")
        with self._db.unit_of_work():
            old = self.get(membership.id)
            if (old.user_id, old.team_id, old.active_from) != (
                membership.user_id,
                membership.team_id,
                membership.active_from,
            ):
                raise ConflictError(
                    f"membership {membership.id!r}: only role and active_until may change",
                    kind="membership",
                    id=membership.id,
                )
            self._db.execute(
                "UPDATE {schema}.memberships SET record = %s WHERE id = %s",
                (self._db.dump(membership), membership.id),
            )

    def for_team(self, team_id: str) -> list[Membership]:
        return self._where("team_id = %s", team_id)

    def for_user(self, user_id: str) -> list[Membership]:
        return self._where("user_id = %s", user_id)

    def between(self, user_id: str, team_id: str) -> list[Membership]:
        return self._where("user_id = %s AND team_id = %s", user_id, team_id)

    def for_teams(self, team_ids: Collection[str]) -> dict[str, list[Membership]]:
        keys = ids_of(team_ids, "team_ids")
        if not keys:
            return {}
        db = self._db
        rows = db.query(
            "SELECT team_id, record FROM {schema}.memberships"
            " WHERE team_id = ANY(%s) ORDER BY team_id, active_from, seq",
            (keys,),
        )
        found: dict[str, list[Membership]] = {}
        for team_id, record in rows:
            found.setdefault(team_id, []).append(db.load(record, Membership))
        return found

    def _where(self, condition: str, *keys: str) -> list[Membership]:
        if not all(is_key(key) for key in keys):
            return []
        return _records(
            self._db,
            Membership,
            f"SELECT record FROM {{schema}}.memberships WHERE {condition}"
            " ORDER BY active_from, seq",
            *keys,
        )

    def __len__(self) -> int:
        return _count(self._db, "memberships")


class PostgresGrants:
    """Grants by id, by (partner, client), by partner for ``"*"`` clients, by advisor."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, grant_id: str) -> Grant:
        grant = self.find(grant_id)
        if grant is None:
            raise NotFoundError("grant", str(grant_id))
        return grant

    def find(self, grant_id: str) -> Grant | None:
        if not is_key(grant_id):
            return None
        row = self._db.query_one("SELECT record FROM {schema}.grants WHERE id = %s", (grant_id,))
        return None if row is None else self._db.load(row[0], Grant)

    def add(self, grant: Grant) -> None:
        check_instance(grant, Grant, "grant")
        added = self._db.execute(
            "INSERT INTO {schema}.grants"
            " (partner_id, id, client_id, advisor_id, granted_at, record)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                grant.partner_id,
                grant.id,
                grant.client_id,
                grant.advisor_id,
                grant.granted_at,
                self._db.dump(grant),
            ),
        )
        if added == 0:
            raise ConflictError(f"grant {grant.id!r} already exists", kind="grant", id=grant.id)

    def save(self, grant: Grant) -> None:
        check_instance(grant, Grant, "grant")
        with self._db.unit_of_work():
            old = self.get(grant.id)
            old.check_replaceable_by(grant)
            self._db.execute(
                "UPDATE {schema}.grants SET record = %s WHERE id = %s",
                (self._db.dump(grant), grant.id),
            )

    def for_client(self, partner_id: str, client_id: str) -> list[Grant]:
        if client_id == ALL:
            return []
        return self._where("partner_id = %s AND client_id = %s", partner_id, client_id)

    def for_all_clients(self, partner_id: str) -> list[Grant]:
        return self._where("partner_id = %s AND client_id = %s", partner_id, ALL)

    def for_advisor(self, advisor_id: str) -> list[Grant]:
        if advisor_id == ALL:
            return []
        return self._where("advisor_id = %s", advisor_id)

    def for_partner(self, partner_id: str) -> list[Grant]:
        return self._where("partner_id = %s", partner_id)

    def _where(self, condition: str, *keys: str) -> list[Grant]:
        if not all(is_key(key) for key in keys):
            return []
        return _records(
            self._db,
            Grant,
            f"SELECT record FROM {{schema}}.grants WHERE {condition} ORDER BY granted_at, seq",
            *keys,
        )

    def __len__(self) -> int:
        return _count(self._db, "grants")


class PostgresConsents:
    """Consent changes per client, oldest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, change: ConsentChange) -> None:
        check_instance(change, ConsentChange, "change")
        self._db.execute(
            "INSERT INTO {schema}.consent_changes (partner_id, client_id, at, record)"
            f" VALUES ({PARTNER_OF}, %s, %s, %s)",
            (
                change.client_id,
                change.client_id,
                change.client_id,
                change.at,
                self._db.dump(change),
            ),
        )

    def for_client(self, client_id: str) -> list[ConsentChange]:
        if not is_key(client_id):
            return []
        return _records(
            self._db,
            ConsentChange,
            "SELECT record FROM {schema}.consent_changes WHERE client_id = %s ORDER BY at, seq",
            client_id,
        )


_TRANSFER = "transfer"
_STATUS = "status"


class PostgresTeamHistory:
    """Transfers and status changes per team, and transfers out of each partner."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, change: TeamChange) -> None:
        if isinstance(change, Transfer):
            kind, from_partner = _TRANSFER, change.from_partner
        else:
            check_instance(change, StatusChange, "change")
            kind, from_partner = _STATUS, None
        self._db.execute(
            "INSERT INTO {schema}.team_changes"
            " (partner_id, team_id, kind, from_partner, at, record)"
            f" VALUES ({PARTNER_OF}, %s, %s, %s, %s, %s)",
            (
                change.team_id,
                change.team_id,
                change.team_id,
                kind,
                from_partner,
                change.at,
                self._db.dump(change),
            ),
        )

    def for_team(self, team_id: str) -> list[TeamChange]:
        if not is_key(team_id):
            return []
        rows = self._db.query(
            "SELECT kind, record FROM {schema}.team_changes WHERE team_id = %s ORDER BY at, seq",
            (team_id,),
        )
        changes: list[TeamChange] = []
        for kind, record in rows:
            if kind == _TRANSFER:
                changes.append(self._db.load(record, Transfer))
            else:
                changes.append(self._db.load(record, StatusChange))
        return changes

    def for_teams(self, team_ids: Collection[str]) -> dict[str, tuple[TeamChange, ...]]:
        keys = ids_of(team_ids, "team_ids")
        if not keys:
            return {}
        db = self._db
        rows = db.query(
            "SELECT team_id, kind, record FROM {schema}.team_changes"
            " WHERE team_id = ANY(%s) ORDER BY team_id, at, seq",
            (keys,),
        )
        found: dict[str, list[TeamChange]] = {}
        for team_id, kind, record in rows:
            change: TeamChange = (
                db.load(record, Transfer) if kind == _TRANSFER else db.load(record, StatusChange)
            )
            found.setdefault(team_id, []).append(change)
        return {team_id: tuple(changes) for team_id, changes in found.items()}

    def transfers_from(self, partner_id: str) -> list[Transfer]:
        if not is_key(partner_id):
            return []
        return _records(
            self._db,
            Transfer,
            "SELECT record FROM {schema}.team_changes WHERE from_partner = %s AND kind = %s"
            " ORDER BY at, seq",
            partner_id,
            _TRANSFER,
        )

    def transfers_from_partners(self, partner_ids: Collection[str]) -> dict[str, list[Transfer]]:
        keys = ids_of(partner_ids, "partner_ids")
        if not keys:
            return {}
        db = self._db
        rows = db.query(
            "SELECT from_partner, record FROM {schema}.team_changes"
            " WHERE from_partner = ANY(%s) AND kind = %s ORDER BY from_partner, at, seq",
            (keys, _TRANSFER),
        )
        found: dict[str, list[Transfer]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(db.load(record, Transfer))
        return found
