"""The tenancy ports on SQLite: teams, users, memberships, grants, consent, history.

Each record is stored whole as JSON (through the library's converter) next to the key
columns its lookups need, each lookup backed by an index. "Oldest first" orders by the
record's instant (microseconds since the epoch, UTC) and then by insertion order (``seq``),
so ties keep the order in which records were added, as the ports require.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TypeVar

from partnercore._errors import ConflictError, NotFoundError
from partnercore._fields import check_instance
from partnercore.sqlite._database import Database, ids_of, is_key, to_micros
from partnercore.sqlite._schema import Migration
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
    "TENANCY_SCHEMA",
    "SqliteConsents",
    "SqliteGrants",
    "SqliteMemberships",
    "SqliteTeamHistory",
    "SqliteTeams",
    "SqliteUsers",
]

T = TypeVar("T")

# Migration 1 also created ``audit_entries``; migrations are forward-only, so the table stays
# in old and new files alike, unused: the audit trail is now the event log (migration 6).
TENANCY_SCHEMA = Migration(
    1,
    "tenancy: teams, users, memberships, grants, consent, team history, audit trail",
    (
        """CREATE TABLE teams (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            parent_id TEXT,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX teams_by_kind ON teams (kind, id)",
        "CREATE INDEX teams_by_parent ON teams (parent_id, id)",
        """CREATE TABLE users (
            id TEXT PRIMARY KEY,
            record TEXT NOT NULL
        )""",
        """CREATE TABLE memberships (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            user_id TEXT NOT NULL,
            team_id TEXT NOT NULL,
            active_from INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX memberships_by_team ON memberships (team_id, active_from, seq)",
        "CREATE INDEX memberships_by_user ON memberships (user_id, active_from, seq)",
        "CREATE INDEX memberships_between ON memberships (user_id, team_id, active_from, seq)",
        """CREATE TABLE grants (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            partner_id TEXT NOT NULL,
            client_id TEXT NOT NULL,
            advisor_id TEXT NOT NULL,
            granted_at INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX grants_by_client ON grants (partner_id, client_id, granted_at, seq)",
        "CREATE INDEX grants_by_partner ON grants (partner_id, granted_at, seq)",
        "CREATE INDEX grants_by_advisor ON grants (advisor_id, granted_at, seq)",
        """CREATE TABLE consent_changes (
            seq INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX consent_by_client ON consent_changes (client_id, at, seq)",
        """CREATE TABLE team_changes (
            seq INTEGER PRIMARY KEY,
            team_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('transfer', 'status')),
            from_partner TEXT,
            at INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX team_changes_by_team ON team_changes (team_id, at, seq)",
        "CREATE INDEX transfers_by_old_partner ON team_changes (from_partner, at, seq)"
        " WHERE kind = 'transfer'",
        """CREATE TABLE audit_entries (
            seq INTEGER PRIMARY KEY,
            team_id TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX audit_by_team ON audit_entries (team_id, seq)",
    ),
)


def _records(db: Database, cls: type[T], sql: str, *parameters: object) -> list[T]:
    return [db.load(row[0], cls) for row in db.query(sql, parameters)]


def _kept(
    db: Database, key: tuple[str, ...], cls: type[T], sql: str, *parameters: str
) -> tuple[T, ...]:
    """The records ``sql`` finds, kept in the connection's cache under ``key`` until the
    database changes."""
    return db.cached(key, lambda: tuple(_records(db, cls, sql, *parameters)))


def _record(db: Database, key: tuple[str, str], cls: type[T], sql: str) -> T | None:
    """The one record ``sql`` finds for ``key[1]``, or ``None``, kept like :func:`_kept`."""

    def load() -> T | None:
        row = db.query_one(sql, (key[1],))
        return None if row is None else db.load(row[0], cls)

    return db.cached(key, load)


class SqliteTeams:
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
        return _record(self._db, ("team", team_id), Team, "SELECT record FROM teams WHERE id = ?")

    def add(self, team: Team) -> None:
        check_instance(team, Team, "team")
        with self._db.unit_of_work():
            if self._db.query_one("SELECT 1 FROM teams WHERE id = ?", (team.id,)) is not None:
                raise ConflictError(f"team {team.id!r} already exists", kind="team", id=team.id)
            self._db.execute(
                "INSERT INTO teams (id, kind, parent_id, record) VALUES (?, ?, ?, ?)",
                (team.id, team.kind.value, team.parent_id, self._db.dump(team)),
            )

    def save(self, team: Team) -> None:
        check_instance(team, Team, "team")
        changed = self._db.execute(
            "UPDATE teams SET kind = ?, parent_id = ?, record = ? WHERE id = ?",
            (team.kind.value, team.parent_id, self._db.dump(team), team.id),
        )
        if changed == 0:
            raise NotFoundError("team", team.id)

    def partners(self) -> list[Team]:
        return list(
            _kept(
                self._db,
                ("partners",),
                Team,
                "SELECT record FROM teams WHERE kind = ? ORDER BY id",
                TeamKind.PARTNER.value,
            )
        )

    def clients_of(self, partner_id: str) -> list[Team]:
        if not is_key(partner_id):
            return []
        return list(
            _kept(
                self._db,
                ("clients_of", partner_id),
                Team,
                "SELECT record FROM teams WHERE parent_id = ? AND kind = ? ORDER BY id",
                partner_id,
                TeamKind.CLIENT.value,
            )
        )

    def clients_of_partners(self, partner_ids: Collection[str]) -> dict[str, tuple[Team, ...]]:
        keys = ids_of(partner_ids, "partner_ids")
        return self._db.cached_many("clients of partner", keys, self._clients)

    def _clients(self, partner_ids: list[str]) -> dict[str, tuple[Team, ...]]:
        """The current clients of each of ``partner_ids`` that has any, in one query."""
        db = self._db
        rows = db.query(
            "SELECT parent_id, record FROM teams"
            " WHERE parent_id IN (SELECT value FROM json_each(?)) AND kind = ?"
            " ORDER BY parent_id, id",
            (json.dumps(partner_ids), TeamKind.CLIENT.value),
        )
        found: dict[str, list[Team]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(db.load(record, Team))
        return {partner_id: tuple(clients) for partner_id, clients in found.items()}

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM teams")
        return 0 if row is None else int(row[0])


class SqliteUsers:
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
        return _record(self._db, ("user", user_id), User, "SELECT record FROM users WHERE id = ?")

    def add(self, user: User) -> None:
        check_instance(user, User, "user")
        with self._db.unit_of_work():
            if self._db.query_one("SELECT 1 FROM users WHERE id = ?", (user.id,)) is not None:
                raise ConflictError(f"user {user.id!r} already exists", kind="user", id=user.id)
            self._db.execute(
                "INSERT INTO users (id, record) VALUES (?, ?)", (user.id, self._db.dump(user))
            )

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM users")
        return 0 if row is None else int(row[0])


class SqliteMemberships:
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
        return _record(
            self._db,
            ("membership", membership_id),
            Membership,
            "SELECT record FROM memberships WHERE id = ?",
        )

    def add(self, membership: Membership) -> None:
        check_instance(membership, Membership, "membership")
        with self._db.unit_of_work():
            if self._find(membership.id) is not None:
                raise ConflictError(
                    f"membership {membership.id!r} already exists",
                    kind="membership",
                    id=membership.id,
                )
            self._db.execute(
                "INSERT INTO memberships (id, user_id, team_id, active_from, record)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    membership.id,
                    membership.user_id,
                    membership.team_id,
                    to_micros(membership.active_from, "active_from"),
                    self._db.dump(membership),
                ),
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
                "UPDATE memberships SET record = ? WHERE id = ?",
                (self._db.dump(membership), membership.id),
            )

    def for_team(self, team_id: str) -> list[Membership]:
        return list(self._where("team_id = ?", team_id))

    def for_user(self, user_id: str) -> list[Membership]:
        return list(self._where("user_id = ?", user_id))

    def between(self, user_id: str, team_id: str) -> tuple[Membership, ...]:
        return self._where("user_id = ? AND team_id = ?", user_id, team_id)

    def for_teams(self, team_ids: Collection[str]) -> dict[str, tuple[Membership, ...]]:
        keys = ids_of(team_ids, "team_ids")
        return self._db.cached_many("memberships of team", keys, self._of_teams)

    def _of_teams(self, team_ids: list[str]) -> dict[str, tuple[Membership, ...]]:
        """The memberships of each of ``team_ids`` that has any, in one query."""
        db = self._db
        rows = db.query(
            "SELECT team_id, record FROM memberships"
            " WHERE team_id IN (SELECT value FROM json_each(?)) ORDER BY team_id, active_from, seq",
            (json.dumps(team_ids),),
        )
        found: dict[str, list[Membership]] = {}
        for team_id, record in rows:
            found.setdefault(team_id, []).append(db.load(record, Membership))
        return {team_id: tuple(memberships) for team_id, memberships in found.items()}

    def _where(self, condition: str, *keys: str) -> tuple[Membership, ...]:
        if not all(is_key(key) for key in keys):
            return ()
        return _kept(
            self._db,
            ("memberships", condition, *keys),
            Membership,
            f"SELECT record FROM memberships WHERE {condition} ORDER BY active_from, seq",
            *keys,
        )

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM memberships")
        return 0 if row is None else int(row[0])


class SqliteGrants:
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
        return _record(
            self._db, ("grant", grant_id), Grant, "SELECT record FROM grants WHERE id = ?"
        )

    def add(self, grant: Grant) -> None:
        check_instance(grant, Grant, "grant")
        with self._db.unit_of_work():
            if self.find(grant.id) is not None:
                raise ConflictError(f"grant {grant.id!r} already exists", kind="grant", id=grant.id)
            self._db.execute(
                "INSERT INTO grants (id, partner_id, client_id, advisor_id, granted_at, record)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    grant.id,
                    grant.partner_id,
                    grant.client_id,
                    grant.advisor_id,
                    to_micros(grant.granted_at, "granted_at"),
                    self._db.dump(grant),
                ),
            )

    def save(self, grant: Grant) -> None:
        check_instance(grant, Grant, "grant")
        with self._db.unit_of_work():
            old = self.get(grant.id)
            old.check_replaceable_by(grant)
            self._db.execute(
                "UPDATE grants SET record = ? WHERE id = ?", (self._db.dump(grant), grant.id)
            )

    def for_client(self, partner_id: str, client_id: str) -> tuple[Grant, ...]:
        if client_id == ALL:
            return ()
        return self._where("partner_id = ? AND client_id = ?", partner_id, client_id)

    def for_all_clients(self, partner_id: str) -> tuple[Grant, ...]:
        return self._where("partner_id = ? AND client_id = ?", partner_id, ALL)

    def for_advisor(self, advisor_id: str) -> list[Grant]:
        if advisor_id == ALL:
            return []
        return list(self._where("advisor_id = ?", advisor_id))

    def for_partner(self, partner_id: str) -> list[Grant]:
        return list(self._where("partner_id = ?", partner_id))

    def _where(self, condition: str, *keys: str) -> tuple[Grant, ...]:
        if not all(is_key(key) for key in keys):
            return ()
        return _kept(
            self._db,
            ("grants", condition, *keys),
            Grant,
            f"SELECT record FROM grants WHERE {condition} ORDER BY granted_at, seq",
            *keys,
        )

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM grants")
        return 0 if row is None else int(row[0])


class SqliteConsents:
    """Consent changes per client, oldest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, change: ConsentChange) -> None:
        check_instance(change, ConsentChange, "change")
        self._db.execute(
            "INSERT INTO consent_changes (client_id, at, record) VALUES (?, ?, ?)",
            (change.client_id, to_micros(change.at), self._db.dump(change)),
        )

    def for_client(self, client_id: str) -> tuple[ConsentChange, ...]:
        if not is_key(client_id):
            return ()
        return _kept(
            self._db,
            ("consents", client_id),
            ConsentChange,
            "SELECT record FROM consent_changes WHERE client_id = ? ORDER BY at, seq",
            client_id,
        )


_TRANSFER = "transfer"
_STATUS = "status"


class SqliteTeamHistory:
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
            "INSERT INTO team_changes (team_id, kind, from_partner, at, record)"
            " VALUES (?, ?, ?, ?, ?)",
            (change.team_id, kind, from_partner, to_micros(change.at), self._db.dump(change)),
        )

    def for_team(self, team_id: str) -> tuple[TeamChange, ...]:
        if not is_key(team_id) or "\x00" in team_id:
            return ()
        return self._db.cached_many("history", [team_id], self._load).get(team_id, ())

    def for_teams(self, team_ids: Collection[str]) -> dict[str, tuple[TeamChange, ...]]:
        return self._db.cached_many("history", ids_of(team_ids, "team_ids"), self._load)

    def _load(self, team_ids: list[str]) -> dict[str, tuple[TeamChange, ...]]:
        """The changes of each of ``team_ids`` that has any, in one query."""
        db = self._db
        rows = db.query(
            "SELECT team_id, kind, record FROM team_changes"
            " WHERE team_id IN (SELECT value FROM json_each(?)) ORDER BY team_id, at, seq",
            (json.dumps(team_ids),),
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
        return list(
            _kept(
                self._db,
                ("transfers_from", partner_id),
                Transfer,
                "SELECT record FROM team_changes WHERE from_partner = ? AND kind = ?"
                " ORDER BY at, seq",
                partner_id,
                _TRANSFER,
            )
        )

    def transfers_from_partners(
        self, partner_ids: Collection[str]
    ) -> dict[str, tuple[Transfer, ...]]:
        keys = ids_of(partner_ids, "partner_ids")
        return self._db.cached_many("transfers from partner", keys, self._transfers)

    def _transfers(self, partner_ids: list[str]) -> dict[str, tuple[Transfer, ...]]:
        """The transfers away from each of ``partner_ids`` that has any, in one query."""
        db = self._db
        rows = db.query(
            "SELECT from_partner, record FROM team_changes"
            " WHERE from_partner IN (SELECT value FROM json_each(?)) AND kind = ?"
            " ORDER BY from_partner, at, seq",
            (json.dumps(partner_ids), _TRANSFER),
        )
        found: dict[str, list[Transfer]] = {}
        for partner_id, record in rows:
            found.setdefault(partner_id, []).append(db.load(record, Transfer))
        return {partner_id: tuple(transfers) for partner_id, transfers in found.items()}
