"""The ports a scenario's world is built into and read from, bundled.

A :class:`ScenarioPorts` names one store's tenancy ports, licence repository, billing
repositories and content ports. ``ScenarioPorts.in_memory()`` is a fresh in-memory one (what
:func:`~partnercore.scenario.loads` builds into); a host bundles its own store's ports the
same way (``partnercore.sqlite`` does) to build a scenario into it with
:func:`~partnercore.scenario.build_world` and to ask it questions with
:meth:`Scenario.over <partnercore.scenario.Scenario.over>`.
"""

from __future__ import annotations

from typing import Any

import attrs

from partnercore._errors import ValidationError
from partnercore.billing import BillingPorts, BillingStores, ContentChargeSource
from partnercore.content import ContentPorts, InstalledContentCharges
from partnercore.licensing import LicenseRepository
from partnercore.memory import InMemoryBilling, InMemoryContent, InMemoryLicenses, InMemoryTenancy
from partnercore.tenancy import TenancyPorts

__all__ = ["ScenarioPorts"]


def _one_store(instance: ScenarioPorts, attribute: Any, content: ContentPorts) -> None:
    """``content`` is a ``ContentPorts`` over the bundle's own tenancy ports and licences."""
    if not isinstance(instance.tenancy, TenancyPorts):
        kind = type(instance.tenancy).__name__
        raise ValidationError.at("tenancy", f"expected TenancyPorts, got {kind}")
    if not isinstance(content, ContentPorts):
        raise ValidationError.at("content", f"expected ContentPorts, got {type(content).__name__}")
    if content.tenancy is not instance.tenancy or content.licenses is not instance.licenses:
        raise ValidationError.at(
            "content", "must be built over the same tenancy ports and licences as the bundle"
        )


@attrs.frozen(kw_only=True)
class ScenarioPorts:
    """Every port a scenario is built into and answered from, all on one store.

    ``content`` must be built over the same ``tenancy`` and ``licenses`` (content services
    create onboarded clients and their licences through them); anything else is a
    :class:`~partnercore.ValidationError`.
    """

    tenancy: TenancyPorts
    licenses: LicenseRepository
    billing: BillingStores
    content: ContentPorts = attrs.field(validator=_one_store)

    @classmethod
    def in_memory(cls) -> ScenarioPorts:
        """A fresh, empty set of in-memory stores."""
        tenancy = InMemoryTenancy()
        licenses = InMemoryLicenses()
        return cls(
            tenancy=tenancy,
            licenses=licenses,
            billing=InMemoryBilling(),
            content=InMemoryContent(tenancy, licenses),
        )

    @property
    def billing_ports(self) -> BillingPorts:
        """The billing repositories with the teams, memberships and licences they read."""
        return BillingPorts.join(self.billing, tenancy=self.tenancy, licenses=self.licenses)

    @property
    def content_charges(self) -> ContentChargeSource:
        """The charges of installed priced content, for the billing run."""
        return InstalledContentCharges(self.content)
