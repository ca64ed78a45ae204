"""The content repositories on PostgreSQL: items, library selections, copy events, templates,
onboardings.

Content items and templates are versioned aggregates (an item's ``revision`` is its number of
releases, a template carries its own): ``save`` is one
``UPDATE ... WHERE id = %s AND revision = %s``. Under READ COMMITTED a second writer waits for
the first one's row lock, then finds the revision changed and matches no row: it raises
:class:`~partnercore.StaleWriteError` and writes nothing. Every record carries its partner
(the distribution key): an item its owner (a partner, or ``"platform"``), a selection,
template or onboarding its partner, a copy event its client's current partner.
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
from partnercore.postgres._database import Database, is_key
from partnercore.postgres._tenancy import PARTNER_OF

__all__ = [
    "PostgresContentItems",
    "PostgresInstalls",
    "PostgresLibraries",
    "PostgresOnboardings",
    "PostgresTemplates",
]


class PostgresContentItems:
    """Content items by id and by owner, saved only from their current revision."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, item: ContentItem) -> None:
        check_instance(item, ContentItem, "item")
        added = self._db.execute(
            "INSERT INTO {schema}.content_items (partner_id, id, revision, record)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (item.owner, item.id, item.revision, self._db.dump(item)),
        )
        if added == 0:
            raise ConflictError(
                f"content item {item.id!r} already exists", kind="content item", id=item.id
            )

    def get(self, item_id: str) -> ContentItem:
        item = self.find(item_id)
        if item is None:
            raise NotFoundError("content item", str(item_id))
        return item

    def find(self, item_id: str) -> ContentItem | None:
        if not is_key(item_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.content_items WHERE id = %s", (item_id,)
        )
        return None if row is None else self._db.load(row[0], ContentItem)

    def save(self, item: ContentItem) -> None:
        check_instance(item, ContentItem, "item")
        with self._db.unit_of_work():
            changed = self._db.execute(
                "UPDATE {schema}.content_items SET revision = %s, record = %s"
                " WHERE id = %s AND revision = %s AND partner_id = %s",
                (item.revision, self._db.dump(item), item.id, item.revision - 1, item.owner),
            )
            if changed != 1:
                row = self._db.query_one(
                    "SELECT revision, partner_id FROM {schema}.content_items WHERE id = %s",
                    (item.id,),
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
            "SELECT record FROM {schema}.content_items WHERE partner_id = %s ORDER BY id",
            (owner,),
        )
        return [self._db.load(row[0], ContentItem) for row in rows]

    def __len__(self) -> int:
        row = self._db.query_one("SELECT count(*) FROM {schema}.content_items")
        return 0 if row is None else self._db.integer(row[0], "the number of content items")

    def __repr__(self) -> str:
        return f"PostgresContentItems({self._db.name!r})"


class PostgresLibraries:
    """Library selections per partner, in the order recorded."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, selection: LibrarySelection) -> None:
        check_instance(selection, LibrarySelection, "selection")
        self._db.execute(
            "INSERT INTO {schema}.library_selections (partner_id, record) VALUES (%s, %s)",
            (selection.partner_id, self._db.dump(selection)),
        )

    def for_partner(self, partner_id: str) -> list[LibrarySelection]:
        if not is_key(partner_id):
            return []
        rows = self._db.query(
            "SELECT record FROM {schema}.library_selections WHERE partner_id = %s ORDER BY seq",
            (partner_id,),
        )
        return [self._db.load(row[0], LibrarySelection) for row in rows]

    def __repr__(self) -> str:
        return f"PostgresLibraries({self._db.name!r})"


class PostgresInstalls:
    """The append-only log of copy events, indexed by client and by item."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_all(self, events: Sequence[CopyEvent]) -> None:
        check_instance(events, Sequence, "events")  # type: ignore[type-abstract]
        batch = tuple(events)
        for index, event in enumerate(batch):
            check_instance(event, CopyEvent, f"events[{index}]")
        self._db.execute_many(
            "INSERT INTO {schema}.copy_events (partner_id, client_id, item_id, record)"
            f" VALUES ({PARTNER_OF}, %s, %s, %s)",
            [(e.client_id, e.client_id, e.client_id, e.item_id, self._db.dump(e)) for e in batch],
        )

    def for_client(self, client_id: str) -> list[CopyEvent]:
        return self._where("client_id", client_id)

    def for_item(self, item_id: str) -> list[CopyEvent]:
        return self._where("item_id", item_id)

    def _where(self, column: str, key: str) -> list[CopyEvent]:
        if not is_key(key):
            return []
        rows = self._db.query(
            f"SELECT record FROM {{schema}}.copy_events WHERE {column} = %s ORDER BY seq", (key,)
        )
        return [self._db.load(row[0], CopyEvent) for row in rows]

    def __repr__(self) -> str:
        return f"PostgresInstalls({self._db.name!r})"


class PostgresTemplates:
    """Client templates by id and by partner, saved only from their current revision."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, template: ClientTemplate) -> None:
        check_instance(template, ClientTemplate, "template")
        added = self._db.execute(
            "INSERT INTO {schema}.client_templates (partner_id, id, revision, record)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (template.partner_id, template.id, template.revision, self._db.dump(template)),
        )
        if added == 0:
            raise ConflictError(
                f"template {template.id!r} already exists", kind="template", id=template.id
            )

    def get(self, template_id: str) -> ClientTemplate:
        template = self.find(template_id)
        if template is None:
            raise NotFoundError("template", str(template_id))
        return template

    def find(self, template_id: str) -> ClientTemplate | None:
        if not is_key(template_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.client_templates WHERE id = %s", (template_id,)
        )
        return None if row is None else self._db.load(row[0], ClientTemplate)

    def save(self, template: ClientTemplate) -> None:
        check_instance(template, ClientTemplate, "template")
        with self._db.unit_of_work():
            changed = self._db.execute(
                "UPDATE {schema}.client_templates SET partner_id = %s, revision = %s, record = %s"
                " WHERE id = %s AND revision = %s",
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
                    "SELECT revision FROM {schema}.client_templates WHERE id = %s",
                    (template.id,),
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
            "SELECT record FROM {schema}.client_templates WHERE partner_id = %s ORDER BY id",
            (partner_id,),
        )
        return [self._db.load(row[0], ClientTemplate) for row in rows]

    def __repr__(self) -> str:
        return f"PostgresTemplates({self._db.name!r})"


class PostgresOnboardings:
    """Completed onboardings by request id."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, onboarding: Onboarding) -> None:
        check_instance(onboarding, Onboarding, "onboarding")
        request_id = onboarding.request_id
        added = self._db.execute(
            "INSERT INTO {schema}.onboardings (partner_id, request_id, record)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (onboarding.partner_id, request_id, self._db.dump(onboarding)),
        )
        if added == 0:
            raise ConflictError(
                f"onboarding request {request_id!r} is already recorded",
                kind="onboarding",
                id=request_id,
            )

    def find(self, request_id: str) -> Onboarding | None:
        if not is_key(request_id):
            return None
        row = self._db.query_one(
            "SELECT record FROM {schema}.onboardings WHERE request_id = %s", (request_id,)
        )
        return None if row is None else self._db.load(row[0], Onboarding)

    def __repr__(self) -> str:
        return f"PostgresOnboardings({self._db.name!r})"
