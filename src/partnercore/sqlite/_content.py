"""The content ports on SQLite: items, library selections, copy events, templates, onboardings.

Content items and templates are versioned aggregates (an item's ``revision`` is its number
of releases, a template carries its own): ``save`` is one
``UPDATE ... WHERE id = ? AND revision = ?`` and raises ``StaleWriteError``, writing nothing,
when another writer got there first.
"""

from __future__ import annotations

from collections.abc import Sequence

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore._fields import check_instance
from partnercore.content import (
    ClientTemplate,
    ContentItem,
    CopyEvent,
    LibrarySelection,
    Onboarding,
)
from partnercore.sqlite._database import Database, is_key
from partnercore.sqlite._schema import Migration

__all__ = [
    "CONTENT_SCHEMA",
    "SqliteContentItems",
    "SqliteInstalls",
    "SqliteLibraries",
    "SqliteOnboardings",
    "SqliteTemplates",
]

CONTENT_SCHEMA = Migration(
    4,
    "content: items, library selections, copy events, templates, onboardings",
    (
        """CREATE TABLE content_items (
            id TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            revision INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX content_items_by_owner ON content_items (owner, id)",
        """CREATE TABLE library_selections (
            seq INTEGER PRIMARY KEY,
            partner_id TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX library_selections_by_partner ON library_selections (partner_id, seq)",
        """CREATE TABLE copy_events (
            seq INTEGER PRIMARY KEY,
            client_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX copy_events_by_client ON copy_events (client_id, seq)",
        "CREATE INDEX copy_events_by_item ON copy_events (item_id, seq)",
        """CREATE TABLE client_templates (
            id TEXT PRIMARY KEY,
            partner_id TEXT NOT NULL,
            revision INTEGER NOT NULL,
            record TEXT NOT NULL
        )""",
        "CREATE INDEX client_templates_by_partner ON client_templates (partner_id, id)",
        """CREATE TABLE onboardings (
            request_id TEXT PRIMARY KEY,
            record TEXT NOT NULL
        )""",
    ),
)


class SqliteContentItems:
    """Content items by id and by owner, saved only from their current revision."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, item: ContentItem) -> None:
        check_instance(item, ContentItem, "item")
        with self._db.unit_of_work():
            if self.find(item.id) is not None:
                raise ConflictError(
                    f"content item {item.id!r} already exists", kind="content item", id=item.id
                )
            self._db.execute(
                "INSERT INTO content_items (id, owner, revision, record) VALUES (?, ?, ?, ?)",
                (item.id, item.owner, item.revision, self._db.dump(item)),
            )

    def get(self, item_id: str) -> ContentItem:
        item = self.find(item_id)
        if item is None:
            raise NotFoundError("content item", str(item_id))
        return item

    def find(self, item_id: str) -> ContentItem | None:
        if not is_key(item_id):
            return None
        row = self._db.query_one("SELECT record FROM content_items WHERE id = ?", (item_id,))
        return None if row is None else self._db.load(row[0], ContentItem)

    def save(self, item: ContentItem) -> None:
        check_instance(item, ContentItem, "item")
        with self._db.unit_of_work():
            changed = self._db.execute(
                "UPDATE content_items SET revision = ?, record = ?"
                " WHERE id = ? AND revision = ? AND owner = ?",
                (item.revision, self._db.dump(item), item.id, item.revision - 1, item.owner),
            )
            if changed != 1:
                row = self._db.query_one(
                    "SELECT revision, owner FROM content_items WHERE id = ?", (item.id,)
                )
                if row is None:
                    raise NotFoundError("content item", item.id)
                revision, owner = self._db.integer(row[0], "a stored revision"), str(row[1])
                if revision != item.revision - 1:
                    raise StaleWriteError(
                        "content item", item.id, expected=item.revision - 1, actual=revision
                    )
                raise ConflictError(
                    f"content item {item.id!r} belongs to {owner}",
                    kind="content item",
                    id=item.id,
                )

    def owned_by(self, owner: str) -> list[ContentItem]:
        if not is_key(owner):
            return []
        rows = self._db.query(
            "SELECT record FROM content_items WHERE owner = ? ORDER BY id", (owner,)
        )
        return [self._db.load(row[0], ContentItem) for row in rows]

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM content_items")
        return 0 if row is None else int(row[0])


class SqliteLibraries:
    """Library selections per partner, in the order recorded."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, selection: LibrarySelection) -> None:
        check_instance(selection, LibrarySelection, "selection")
        self._db.execute(
            "INSERT INTO library_selections (partner_id, record) VALUES (?, ?)",
            (selection.partner_id, self._db.dump(selection)),
        )

    def for_partner(self, partner_id: str) -> list[LibrarySelection]:
        if not is_key(partner_id):
            return []
        rows = self._db.query(
            "SELECT record FROM library_selections WHERE partner_id = ? ORDER BY seq",
            (partner_id,),
        )
        return [self._db.load(row[0], LibrarySelection) for row in rows]


class SqliteInstalls:
    """The append-only log of copy events, indexed by client and by item."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_all(self, events: Sequence[CopyEvent]) -> None:
        check_instance(events, Sequence, "events")  # type: ignore[type-abstract]
        batch = tuple(events)
        for index, event in enumerate(batch):
            check_instance(event, CopyEvent, f"events[{index}]")
        with self._db.unit_of_work():
            self._db.execute_many(
                "INSERT INTO copy_events (client_id, item_id, record) VALUES (?, ?, ?)",
                [(e.client_id, e.item_id, self._db.dump(e)) for e in batch],
            )

    def for_client(self, client_id: str) -> list[CopyEvent]:
        return self._where("client_id", client_id)

    def for_item(self, item_id: str) -> list[CopyEvent]:
        return self._where("item_id", item_id)

    def _where(self, column: str, key: str) -> list[CopyEvent]:
        if not is_key(key):
            return []
        rows = self._db.query(
            f"SELECT record FROM copy_events WHERE {column} = ? ORDER BY seq", (key,)
        )
        return [self._db.load(row[0], CopyEvent) for row in rows]


class SqliteTemplates:
    """Client templates by id and by partner, saved only from their current revision."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, template: ClientTemplate) -> None:
        check_instance(template, ClientTemplate, "template")
        with self._db.unit_of_work():
            if self.find(template.id) is not None:
                raise ConflictError(
                    f"template {template.id!r} already exists", kind="template", id=template.id
                )
            self._db.execute(
                "INSERT INTO client_templates (id, partner_id, revision, record)"
                " VALUES (?, ?, ?, ?)",
                (template.id, template.partner_id, template.revision, self._db.dump(template)),
            )

    def get(self, template_id: str) -> ClientTemplate:
        template = self.find(template_id)
        if template is None:
            raise NotFoundError("template", str(template_id))
        return template

    def find(self, template_id: str) -> ClientTemplate | None:
        if not is_key(template_id):
            return None
        row = self._db.query_one("SELECT record FROM client_templates WHERE id = ?", (template_id,))
        return None if row is None else self._db.load(row[0], ClientTemplate)

    def save(self, template: ClientTemplate) -> None:
        check_instance(template, ClientTemplate, "template")
        with self._db.unit_of_work():
            changed = self._db.execute(
                "UPDATE client_templates SET partner_id = ?, revision = ?, record = ?"
                " WHERE id = ? AND revision = ?",
                (
                    template.partner_id,
                    template.revision,
                    self._db.dump(template),
                    template.id,
                    template.revision - 1,
                ),
            )
            if changed != 1:
                row = self._db.query_one(
                    "SELECT revision FROM client_templates WHERE id = ?", (template.id,)
                )
                if row is None:
                    raise NotFoundError("template", template.id)
                raise StaleWriteError(
                    "template",
                    template.id,
                    expected=template.revision - 1,
                    actual=self._db.integer(row[0], "a stored revision"),
                )

    def for_partner(self, partner_id: str) -> list[ClientTemplate]:
        if not is_key(partner_id):
            return []
        rows = self._db.query(
            "SELECT record FROM client_templates WHERE partner_id = ? ORDER BY id", (partner_id,)
        )
        return [self._db.load(row[0], ClientTemplate) for row in rows]


class SqliteOnboardings:
    """Completed onboardings by request id."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, onboarding: Onboarding) -> None:
        check_instance(onboarding, Onboarding, "onboarding")
        request_id = onboarding.request_id
        with self._db.unit_of_work():
            if self.find(request_id) is not None:
                raise ConflictError(
                    f"onboarding request {request_id!r} is already recorded",
                    kind="onboarding",
                    id=request_id,
                )
            self._db.execute(
                "INSERT INTO onboardings (request_id, record) VALUES (?, ?)",
                (request_id, self._db.dump(onboarding)),
            )

    def find(self, request_id: str) -> Onboarding | None:
        if not is_key(request_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM onboardings WHERE request_id = ?", (request_id,)
        )
        return None if row is None else self._db.load(row[0], Onboarding)
