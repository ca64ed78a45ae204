"""The ``partnercore`` command line (argparse, standard library only).

Exit status: 0 ok, 1 access denied (``check``), 2 bad input: a bad scenario file, bad
arguments or unknown ids, a refused or conflicting write, a database that cannot be used,
reported as one line on standard error, never a traceback.

``--db PATH`` names a database file: never a SQLite URI, ``:memory:`` or an empty path. Read
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
from datetime import datetime
from typing import NoReturn

from partnercore import __version__
from partnercore._errors import (
    ConflictError,
    NotFoundError,
    PartnercoreError,
    StoreError,
    ValidationError,
)
from partnercore.billing import finalise
from partnercore.cli import _render
from partnercore.cli._demo import run_demo
from partnercore.cli._tables import table
from partnercore.content import InstalledContentCharges
from partnercore.events import SYSTEM, InvoiceFinalised
from partnercore.scenario import Scenario, apply_changes, demo_text, load, read_changes
from partnercore.sqlite import SqliteStore, import_scenario_at, open_scenario
from partnercore.store import Store
from partnercore.tenancy import Permission
from partnercore.time import BillingPeriod, ensure_aware, format_instant

__all__ = ["main"]

EXIT_OK = 0
EXIT_DENIED = 1
EXIT_BAD_INPUT = 2

_PERMISSIONS = ", ".join(p.value for p in Permission)


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
    try:
        return Permission(text).value
    except ValueError:
        raise BadInput(
            f"--permission: unknown permission {text!r}; expected one of {_PERMISSIONS}"
        ) from None


def _periods(text: str) -> tuple[BillingPeriod, BillingPeriod | None]:
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
    choices: tuple[str, ...] = getattr(args, "formats", ())
    if choices and args.format not in choices:
        expected = " or ".join(choices)
        raise BadInput(f"--format: unknown format {args.format!r}; expected {expected}")


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
        yield load(args.file)
        return
    if args.file is not None:
        raise BadInput(f"{args.command}: give a scenario FILE or --db PATH, not both")
    with SqliteStore(_existing(db), read_only=True) as store:
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
    with SqliteStore(_existing(args.db), read_only=True) as store:
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
def _writing(args: argparse.Namespace) -> Iterator[SqliteStore]:
    """The existing store at ``--db`` opened for writing (never created: import does that)."""
    path = _existing(args.db)
    if os.path.getsize(path) == 0:
        raise StoreError(path, "not a partnercore database: the file is empty")
    with SqliteStore(path, timeout=args.timeout) as store:
        yield store


def _text_of(path: str) -> str:
    with open(path, "rb") as file:
        data = file.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValidationError.at("", f"not UTF-8 text (byte {error.start})") from None


def _apply(args: argparse.Namespace) -> tuple[str, int]:
    document = read_changes(_text_of(args.file))
    with _writing(args) as store, store.unit_of_work():
        before = store.revision()
        apply_changes(store, document)
        after = store.revision()
    count = after - before
    noun = "event" if count == 1 else "events"
    return f"applied {args.file} to {args.db}: {count} {noun}, revision {after}", EXIT_OK


def _finalise(args: argparse.Namespace) -> tuple[str, int]:
    period = _period(args.period)
    at = _instant("--at", args.at)
    with _writing(args) as store, store.unit_of_work():
        before = store.revision()
        run = finalise(store, period.key, at=at, by=SYSTEM, content=InstalledContentCharges(store))
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
    if not rows:
        return summary, EXIT_OK
    headers = ("invoice", "billed to", "currency", "total", "")
    return f"{summary}\n{table(headers, rows)}", EXIT_OK


def _events(args: argparse.Namespace) -> tuple[str, int]:
    since = 0 if args.since is None else _revision(args.since)
    with _store_of(args) as store:
        found = store.events.since(since)
    if args.format == "json":
        return _render.json_text(_render.events_document(found)), EXIT_OK
    return _render.events_text(found, since), EXIT_OK


def _import(args: argparse.Namespace) -> tuple[str, int]:
    path = _database(args.db)
    kind = _file_kind(path)
    if kind not in (None, _MISSING):
        raise BadInput(f"--db: {kind}")
    import_scenario_at(path, _text_of(args.file))
    return f"imported {args.file} into {args.db}", EXIT_OK


def _demo(args: argparse.Namespace) -> tuple[str, int]:
    if args.print_scenario:
        return demo_text().rstrip("\n"), EXIT_OK
    return run_demo(), EXIT_OK


def _validate(args: argparse.Namespace) -> tuple[str, int]:
    with _opened(args):
        return "ok", EXIT_OK


def _bill(args: argparse.Namespace) -> tuple[str, int]:
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
    permission = _permission(args.permission)
    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        decision = scenario.check(user=args.user, permission=permission, team=args.team, at=at)
    status = EXIT_OK if decision.allowed else EXIT_DENIED
    if args.format == "json":
        return _render.json_text(_render.check_document(decision)), status
    text = _render.check_text(decision, args.user, permission, args.team, format_instant(at))
    return text, status


def _license(args: argparse.Namespace) -> tuple[str, int]:
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
    permission = _permission(args.permission)
    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        found = scenario.teams(user=args.user, permission=permission, at=at)
        document = _render.teams_document(args.user, permission, found)
        if args.format == "json":
            return _render.json_text(document), EXIT_OK
        return _render.teams_text(scenario, document, format_instant(at)), EXIT_OK


def _who(args: argparse.Namespace) -> tuple[str, int]:
    permission = _permission(args.permission)
    at = _instant("--at", args.at)
    with _opened(args) as scenario:
        holders = scenario.who(team=args.team, permission=permission, at=at)
    document = _render.who_document(args.team, permission, holders)
    if args.format == "json":
        return _render.json_text(document), EXIT_OK
    return _render.who_text(document, format_instant(at)), EXIT_OK


def _library(args: argparse.Namespace) -> tuple[str, int]:
    at = None if args.at is None else _instant("--at", args.at)
    with _opened(args) as scenario:
        if args.format == "json":
            return _render.json_text(scenario.library(team=args.team, at=at).to_dict()), EXIT_OK
        return _render.library_text(scenario, args.team, at), EXIT_OK


# -- the parser -----------------------------------------------------------------------------

Command = Callable[[argparse.Namespace], tuple[str, int]]


def _parser() -> _Parser:
    parser = _Parser(
        prog="partnercore",
        description="Explore partner worlds described in scenario files: access, licences, "
        "billing and content.",
    )
    parser.add_argument("--version", action="version", version=f"partnercore {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, run: Command, help: str, *, file: bool = True) -> _Parser:
        sub: _Parser = commands.add_parser(name, help=help, description=help)
        if file:
            sub.add_argument("file", metavar="FILE", nargs="?", help="a scenario file (TOML)")
            sub.add_argument(
                "--db", metavar="PATH", help="a SQLite store written by 'import', instead of FILE"
            )
        sub.set_defaults(run=run)
        return sub

    def formats(sub: _Parser, *choices: str) -> None:
        sub.add_argument(
            "--format", default=choices[0], metavar="|".join(choices), help="output format"
        )
        sub.set_defaults(formats=choices)

    demo = command("demo", _demo, "run a built-in scenario end to end (no file needed)", file=False)
    demo.add_argument(
        "--print-scenario",
        action="store_true",
        help="write the built-in scenario (TOML) to standard output instead",
    )
    command("validate", _validate, 'check a scenario file: every problem, or "ok"')
    import_ = command(
        "import", _import, "write a scenario file into a SQLite store (all or nothing)", file=False
    )
    import_.add_argument("file", metavar="FILE", help="a scenario file (TOML)")
    import_.add_argument("--db", metavar="PATH", required=True, help="the SQLite store to write")
    bill = command("bill", _bill, "every invoice and referral statement of a period")
    bill.add_argument("--period", required=True, help="YYYY-MM, or a range YYYY-MM..YYYY-MM")
    formats(bill, "table", "json")
    check = command("check", _check, "one access decision with its explanation")
    check.add_argument("--user", required=True)
    check.add_argument("--team", required=True)
    check.add_argument("--permission", required=True, help=_PERMISSIONS)
    check.add_argument("--at", required=True, help="an ISO 8601 datetime with an offset")
    formats(check, "text", "json")
    license = command("license", _license, "the licence timeline of a client team")
    license.add_argument("--team", required=True)
    license.add_argument("--from", dest="start", help="start of the window (ISO 8601)")
    license.add_argument("--to", dest="end", help="end of the window (ISO 8601)")
    formats(license, "table", "json")
    teams = command("teams", _teams, "every team a user can reach with a permission")
    teams.add_argument("--user", required=True)
    teams.add_argument("--permission", required=True, help=_PERMISSIONS)
    teams.add_argument("--at", required=True, help="an ISO 8601 datetime with an offset")
    formats(teams, "text", "json")
    who = command("who", _who, "every user who can reach a team with a permission, and how")
    who.add_argument("--team", required=True)
    who.add_argument("--permission", required=True, help=_PERMISSIONS)
    who.add_argument("--at", required=True, help="an ISO 8601 datetime with an offset")
    formats(who, "text", "json")
    library = command("library", _library, "the content a team can see, and what it installed")
    library.add_argument("--team", required=True)
    library.add_argument("--at", help="an ISO 8601 datetime (default: the scenario's last)")
    formats(library, "text", "json")

    def timeout(sub: _Parser) -> None:
        sub.add_argument(
            "--timeout",
            type=_timeout,
            default=30.0,
            metavar="SECONDS",
            help="how long to wait for another process writing the store (default 30)",
        )

    apply = command(
        "apply",
        _apply,
        "apply a file of changes (memberships, grants, consent, license_events, usage, "
        "installs, pushes, onboard) to a SQLite store, all or nothing",
        file=False,
    )
    apply.add_argument(
        "file", metavar="CHANGES", help="a file in the scenario format holding only those tables"
    )
    apply.add_argument("--db", metavar="PATH", required=True, help="the SQLite store to change")
    timeout(apply)
    finalise_ = command(
        "finalise",
        _finalise,
        "bill a period and store its invoices, all or nothing (again with the same results: a "
        "no-op)",
        file=False,
    )
    finalise_.add_argument("--db", metavar="PATH", required=True, help="the SQLite store")
    finalise_.add_argument("--period", required=True, help="YYYY-MM")
    finalise_.add_argument(
        "--at", required=True, help="when the invoices are finalised (ISO 8601, with an offset)"
    )
    timeout(finalise_)
    events = command("events", _events, "the events a store recorded, oldest first")
    events.add_argument(
        "--since", metavar="N", help="only the events after revision N (default 0: all)"
    )
    formats(events, "text", "json")
    return parser


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


def _validate_report(error: ValidationError, file: str) -> str:
    return "\n".join(f"{file}: {problem}" for problem in error.problems)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``partnercore`` command line with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 ok, 1 denied (``check``), 2 bad input.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    command: str | None = None
    file: str | None = None
    try:
        args = _parser().parse_args(arguments)
        command, file = args.command, getattr(args, "file", None) or getattr(args, "db", None)
        _check_format(args)
        run: Command = args.run
        text, status = run(args)
    except (BadInput, PartnercoreError, OSError) as error:
        if command == "validate" and file is not None and isinstance(error, ValidationError):
            _print(_validate_report(error, file))
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
    if isinstance(error, ValidationError) and len(error.problems) == 1:
        path = error.problems[0].path
        if path in _FLAGS:
            return BadInput(f"{_FLAGS[path]}: {error.problems[0].message}")
    return error
