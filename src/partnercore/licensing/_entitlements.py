"""Entitlements: which features and limits each licence state gives (trial = full)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType

import attrs

from partnercore._errors import NotFoundError, ValidationError
from partnercore._fields import check_instance
from partnercore.licensing._license import License
from partnercore.licensing._states import LicenseState

__all__ = ["EXAMPLE_CATALOG", "EntitlementCatalog", "Entitlements", "LicenseEntitlements"]


def _name(value: object, path: str) -> str:
    if not isinstance(value, str) or not value or value != value.strip():
        raise ValidationError.at(path, f"expected a non-empty name, got {value!r}")
    return value


def _features(value: object) -> frozenset[str]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError.at("features", f"expected a collection of names, got {value!r}")
    return frozenset(_name(item, "features") for item in value)


def _limits(value: object) -> Mapping[str, int | None]:
    if not isinstance(value, Mapping):
        raise ValidationError.at("limits", f"expected a mapping of name to limit, got {value!r}")
    limits: dict[str, int | None] = {}
    for key, limit in value.items():
        name = _name(key, "limits")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
            raise ValidationError.at(
                f"limits.{name}", f"expected a whole number or None (unlimited), got {limit!r}"
            )
        if limit is not None and limit < 0:
            raise ValidationError.at(f"limits.{name}", f"must not be negative, got {limit}")
        limits[name] = limit
    return MappingProxyType(dict(sorted(limits.items())))


@attrs.frozen
class Entitlements:
    """What one licence state gives: features, and numeric limits (``None``: unlimited)."""

    features: frozenset[str] = attrs.field(factory=frozenset, converter=_features)
    limits: Mapping[str, int | None] = attrs.field(factory=dict, converter=_limits, hash=False)


def _plan(path: str, value: object) -> Entitlements:
    if isinstance(value, Entitlements):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError.at(path, f"expected Entitlements or a mapping, got {value!r}")
    extra = sorted(str(key) for key in value if key not in ("features", "limits"))
    if extra:
        raise ValidationError.at(path, f"unknown key(s): {', '.join(extra)}")
    try:
        return Entitlements(features=value.get("features", ()), limits=value.get("limits", {}))
    except ValidationError as error:
        raise error.prefixed(path) from None


def _free(value: object) -> Entitlements:
    return _plan("free", value)


def _full(value: object) -> Entitlements:
    return _plan("full", value)


@attrs.frozen
class EntitlementCatalog:
    """Maps each licence state to its entitlements; a trial gives what ``full`` gives.

    The known features are those either state lists; every limit must be given for both
    states. Asking about a feature or a limit the catalog does not know raises
    :class:`~partnercore.NotFoundError` (a typo must not read as "not entitled").
    """

    free: Entitlements = attrs.field(converter=_free)
    full: Entitlements = attrs.field(converter=_full)

    def __attrs_post_init__(self) -> None:
        for state, plan, other in (("free", self.free, self.full), ("full", self.full, self.free)):
            missing = sorted(set(other.limits) - set(plan.limits))
            if missing:
                raise ValidationError.at(
                    f"{state}.limits",
                    f"missing limit(s) {', '.join(missing)}: give every "
                    "limit for every state (None for unlimited)",
                )

    @classmethod
    def from_mapping(cls, value: Mapping[str, object]) -> EntitlementCatalog:
        """Build from ``{"free": {"features": [...], "limits": {...}}, "full": {...}}``."""
        if not isinstance(value, Mapping):
            raise ValidationError.at("", f"expected a mapping, got {value!r}")
        if "trial" in value:
            raise ValidationError.at(
                "trial", "a trial has the full entitlements: list only free and full"
            )
        extra = sorted(str(key) for key in value if key not in ("free", "full"))
        if extra:
            raise ValidationError.at("", f"unknown key(s): {', '.join(extra)}")
        missing = [state for state in ("free", "full") if state not in value]
        if missing:
            raise ValidationError.at(missing[0], "missing")
        return cls(free=value["free"], full=value["full"])

    @property
    def features(self) -> frozenset[str]:
        """Every feature the catalog knows."""
        return self.free.features | self.full.features

    @property
    def limit_names(self) -> frozenset[str]:
        """Every limit the catalog knows."""
        return frozenset(self.full.limits)

    def for_state(self, state: LicenseState | str) -> Entitlements:
        """The entitlements of ``state`` (``trial`` gives those of ``full``)."""
        if state == LicenseState.FREE:
            return self.free
        if state in (LicenseState.TRIAL, LicenseState.FULL):
            return self.full
        raise ValidationError.at("state", f"expected free, trial or full, got {state!r}")

    def allows(self, state: LicenseState | str, feature: str) -> bool:
        """Whether ``state`` gives ``feature``."""
        self._known_feature(feature)
        return feature in self.for_state(state).features

    def limit_of(self, state: LicenseState | str, name: str) -> int | None:
        """The limit ``name`` in ``state`` (``None``: unlimited)."""
        self._known_limit(name)
        return self.for_state(state).limits[name]

    def entitled(self, license: License, feature: str, at: datetime) -> bool:
        """Whether ``license`` gives ``feature`` at ``at``."""
        self._known_feature(feature)
        state = check_instance(license, License, "license").state_at(at)
        return feature in self.for_state(state).features

    def limit(self, license: License, name: str, at: datetime) -> int | None:
        """The limit ``name`` that ``license`` gives at ``at`` (``None``: unlimited)."""
        self._known_limit(name)
        state = check_instance(license, License, "license").state_at(at)
        return self.for_state(state).limits[name]

    def for_license(self, license: License) -> LicenseEntitlements:
        """The entitlements of one licence, asked as ``entitled(feature, at)``."""
        return LicenseEntitlements(self, check_instance(license, License, "license"))

    def _known_feature(self, feature: object) -> None:
        if not isinstance(feature, str) or feature not in self.features:
            raise NotFoundError("feature", str(feature))

    def _known_limit(self, name: object) -> None:
        if not isinstance(name, str) or name not in self.full.limits:
            raise NotFoundError("limit", str(name))


@attrs.frozen
class LicenseEntitlements:
    """A catalog applied to one licence."""

    catalog: EntitlementCatalog
    license: License

    def entitled(self, feature: str, at: datetime) -> bool:
        """Whether the licence gives ``feature`` at ``at``."""
        return self.catalog.entitled(self.license, feature, at)

    def limit(self, name: str, at: datetime) -> int | None:
        """The limit ``name`` at ``at`` (``None``: unlimited)."""
        return self.catalog.limit(self.license, name, at)


#: An example catalog for a risk-and-compliance product (hosts supply their own).
EXAMPLE_CATALOG = EntitlementCatalog.from_mapping(
    {
        "free": {
            "features": ["risk_register", "assessments"],
            "limits": {"users": 3, "active_assessments": 1, "frameworks": 1},
        },
        "full": {
            "features": [
                "risk_register",
                "assessments",
                "control_mapping",
                "policy_library",
                "reports_export",
                "api_access",
            ],
            "limits": {"users": None, "active_assessments": None, "frameworks": None},
        },
    }
)
