"""The ``partnercore`` command line (argparse, standard library only).

Exit status: 0 ok, 1 access denied (``check``), 2 bad input: a bad scenario file, bad
arguments or unknown ids, a refused or conflicting write, a database that cannot be used,
reported as one line on standard error, never a traceback.

``--db PATH`` names a database file (never a SQLite URI, ``:memory:`` or an empty path) or a
``postgresql://`` URL (the store in schema ``partnercore`` of that database). Read
commands open it read-only (they never create, migrate or change it); ``import`` creates it
whole or not at all; ``apply`` and ``finalise`` write to an existing store in one unit of
work, all of it or (on any refusal or conflict) nothing.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from partnercore import __version__

# Everything but argparse is imported by the command that needs it, so that ``partnercore
# --help`` (and a mistyped command) answers without loading the library (nor ``typing``:
# mypy reads any ``TYPE_CHECKING`` constant as the one from ``typing``).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any, NoReturn

    from partnercore.scenario import Scenario
    from partnercore.store import Store
    from partnercore.time import BillingPeriod

__all__ = ["main"]

EXIT_OK = 0
EXIT_DENIED = 1
EXIT_BAD_INPUT = 2

# The values of partnercore.tenancy.Permission (a test keeps the two equal): written out so
# that building the parser imports nothing.
PERMISSIONS = (
    "team.view",
    "team.edit",
    "team.admin",
    "license.view",
    "license.manage",
    "billing.view",
    "billing.manage",
    "content.view",
    "content.manage",
    "referral.view",
    "client.create",
)
_PERMISSIONS = ", ".join(PERMISSIONS)

FORMATS = ("text", "json")
_FORMAT_SYNONYMS = {"text": "text", "table": "text", "json": "json"}


class BadInput(Exception):
    """Bad input: printed as one line on standard error, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, raised instead of printed."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("partnercore").strip()
        where = f"{command}: " if command else ""
        hint = f"partnercore {command} --help" if command else "partnercore --help"
        raise BadInput(f"{where}{message} (see {hint})")


# -- argument values ------------------------------------------------------------------------


def _instant(flag: str, text: str) -> datetime:
    """An ISO 8601 datetime with an offset, or ``now`` (the system clock, in UTC)."""
    from partnercore.time import SystemClock, ensure_aware

    if text.strip().lower() == "now":
        return SystemClock().now()
    from datetime import datetime

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{flag}: not an ISO 8601 datetime: {text!r}") from None
    if value.tzinfo is None:
        example = text if "T" in text else f"{text}T00:00:00"
        raise BadInput(
            f"{flag}: naive datetime {text!r} rejected: give it an offset, e.g. {example}Z"
        )
    return ensure_aware(value, flag)


def _permission(text: str) -> str:
    from partnercore.tenancy import Permission

    try:
        return Permission(text).value
    except ValueError:
        raise BadInput(
            f"--permission: unknown permission {text!r}; expected one of {_PERMISSIONS}"
        ) from None


def _periods(text: str) -> tuple[BillingPeriod, BillingPeriod | None]:
    from partnercore._errors import ValidationError
    from partnercore.time import BillingPeriod

    first, dots, last = text.partition("..")
    expected = "expected YYYY-MM or YYYY-MM..YYYY-MM"
    try:
        start = BillingPeriod.parse(first)
        stop = BillingPeriod.parse(last) if dots else None
    except ValidationError:
        raise BadInput(f"--period: {expected}, got {text!r}") from None
    if stop is not None and stop < start:
        raise BadInput(f"--period: {stop.key} is before {start.key} in {text!r}")
    return start, stop


def _period(text: str) -> BillingPeriod:
    from partnercore._errors import ValidationError
    from partnercore.time import BillingPeriod

    try:
        return BillingPeriod.parse(text)
    except ValidationError:
        raise BadInput(f"--period: expected YYYY-MM, got {text!r}") from None


def _revision(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise BadInput(f"--since: expected a revision (a whole number >= 0), got {text!r}")
    return int(text)


def _timeout(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise BadInput(f"--timeout: expected a number of seconds from 0 to 86400, got {text!r}")
    return seconds


def _check_format(args: argparse.Namespace) -> None:
    """``--format``: ``text`` (``table`` is a synonym) or ``json``, normalised in place."""
    given = args.format
    if given not in _FORMAT_SYNONYMS:
        raise BadInput(f"--format: unknown format {given!r}; expected text (or table) or json")
    args.format = _FORMAT_SYNONYMS[given]


def _database(path: str) -> str:
    """``--db PATH``: a file name, never an in-memory database or a SQLite URI."""
    if not path:
        raise BadInput("--db: give the path of a database file (got an empty path)")
    if path == ":memory:" or path.startswith("file:"):
        raise BadInput(
            f"--db: give the path of a database file, not a SQLite URI or in-memory "
            f"database: {path!r} (write ./{path} for a file of that name)"
        )
    return path


_MISSING = "no such database file"


def _file_kind(path: str) -> str | None:
    """What is wrong with ``path`` as a database file (``None``: a regular file)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return _MISSING if not os.path.lexists(path) else f"{path} is a broken link"
    except OSError as error:
        return f"cannot use {path}: {error.strerror}"
    except ValueError:  # NUL, or text that is no file name (a lone surrogate)
        return f"not a valid file name: {path!r}"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{path} is a directory, not a database file"
    return f"{path} is not a regular file"


# -- commands -------------------------------------------------------------------------------


@contextmanager
def _opened(args: argparse.Namespace) -> Iterator[Scenario]:
    """The scenario of FILE, or of the store at ``--db`` opened read-only (closed after)."""
    db = getattr(args, "db", None)
    if db is None:
        if args.file is None:
            raise BadInput(f"{args.command}: give a scenario FILE or --db PATH")
        from partnercore.scenario import load

        yield load(args.file)
        return
    if args.file is not None:
        raise BadInput(f"{args.command}: give a scenario FILE or --db PATH, not both")
    with _open_store(db, read_only=True) as store:
        if db.startswith(_POSTGRES):
            from partnercore.postgres import open_scenario as postgres_scenario

            yield postgres_scenario(store)
            return
        from partnercore.sqlite import open_scenario

        yield open_scenario(store)


@contextmanager
def _store_of(args: argparse.Namespace) -> Iterator[Store]:
    """The store of a scenario FILE (built in memory), or at ``--db`` opened read-only."""
    if args.db is None:
        with _opened(args) as scenario:
            yield scenario.store
        return
    if args.file is not None:
        raise BadInput(f"{args.command}: give a scenario FILE or --db PATH, not both")
    with _open_store(args.db, read_only=True) as store:
        yield store


_POSTGRES = ("postgresql://", "postgres://")


@contextmanager
def _open_store(db: str, *, read_only: bool = False, timeout: float = 30.0) -> Iterator[Any]:
    """The existing store a ``--db`` value names (closed after): a SQLite file, or a
    ``postgresql://`` URL (the store in schema ``partnercore`` of that database, migrated
    forward unless read-only). Read-only: never created, migrated or changed. ``timeout``:
    seconds to wait for another writer (SQLite) or for a connection (PostgreSQL)."""
    if db.startswith(_POSTGRES):
        try:
            from partnercore.postgres import PostgresStore
        except ImportError:
            raise BadInput(
                "--db: a postgresql:// URL needs the postgres extra: "
                "pip install 'partnercore[postgres]'"
            ) from None
        wait = max(timeout, 0.001)
        with PostgresStore.connect(db, max_size=1, timeout=wait, migrate=not read_only) as pg:
            yield pg
        return
    from partnercore._errors import StoreError
    from partnercore.sqlite import SqliteStore

    path = _existing(db)
    if not read_only and os.path.getsize(path) == 0:
        raise StoreError(path, "not a partnercore database: the file is empty")
    with SqliteStore(path, timeout=timeout, read_only=read_only) as store:
        yield store


def _existing(db: str) -> str:
    """``--db PATH`` naming a database file that exists."""
    path = _database(db)
    kind = _file_kind(path)
    if kind == _MISSING:
        raise BadInput(f"--db: {_MISSING}: {path}")
    if kind is not None:
        raise BadInput(f"--db: {kind}")
    return path


@contextmanager
def _writing(args: argparse.Namespace) -> Iterator[Store]:
    """The existing store at ``--db`` opened for writing (never created: import does that)."""
    with _open_store(args.db, timeout=args.timeout) as store:
        yield store


def _text_of(path: str) -> str:
    with open(path, "rb") as file:
        data = file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        from partnercore._errors import ValidationError

        raise ValidationError.at("", f"not UTF-8 text (byte {error.start})") from None


def _json(document: object) -> str:
    from partnercore.cli._render import json_text

    return json_text(document)


def _apply(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.scenario import apply_changes, read_changes

    document = read_changes(_text_of(args.file))
    with _writing(args) as store, store.unit_of_work():
        before = store.revision()
        apply_changes(store, document)
        after = store.revision()
    count = after - before
    if args.format == "json":
        return _json({"file": args.file, "db": args.db, "events": count, "revision": after}), 0
    noun = "event" if count == 1 else "events"
    return f"applied {args.file} to {args.db}: {count} {noun}, revision {after}", EXIT_OK


def _finalise(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.billing import finalise
    from partnercore.cli._invoices import stored_invoicing
    from partnercore.cli._tables import table
    from partnercore.content import InstalledContentCharges
    from partnercore.events import SYSTEM, InvoiceFinalised
    from partnercore.time import format_instant

    period = _period(args.period)
    at = _instant("--at", args.at)
    with _writing(args) as store, store.unit_of_work():
        before = store.revision()
        run = finalise(
            store,
            period.key,
            at=at,
            by=SYSTEM,
            content=InstalledContentCharges(store),
            invoicing=stored_invoicing(store),
        )
        stored = {
            event.invoice_id
            for event in store.events.since(before)
            if isinstance(event, InvoiceFinalised)
        }
        revision = store.revision()
    rows = [
        [
            invoice.id,
            invoice.billed_to,
            invoice.total.currency.code,
            invoice.total.format_amount(),
            "stored" if invoice.id in stored else "already stored",
        ]
        for invoice in run.invoices
    ]
    if not run.invoices:
        summary = f"nothing to finalise in {period.key}"
    elif stored:
        summary = (
            f"finalised {period.key} in {args.db}: {len(stored)} of {len(rows)} invoices "
            f"stored, revision {revision}"
        )
    else:
        summary = f"{period.key} was already finalised with these results: nothing stored"
    if args.format == "json":
        document = {
            "period": period.key,
            "db": args.db,
            "at": format_instant(at),
            "revision": revision,
            "stored": len(stored),
            "summary": summary,
            "invoices": [
                {
                    "invoice": invoice_id,
                    "billed_to": billed_to,
                    "currency": currency,
                    "total": total,
                    "stored": status == "stored",
                }
                for invoice_id, billed_to, currency, total, status in rows
            ],
        }
        return _json(document), EXIT_OK
    if not rows:
        return summary, EXIT_OK
    headers = ("invoice", "billed to", "currency", "total", "")
    return f"{summary}\n{table(headers, rows)}", EXIT_OK


def _events(args: argparse.Namespace) -> tuple[str, int]:
    since = 0 if args.since is None else _revision(args.since)
    from partnercore.cli import _render

    with _store_of(args) as store:
        found = store.events.since(since)
    if args.format == "json":
        return _render.json_text(_render.events_document(found)), EXIT_OK
    return _render.events_text(found, since), EXIT_OK


def _import(args: argparse.Namespace) -> tuple[str, int]:
    if args.db.startswith(_POSTGRES):  # the schema is created (migrated) on opening
        from partnercore.postgres import import_scenario

        text = _text_of(args.file)
        with _open_store(args.db) as store:
            import_scenario(store, text)
    else:
        path = _database(args.db)
        kind = _file_kind(path)
        if kind not in (None, _MISSING):
            raise BadInput(f"--db: {kind}")
        from partnercore.sqlite import import_scenario_at

        import_scenario_at(path, _text_of(args.file))
    if args.format == "json":
        return _json({"file": args.file, "db": args.db, "imported": True}), EXIT_OK
    return f"imported {args.file} into {args.db}", EXIT_OK


def _demo(args: argparse.Namespace) -> tuple[str, int]:
    if args.print_scenario:  # a scenario file, whatever --format says
        from partnercore.scenario import demo_text

        return demo_text().rstrip("\n"), EXIT_OK
    from partnercore.cli._demo import demo_document, run_demo

    if args.format == "json":
        return _json(demo_document()), EXIT_OK
    return run_demo(), EXIT_OK


def _validate(args: argparse.Namespace) -> tuple[str, int]:
    with _opened(args):
        pass
    if args.format == "json":
        return _json(_validate_document(args.file or args.db, ())), EXIT_OK
    return "ok", EXIT_OK


def _validate_document(file: str, problems: Sequence[Any]) -> dict[str, Any]:
    """The ``validate --format json`` document: every problem, each with its path."""
    return {
        "file": file,
        "valid": not problems,
        "problems": [{"path": p.path, "message": p.message} for p in problems],
    }


def _bill(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.cli import _render

    start, stop = _periods(args.period)
    with _opened(args) as scenario:
        if stop is None:
            document = scenario.bill(start).to_dict()
            if args.format == "json":
                return _render.json_text(document), EXIT_OK
            return _render.bill_text(document), EXIT_OK
        billing = scenario.bill_range(start, stop)
        if args.format == "json":
            return _render.json_text(billing.to_dict()), EXIT_OK
        return _render.range_text(billing), EXIT_OK


def _check(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    permission = _permission(args.permission)
    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        decision = scenario.check(user=args.user, permission=permission, team=args.team, at=at)
    status = EXIT_OK if decision.allowed else EXIT_DENIED
    if args.format == "json":
        document = _render.check_document(
            decision, args.user, permission, args.team, format_instant(at)
        )
        return _render.json_text(document), status
    text = _render.check_text(decision, args.user, permission, args.team, format_instant(at))
    return text, status


def _license(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.cli import _render

    start = None if args.start is None else _instant("--from", args.start)
    end = None if args.end is None else _instant("--to", args.end)
    if start is not None and end is not None and end < start:
        raise BadInput(f"--to: {args.end} is before --from {args.start}")
    with _opened(args) as scenario:
        document = _render.license_document(scenario, args.team, start, end)
    if args.format == "json":
        return _render.json_text(document), EXIT_OK
    return _render.license_text(document), EXIT_OK


def _teams(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    permission = _permission(args.permission)
    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        found = scenario.teams(user=args.user, permission=permission, at=at)
        document = _render.teams_document(
            scenario, args.user, permission, found, format_instant(at)
        )
    if args.format == "json":
        return _render.json_text(document), EXIT_OK
    return _render.teams_text(document), EXIT_OK


def _who(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    permission = _permission(args.permission)
    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        holders = scenario.who(team=args.team, permission=permission, at=at)
    document = _render.who_document(args.team, permission, holders, format_instant(at))
    if args.format == "json":
        return _render.json_text(document), EXIT_OK
    return _render.who_text(document), EXIT_OK


def _library(args: argparse.Namespace) -> tuple[str, int]:
    from partnercore.cli import _render
    from partnercore.time import format_instant

    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        if args.format == "json":
            view = scenario.library(team=args.team, at=at)
            document = {"team": args.team, "at": format_instant(view.at), **view.to_dict()}
            return _render.json_text(document), EXIT_OK
        return _render.library_text(scenario, args.team, at), EXIT_OK


# -- the parser -----------------------------------------------------------------------------

Command = Callable[[argparse.Namespace], tuple[str, int]]


def _parser() -> _Parser:
    parser = _Parser(
        prog="partnercore",
        description="Explore partner worlds described in scenario files: access, licences, "
        "billing and content.",
        epilog=_epilog(
            "partnercore demo",
            "partnercore demo --print-scenario > world.toml",
            "partnercore bill world.toml --period 2026-11",
            "partnercore check world.toml --user alice --team northwind "
            "--permission team.edit --at now --format json",
        )
        + "\n\nRun 'partnercore COMMAND --help' for a command's options and an example.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"partnercore {__version__}",
        help="print the version and exit (e.g. partnercore -V)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, run: Command, help: str, example: str, *, file: bool = True) -> _Parser:
        sub: _Parser = commands.add_parser(
            name,
            help=help,
            description=help,
            epilog=_epilog(example),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if file:
            sub.add_argument(
                "file",
                metavar="FILE",
                nargs="?",
                help="a scenario file (TOML), e.g. world.toml",
            )
            sub.add_argument(
                "--db",
                metavar="PATH",
                help="a SQLite store written by 'import', instead of FILE (e.g. --db world.db)",
            )
        sub.set_defaults(run=run)
        _formats(sub)
        return sub

    def at(sub: _Parser, what: str = "when to ask") -> None:
        sub.add_argument(
            "--at",
            default="now",
            metavar="WHEN",
            help=f"{what}: an ISO 8601 datetime with an offset, or 'now' (the default), "
            "e.g. --at 2026-11-20T09:00:00Z",
        )

    def permission(sub: _Parser) -> None:
        sub.add_argument(
            "--permission",
            required=True,
            metavar="PERMISSION",
            help=f"one of {_PERMISSIONS} (e.g. --permission team.edit)",
        )

    def team(sub: _Parser, what: str = "a team id") -> None:
        sub.add_argument("--team", required=True, help=f"{what}, e.g. --team northwind")

    def user(sub: _Parser) -> None:
        sub.add_argument("--user", required=True, help="a user id, e.g. --user alice")

    demo = command(
        "demo",
        _demo,
        "run a built-in scenario end to end (no file needed)",
        "partnercore demo --format json",
        file=False,
    )
    demo.add_argument(
        "--print-scenario",
        action="store_true",
        help="write the built-in scenario (TOML, whatever --format says) to standard output "
        "instead, e.g. partnercore demo --print-scenario > world.toml",
    )
    command(
        "validate",
        _validate,
        'check a scenario file: every problem, or "ok"',
        "partnercore validate world.toml --format json",
    )
    import_ = command(
        "import",
        _import,
        "write a scenario file into a SQLite store (all or nothing)",
        "partnercore import world.toml --db world.db",
        file=False,
    )
    import_.add_argument("file", metavar="FILE", help="a scenario file (TOML), e.g. world.toml")
    import_.add_argument(
        "--db",
        metavar="PATH",
        required=True,
        help="the SQLite store to write (a new or empty file), e.g. --db world.db",
    )
    bill = command(
        "bill",
        _bill,
        "every invoice and referral statement of a period, or a table of a range of periods",
        "partnercore bill world.toml --period 2026-01..2026-12",
    )
    bill.add_argument(
        "--period",
        required=True,
        help="YYYY-MM, or a range YYYY-MM..YYYY-MM (e.g. --period 2026-11)",
    )
    check = command(
        "check",
        _check,
        "one access decision with its explanation",
        "partnercore check world.toml --user alice --team northwind --permission team.edit "
        "--at 2026-11-20T09:00:00Z",
    )
    user(check)
    team(check)
    permission(check)
    at(check)
    license = command(
        "license",
        _license,
        "the licence timeline of a client team",
        "partnercore license world.toml --team bluebird --from 2026-11-01T00:00:00Z",
    )
    team(license, "a client team id")
    license.add_argument(
        "--from",
        dest="start",
        metavar="WHEN",
        help="start of the window: ISO 8601 or 'now' (default: when the licence was opened), "
        "e.g. --from 2026-11-01T00:00:00Z",
    )
    license.add_argument(
        "--to",
        dest="end",
        metavar="WHEN",
        help="end of the window: ISO 8601 or 'now' (default: open-ended), "
        "e.g. --to 2027-01-01T00:00:00Z",
    )
    teams = command(
        "teams",
        _teams,
        "every team a user can reach with a permission",
        "partnercore teams world.toml --user alice --permission team.view --at now",
    )
    user(teams)
    permission(teams)
    at(teams)
    who = command(
        "who",
        _who,
        "every user who can reach a team with a permission, and how",
        "partnercore who world.toml --team northwind --permission team.view",
    )
    team(who)
    permission(who)
    at(who)
    library = command(
        "library",
        _library,
        "the content a team can see, and what it installed",
        "partnercore library world.toml --team northwind --at now",
    )
    team(library)
    at(library, "when to look")
    from partnercore.cli import _invoices

    invoices = command(
        "invoices",
        _invoices.run,
        "the finalised invoices (numbers, dates, tax, credited, balance) and credit notes",
        "partnercore invoices world.toml --period 2026-10 --format json",
    )
    invoices.add_argument(
        "--period",
        help="only the invoices of YYYY-MM and the credit notes against them, "
        "e.g. --period 2026-10",
    )

    def timeout(sub: _Parser) -> None:
        sub.add_argument(
            "--timeout",
            type=_timeout,
            default=30.0,
            metavar="SECONDS",
            help="how long to wait for another process writing the store (default 30), "
            "e.g. --timeout 5",
        )

    apply = command(
        "apply",
        _apply,
        "apply a file of changes (memberships, grants, consent, license_events, usage, "
        "installs, pushes, onboard) to a SQLite store, all or nothing",
        "partnercore apply changes.toml --db world.db",
        file=False,
    )
    apply.add_argument(
        "file",
        metavar="CHANGES",
        help="a file in the scenario format holding only those tables, e.g. changes.toml",
    )
    apply.add_argument(
        "--db", metavar="PATH", required=True, help="the SQLite store to change, e.g. --db world.db"
    )
    timeout(apply)
    finalise_ = command(
        "finalise",
        _finalise,
        "bill a period and store its invoices, all or nothing (again with the same results: a "
        "no-op)",
        "partnercore finalise --db world.db --period 2026-11 --at now",
        file=False,
    )
    finalise_.add_argument(
        "--db", metavar="PATH", required=True, help="the SQLite store, e.g. --db world.db"
    )
    finalise_.add_argument("--period", required=True, help="YYYY-MM, e.g. --period 2026-11")
    at(finalise_, "when the invoices are finalised")
    timeout(finalise_)
    events = command(
        "events",
        _events,
        "the events a store recorded, oldest first",
        "partnercore events --db world.db --since 10 --format json",
    )
    events.add_argument(
        "--since",
        metavar="N",
        help="only the events after revision N (default 0: all), e.g. --since 10",
    )
    return parser


_EXIT_STATUS = (
    "exit status:\n"
    "  0  done (check: allowed)\n"
    "  1  check: denied\n"
    "  2  bad input: a bad file or argument, an unknown id, a refused or conflicting write,\n"
    "     a database that cannot be used (one line on standard error)"
)


def _epilog(*examples: str) -> str:
    noun = "example" if len(examples) == 1 else "examples"
    shown = "\n".join(f"  {example}" for example in examples)
    return f"{noun}:\n{shown}\n\n{_EXIT_STATUS}"


def _formats(sub: _Parser) -> None:
    """``--format text|json`` (``table``: a synonym of ``text``) and ``--json``."""
    sub.add_argument(
        "--format",
        default="text",
        metavar="text|json",
        help="output format: text (the default; 'table' is a synonym) or json, a document "
        "holding everything the text shows, e.g. --format json",
    )
    sub.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        help="the same as --format json",
    )


# -- errors ---------------------------------------------------------------------------------

_FLAGS = {
    "team": "--team",
    "user": "--user",
    "client": "--team",
    "license": "--team",
    "at": "--at",
    "start": "--from",
    "end": "--to",
    "period": "--period",
    "permission": "--permission",
}


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def _describe(error: Exception, file: str | None, command: str | None = None) -> str:
    """One line naming what was wrong and where."""
    from partnercore._errors import ConflictError, NotFoundError, StoreError, ValidationError

    if isinstance(error, BadInput | StoreError | ConflictError):
        return str(error)  # (store errors and conflicts name their file)
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        return f"{file}: cannot read the scenario file: {reason}"
    if isinstance(error, NotFoundError):
        flag = _FLAGS.get(error.kind, "")
        where = f"{flag}: " if flag else ""
        return f"{where}{error} in {file}" if file else f"{where}{error}"
    if isinstance(error, ValidationError):
        first = error.problems[0]
        more = len(error.problems) - 1
        tail = ""
        if more:
            noun = "problem" if more == 1 else "problems"
            hint = "" if command == "apply" else f": partnercore validate {file}"
            tail = f" (and {more} more {noun}{hint})"
        return f"{file}: {first}{tail}" if file else f"{first}{tail}"
    return f"{file}: {error}" if file else str(error)


def _validate_report(error: Exception, file: str, format: str) -> tuple[str, str] | None:
    """``validate`` of an invalid file: every problem (standard output), and a summary line
    for standard error that repeats none of them; ``None`` for any other error."""
    from partnercore._errors import ValidationError

    if not isinstance(error, ValidationError):
        return None
    problems = error.problems
    if format == "json":
        report = _json(_validate_document(file, problems))
    else:
        report = "\n".join(f"{file}: {problem}" for problem in problems)
    noun = "problem" if len(problems) == 1 else "problems"
    where = "above" if format == "text" else "in the JSON document"
    return report, f"{file}: not valid: {len(problems)} {noun} (listed {where})"


def _expected_errors() -> tuple[type[Exception], ...]:
    """The errors reported as bad input (imported only once an error happens)."""
    from partnercore._errors import PartnercoreError

    return (BadInput, PartnercoreError, OSError)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``partnercore`` command line with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 ok, 1 denied (``check``), 2 bad input.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        # --help and --version leave here (SystemExit) having imported nothing of the library.
        args = _parser().parse_args(arguments)
        _check_format(args)
    except BadInput as error:
        print(f"partnercore: error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    command: str = args.command
    file: str | None = getattr(args, "file", None) or getattr(args, "db", None)
    try:
        run: Command = args.run
        text, status = run(args)
    except _expected_errors() as error:
        report = None
        if command == "validate" and file is not None:
            report = _validate_report(error, file, args.format)
        if report is not None:
            _print(report[0])
            message = report[1]
        else:
            message = _describe(_by_flag(error), file, command)
        print(f"partnercore: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:  # a defect: still one line, never a traceback
        message = f"internal error ({type(error).__name__}: {error}); please report it"
        print(f"partnercore: error: {_one_line(message)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    _print(text)
    return status


def _print(text: str) -> None:
    """``text`` on standard output, whatever its encoding; a reader that went away is fine."""
    try:
        try:
            print(text)
        except UnicodeEncodeError:
            encoding = sys.stdout.encoding or "utf-8"
            sys.stdout.flush()
            sys.stdout.buffer.write((text + "\n").encode(encoding, "backslashreplace"))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``partnercore demo | head``): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _by_flag(error: Exception) -> Exception:
    """A validation error about an argument (``at``, ``team``...) named by its flag."""
    from partnercore._errors import ValidationError

    if isinstance(error, ValidationError) and len(error.problems) == 1:
        path = error.problems[0].path
        if path in _FLAGS:
            return BadInput(f"{_FLAGS[path]}: {error.problems[0].message}")
    return error
