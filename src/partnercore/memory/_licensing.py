"""In-memory licences: the reference ``LicenseRepository``."""

from __future__ import annotations

import threading
from collections.abc import Collection

import attrs

from partnercore._errors import ConflictError, NotFoundError, StaleWriteError
from partnercore._fields import check_instance
from partnercore.licensing import License
from partnercore.memory._journal import Journal
from partnercore.memory._tenancy import team_ids_of

__all__ = ["InMemoryLicenses"]


class InMemoryLicenses:
    """Licences kept in a dict, one per team, with optimistic concurrency.

    Safe to share between threads: ``add`` and ``save`` check and write under one lock.
    :meth:`view` gives a second handle on the same licences, as a second connection to one
    database is.
    """

    def __init__(self, journal: Journal | None = None) -> None:
        self._journal = journal if journal is not None else Journal()
        self._licenses: dict[str, License] = {}
        self._lock = threading.Lock()

    def view(self) -> InMemoryLicenses:
        """Another handle on these licences: what either saves, both see, and a copy made
        stale by a save through one is refused by the other."""
        other = InMemoryLicenses.__new__(InMemoryLicenses)
        other._licenses = self._licenses
        other._lock = self._lock
        other._journal = self._journal
        return other

    def get(self, team_id: str) -> License:
        license = self._licenses.get(team_id) if isinstance(team_id, str) else None
        if license is None:
            raise NotFoundError("license", str(team_id))
        return license

    def find(self, team_id: str) -> License | None:
        return self._licenses.get(team_id) if isinstance(team_id, str) else None

    def add(self, license: License) -> License:
        new = check_instance(license, License, "license")
        stored = attrs.evolve(new, version=1)
        with self._lock:
            if new.team_id in self._licenses:
                raise ConflictError(
                    f"team {new.team_id!r} already has a licence", kind="license", id=new.team_id
                )
            self._journal.keep(self._licenses, new.team_id)
            self._licenses[new.team_id] = stored
        return stored

    def save(self, license: License) -> License:
        changed = check_instance(license, License, "license")
        with self._lock:
            current = self.get(changed.team_id)
            if changed.version != current.version:
                raise StaleWriteError(
                    "license", changed.team_id, expected=changed.version, actual=current.version
                )
            stored = attrs.evolve(changed, version=current.version + 1)
            self._journal.keep(self._licenses, changed.team_id)
            self._licenses[changed.team_id] = stored
        return stored

    def for_organisation(self, organisation_key: str) -> tuple[License, ...]:
        with self._lock:
            licenses = sorted(self._licenses.items())
        return tuple(
            license for _, license in licenses if license.organisation_key == organisation_key
        )

    def for_teams(self, team_ids: Collection[str]) -> dict[str, License]:
        licenses = self._licenses
        found: dict[str, License] = {}
        for team_id in team_ids_of(team_ids):
            license = licenses.get(team_id)
            if license is not None:
                found[team_id] = license
        return found

    def __len__(self) -> int:
        return len(self._licenses)

    def __repr__(self) -> str:
        return f"InMemoryLicenses({len(self._licenses)} licences)"
