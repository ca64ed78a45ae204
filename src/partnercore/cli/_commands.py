"""What each command does: ``run(args)`` gives the text to print and the exit status.

Imported only once the arguments are parsed, and each command imports the parts of the
library it needs, so that one command never pays for another's.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from partnercore.cli import _arguments, _stores
from partnercore.cli._parser import EXIT_DENIED, EXIT_OK, BadInput

__all__ = ["COMMANDS", "json_text", "validate_document"]

Result = tuple[str, int]


def json_text(document: object) -> str:
    """A JSON document as printed: two-space indent, keys in document order."""
    import json

    return json.dumps(document, indent=2, ensure_ascii=False)


# -- files and stores -----------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> Result:
    if args.print_scenario:  # a scenario file, whatever --format says
        from partnercore.scenario import demo_text

        return demo_text().rstrip("\n"), EXIT_OK
    from partnercore.cli._demo import demo_document, run_demo

    if args.format == "json":
        return json_text(demo_document()), EXIT_OK
    return run_demo(), EXIT_OK


def _validate(args: argparse.Namespace) -> Result:
    with _stores.opened(args):
        pass
    if args.format == "json":
        return json_text(validate_document(args.file or args.db, ())), EXIT_OK
    return "ok", EXIT_OK


def validate_document(file: str, problems: Sequence[Any]) -> dict[str, Any]:
    """The ``validate --format json`` document: every problem, each with its path."""
    return {
        "file": file,
        "valid": not problems,
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }


def _import(args: argparse.Namespace) -> Result:
    if args.db.startswith(_stores.POSTGRES):  # the schema is created (migrated) on opening
        from partnercore.scenario import import_scenario

        text = _stores.text_of(args.file)
        with _stores.open_store(args.db) as store:
            import_scenario(store, text)
    else:
        path = _stores.database(args.db)
        kind = _stores.file_kind(path)
        if kind not in (None, _stores.MISSING):
            raise BadInput(f"--db: {kind}")
        from partnercore.scenario import import_scenario_at

        import_scenario_at(path, _stores.text_of(args.file))
    if args.format == "json":
        return json_text({"file": args.file, "db": args.db, "imported": True}), EXIT_OK
    return f"imported {args.file} into {args.db}", EXIT_OK


def _apply(args: argparse.Namespace) -> Result:
    from partnercore.scenario import apply_changes, read_changes

    timeout = _arguments.timeout(args.timeout)
    document = read_changes(_stores.text_of(args.file))
    with _stores.writing(args.db, timeout) as store, store.unit_of_work():
        before = store.revision()
        apply_changes(store, document)
        after = store.revision()
    count = after - before
    if args.format == "json":
        return json_text({"file": args.file, "db": args.db, "events": count, "revision": after}), 0
    noun = "event" if count == 1 else "events"
    return f"applied {args.file} to {args.db}: {count} {noun}, revision {after}", EXIT_OK


def _events(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render

    since = 0 if args.since is None else _arguments.revision(args.since)
    with _stores.store_of(args) as store:
        found = store.events.since(since)
    if args.format == "json":
        return json_text(_render.events_document(found)), EXIT_OK
    return _render.events_text(found, since), EXIT_OK


# -- billing --------------------------------------------------------------------------------


def _bill(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render

    start, stop = _arguments.periods(args.period)
    with _stores.opened(args) as scenario:
        if stop is None:
            run = scenario.bill(start)
            if args.format == "json":
                return json_text(run.to_dict()), EXIT_OK
            return str(run), EXIT_OK  # (billing's presentation, made from that document)
        billing = scenario.bill_range(start, stop, keep_runs=args.format == "json")
        if args.format == "json":
            return json_text(billing.to_dict()), EXIT_OK
        return _render.range_text(billing), EXIT_OK


def _invoices(args: argparse.Namespace) -> Result:
    """The finalised-documents view, as text or as the ``--format json`` document."""
    from partnercore.billing import finalised_documents

    period = None if args.period is None else _arguments.period(args.period).key
    with _stores.store_of(args) as store:
        documents = finalised_documents(store, period)
    if args.format == "json":
        return json_text(documents.to_dict()), EXIT_OK
    return str(documents), EXIT_OK


def _finalise(args: argparse.Namespace) -> Result:
    from partnercore.cli._invoices import finalise_document, finalise_text, run_finalise

    period = _arguments.period(args.period)
    at = _arguments.instant("--at", args.at)
    timeout = _arguments.timeout(args.timeout)
    with _stores.writing(args.db, timeout) as store:
        outcome = run_finalise(store, period.key, at)
    if args.format == "json":
        return json_text(finalise_document(outcome, args.db)), EXIT_OK
    return finalise_text(outcome, args.db), EXIT_OK


# -- access ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    permission = _arguments.permission(args.permission)
    at = _arguments.instant("--at", args.at)
    with _stores.opened(args) as scenario:
        decision = scenario.check(user=args.user, permission=permission, team=args.team, at=at)
    status = EXIT_OK if decision.allowed else EXIT_DENIED
    question = (args.user, permission, args.team, format_instant(at))
    if args.format == "json":
        return json_text(_render.check_document(decision, *question)), status
    return _render.check_text(decision, *question), status


def _teams(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    permission = _arguments.permission(args.permission)
    at = _arguments.instant("--at", args.at)
    with _stores.opened(args) as scenario:
        found = scenario.teams(user=args.user, permission=permission, at=at)
        document = _render.teams_document(
            scenario, args.user, permission, found, format_instant(at)
        )
    if args.format == "json":
        return json_text(document), EXIT_OK
    return _render.teams_text(document), EXIT_OK


def _who(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    permission = _arguments.permission(args.permission)
    at = _arguments.instant("--at", args.at)
    with _stores.opened(args) as scenario:
        holders = scenario.who(team=args.team, permission=permission, at=at)
    document = _render.who_document(args.team, permission, holders, format_instant(at))
    if args.format == "json":
        return json_text(document), EXIT_OK
    return _render.who_text(document), EXIT_OK


# -- licences and content -------------------------------------------------------------------


def _license(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render

    start = None if args.start is None else _arguments.instant("--from", args.start)
    end = None if args.end is None else _arguments.instant("--to", args.end)
    if start is not None and end is not None and end < start:
        raise BadInput(f"--to: {args.end} is before --from {args.start}")
    with _stores.opened(args) as scenario:
        document = _render.license_document(scenario, args.team, start, end)
    if args.format == "json":
        return json_text(document), EXIT_OK
    return _render.license_text(document), EXIT_OK


def _library(args: argparse.Namespace) -> Result:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    at = _arguments.instant("--at", args.at)
    with _stores.opened(args) as scenario:
        if args.format == "json":
            view = scenario.library(team=args.team, at=at)
            document = {"team": args.team, "at": format_instant(view.at), **view.to_dict()}
            return json_text(document), EXIT_OK
        return _render.library_text(scenario, args.team, at), EXIT_OK


# -- the shell ------------------------------------------------------------------------------


def _completion(args: argparse.Namespace) -> Result:
    from partnercore.cli._completion import script
    from partnercore.cli._parser import build

    text = script(build(), args.shell)
    if args.format == "json":
        return json_text({"shell": args.shell, "script": text}), EXIT_OK
    return text.rstrip("\n"), EXIT_OK


#: Every command by name (the parser's ``args.command``).
COMMANDS: dict[str, Callable[[argparse.Namespace], Result]] = {
    "demo": _demo,
    "validate": _validate,
    "import": _import,
    "bill": _bill,
    "invoices": _invoices,
    "check": _check,
    "teams": _teams,
    "who": _who,
    "license": _license,
    "library": _library,
    "apply": _apply,
    "finalise": _finalise,
    "events": _events,
    "completion": _completion,
}
