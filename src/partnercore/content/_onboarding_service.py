"""Client templates and onboarding: one step that creates a client with everything its
engagement type needs, all or nothing, once per request id."""

from __future__ import annotations

import hashlib
from datetime import datetime

import attrs

from partnercore._errors import ConflictError, NotFoundError, ValidationError
from partnercore.content._copies import CopyChange, CopyEvent
from partnercore.content._onboarding import Onboarding, OnboardingRequest
from partnercore.content._ports import ContentStore
from partnercore.content._templates import ClientTemplate
from partnercore.content._tenancy_view import partner_team, recorded_by
from partnercore.content._visibility import partner_library
from partnercore.events import (
    Actor,
    ClientOnboarded,
    ContentInstalled,
    Event,
    TemplateChanged,
    actor_id,
    check_actor,
)
from partnercore.licensing import LicensePolicy, open_license
from partnercore.tenancy import (
    ALL,
    Grant,
    Permission,
    Team,
    TeamKind,
    TeamStatus,
    authorise,
    create_client,
    grant_access,
)
from partnercore.time import ensure_aware, format_instant

__all__ = ["add_template", "onboard"]


def add_template(
    store: ContentStore, template: ClientTemplate, *, at: datetime, by: Actor
) -> ClientTemplate:
    """Store a partner's new client template.

    Every item it installs must be the partner's own or an open-library item (whether it is
    published is checked at each onboarding). ``by`` needs ``content.manage`` on the
    partner at ``at``.
    """
    if not isinstance(template, ClientTemplate):
        raise ValidationError.at("template", f"expected a ClientTemplate, got {template!r}")
    moment = ensure_aware(at, "at")
    check_actor(by)
    with store.unit_of_work():
        partner_team(store, template.partner_id)
        authorise(
            store,
            by,
            Permission.CONTENT_MANAGE,
            template.partner_id,
            moment,
            f"add template {template.id}",
        )
        for index, entry in enumerate(template.content):
            item = store.items.find(entry.item_id)
            if item is None or not (item.is_open or item.owner == template.partner_id):
                raise NotFoundError(
                    "item",
                    entry.item_id,
                    where=f"for {template.partner_id}'s templates (content[{index}])",
                )
        store.templates.add(template)
        store.events.append(
            [
                TemplateChanged(
                    at=moment,
                    by=actor_id(by),
                    team_id=template.partner_id,
                    template_id=template.id,
                )
            ]
        )
        return template


def _grant_id(client_id: str, number: int) -> str:
    base = client_id
    if len(base) > 56:
        digest = hashlib.sha256(client_id.encode()).hexdigest()[:8]
        base = f"{client_id[:47]}-{digest}"
    return f"{base}-g{number}"


def _check_advisor(
    store: ContentStore, partner_id: str, advisor: str, at: datetime, path: str
) -> None:
    if advisor == ALL:
        return
    if store.users.find(advisor) is None:
        raise NotFoundError("user", advisor)
    if not any(
        m.role.team_kind is TeamKind.PARTNER and (m.active_until is None or m.active_until > at)
        for m in store.memberships.between(advisor, partner_id)
    ):
        raise ValidationError.at(
            path,
            f"{advisor!r} is no advisor or partner admin of {partner_id} at or after "
            f"{format_instant(at)}",
        )


@attrs.frozen(kw_only=True)
class _Plan:
    """What an onboarding will write, every part of it checked: the client's template and
    partner, the copies it installs and the grants it gives."""

    request: OnboardingRequest
    template: ClientTemplate
    partner: Team
    copies: list[CopyEvent]
    grants: list[Grant]


def _plan(
    store: ContentStore, request: OnboardingRequest, template: ClientTemplate, partner: Team
) -> _Plan:
    """Check everything the onboarding will write; the plan of it."""
    _check_new_client(store, request, partner)
    copies = _planned_copies(store, request, template, partner)
    grants = _planned_grants(store, request, template, partner)
    return _Plan(request=request, template=template, partner=partner, copies=copies, grants=grants)


def _check_new_client(store: ContentStore, request: OnboardingRequest, partner: Team) -> None:
    """The client and its licence are new, and the partner takes clients at ``request.at``."""
    at = request.at
    if store.teams.find(request.client_id) is not None:
        raise ConflictError(
            f"team {request.client_id!r} already exists", kind="team", id=request.client_id
        )
    if store.licenses.find(request.client_id) is not None:
        raise ConflictError(
            f"team {request.client_id!r} already has a licence",
            kind="license",
            id=request.client_id,
        )
    if partner.status is TeamStatus.ARCHIVED:
        raise ValidationError.at("template", f"partner {partner.id!r} is archived")
    if at < partner.created_at:
        raise ValidationError.at(
            "at", f"partner {partner.id} does not exist before {format_instant(partner.created_at)}"
        )


def _planned_copies(
    store: ContentStore, request: OnboardingRequest, template: ClientTemplate, partner: Team
) -> list[CopyEvent]:
    """The template's content, each item at its pinned version or the one current at ``at``;
    every item is in the partner's library then."""
    at = request.at
    library = {entry.id: entry for entry in partner_library(store, partner.id, at)}
    copies = []
    for index, entry in enumerate(template.content):
        offered = library.get(entry.item_id)
        if offered is None:
            raise ValidationError.at(
                f"template.content[{index}]",
                f"{entry.item_id!r} is not in {partner.id}'s library at {format_instant(at)} "
                "(a draft, retired, or not selected)",
            )
        copies.append(
            CopyEvent(
                client_id=request.client_id,
                item_id=entry.item_id,
                change=CopyChange.ONBOARD,
                at=at,
                version=offered.version if entry.version is None else entry.version,
                locked=entry.locked,
                by=request.by,
                template_id=template.id,
            )
        )
    return copies


def _planned_grants(
    store: ContentStore, request: OnboardingRequest, template: ClientTemplate, partner: Team
) -> list[Grant]:
    """The template's default grants on the new client, to advisors of the partner."""
    at = request.at
    grants = []
    for index, default in enumerate(template.grants):
        _check_advisor(store, partner.id, default.advisor, at, f"template.grants[{index}].advisor")
        grant = Grant(
            id=_grant_id(request.client_id, index + 1),
            partner_id=partner.id,
            client_id=request.client_id,
            advisor_id=default.advisor,
            role=default.role,
            granted_at=at,
            granted_by=request.by or template.id,
        )
        if store.grants.find(grant.id) is not None:
            raise ConflictError(f"grant {grant.id!r} already exists", kind="grant", id=grant.id)
        grants.append(grant)
    return grants


def onboard(
    store: ContentStore,
    template_id: str,
    client_id: str,
    name: str,
    *,
    at: datetime,
    by: Actor,
    request_id: str,
    timezone: str = "UTC",
    organisation_key: str | None = None,
    license_policy: LicensePolicy | None = None,
    billing_timezone: str | None = None,
) -> Onboarding:
    """Create client ``client_id`` under the template's partner, with everything it says.

    The client team (billing model, operated-by), its licence (free, trial or full from
    ``at``), the template's content installed and its default grants are created in one
    unit of work, so either all of it exists afterwards or none of it. The same
    ``request_id`` again returns the first result and creates nothing; reused with
    different details it raises :class:`ConflictError`. ``by`` needs ``client.create`` on
    the partner; the client, licence and grants are created through ``create_client``,
    ``open_license`` and ``grant_access`` acting as ``by``, so their events name it too.

    ``billing_timezone`` defaults to the partner's timezone (its billing timezone).
    """
    request = OnboardingRequest(
        request_id=request_id,
        template_id=template_id,
        client_id=client_id,
        name=name,
        at=at,
        by=recorded_by(by),
        timezone=timezone,
        organisation_key=organisation_key,
    )
    with store.unit_of_work():
        template = store.templates.get(template_id)
        partner = partner_team(store, template.partner_id)
        authorise(
            store, by, Permission.CLIENT_CREATE, partner.id, request.at, f"onboard {client_id}"
        )
        done = _recorded(store, request)
        if done is not None:
            return done
        plan = _plan(store, request, template, partner)
        zone = partner.timezone if billing_timezone is None else billing_timezone
        return _create_once(store, plan, by, license_policy, zone)


def _create_once(
    store: ContentStore,
    plan: _Plan,
    by: Actor,
    license_policy: LicensePolicy | None,
    billing_timezone: str,
) -> Onboarding:
    """Write the plan in a unit of its own; if another writer onboarded with this request id
    meanwhile (a store whose units do not exclude each other), the first result stands."""
    try:
        with store.unit_of_work():
            return _create(store, plan, by, license_policy, billing_timezone)
    except ConflictError:
        done = _recorded(store, plan.request)
        if done is not None:
            return done
        raise


def _create(
    store: ContentStore,
    plan: _Plan,
    by: Actor,
    license_policy: LicensePolicy | None,
    billing_timezone: str,
) -> Onboarding:
    """Write everything an onboarding planned, with its events: the client, its licence,
    its grants, its copies, and the record of the onboarding."""
    request, at = plan.request, plan.request.at
    create_client(
        store,
        request.client_id,
        request.name,
        partner_id=plan.partner.id,
        operated_by=plan.template.operated_by,
        billing_model=plan.template.billing_model,
        at=at,
        by=by,
        timezone=request.timezone,
        organisation_key=request.organisation_key,
    )
    license = open_license(
        store,
        request.client_id,
        at=at,
        by=by,
        timezone=request.timezone,
        organisation_key=request.organisation_key,
        initial_state=plan.template.license.value,
        policy=license_policy,
        billing_timezone=billing_timezone,
    )
    for grant in plan.grants:
        grant_access(store, grant, at=at, by=by)
    if plan.copies:
        store.installs.add_all(plan.copies)
    onboarding = Onboarding(
        request=request,
        partner_id=plan.partner.id,
        license=license.state_at(at),
        installed=plan.copies,
        grants=plan.grants,
    )
    store.onboardings.add(onboarding)
    store.events.append(_onboarded_events(plan, actor_id(by)))
    return onboarding


def _onboarded_events(plan: _Plan, by: str) -> list[Event]:
    """The copies installed (as pushed), then the onboarding itself."""
    request = plan.request
    installed: list[Event] = [
        ContentInstalled(
            at=request.at,
            by=by,
            team_id=request.client_id,
            item_id=copy.item_id,
            version=copy.version or 0,
            pushed=True,
        )
        for copy in plan.copies
    ]
    onboarded = ClientOnboarded(
        at=request.at,
        by=by,
        team_id=request.client_id,
        partner_id=plan.partner.id,
        template_id=plan.template.id,
        request_id=request.request_id,
    )
    return [*installed, onboarded]


def _recorded(store: ContentStore, request: OnboardingRequest) -> Onboarding | None:
    done = store.onboardings.find(request.request_id)
    if done is None:
        return None
    if done.request != request:
        raise ConflictError(
            f"onboarding request {request.request_id!r} was already used for client "
            f"{done.client_id!r} with different details",
            kind="onboarding",
            id=request.request_id,
        )
    return done
