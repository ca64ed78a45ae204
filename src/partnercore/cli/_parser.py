"""The ``partnercore`` argument parser: every command, its options, help and examples.

Building the parser imports argparse and nothing of the library (nor ``shutil`` or
``typing``), so that ``partnercore --help`` answers at once; the commands themselves live in
:mod:`partnercore.cli._commands`, imported only to run one.
"""

from __future__ import annotations

import argparse
import os
import sys

from partnercore import __version__

# mypy reads any ``TYPE_CHECKING`` constant as the one from ``typing`` (not imported here).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_DENIED",
    "EXIT_OK",
    "PERMISSIONS",
    "SHELLS",
    "BadInput",
    "build",
    "check_format",
]

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

#: The shells ``partnercore completion`` writes a script for.
SHELLS = ("bash", "zsh")

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


if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[_Parser]


def _terminal_width() -> int:
    """``shutil.get_terminal_size().columns`` without importing shutil (and its
    compression modules): ``$COLUMNS``, else the terminal's width, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs as written; the width found without importing shutil."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        width = _terminal_width() - 2 if width is None else width
        super().__init__(prog, indent_increment, max_help_position, width)


def check_format(args: argparse.Namespace) -> None:
    """``--format``: ``text`` (``table`` is a synonym) or ``json``, normalised in place."""
    given = args.format
    if given not in _FORMAT_SYNONYMS:
        raise BadInput(f"--format: unknown format {given!r}; expected text (or table) or json")
    args.format = _FORMAT_SYNONYMS[given]


# -- shared options -------------------------------------------------------------------------

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


def _command(
    commands: Commands, name: str, help: str, example: str, *, file: bool = True
) -> argparse.ArgumentParser:
    """A command: its help, example and exit statuses, ``--format``/``--json``, and (with
    ``file``) a scenario FILE or ``--db PATH`` to read."""
    sub = commands.add_parser(
        name, help=help, description=help, epilog=_epilog(example), formatter_class=_Formatter
    )
    if file:
        sub.add_argument(
            "file", metavar="FILE", nargs="?", help="a scenario file (TOML), e.g. world.toml"
        )
        sub.add_argument(
            "--db",
            metavar="PATH",
            help="a SQLite store written by 'import', instead of FILE (e.g. --db world.db)",
        )
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
    return sub


def _at(sub: argparse.ArgumentParser, what: str = "when to ask") -> None:
    sub.add_argument(
        "--at",
        default="now",
        metavar="WHEN",
        help=f"{what}: an ISO 8601 datetime with an offset, or 'now' (the default), "
        "e.g. --at 2026-11-20T09:00:00Z",
    )


def _permission(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--permission",
        required=True,
        metavar="PERMISSION",
        help=f"one of {_PERMISSIONS} (e.g. --permission team.edit)",
    )


def _team(sub: argparse.ArgumentParser, what: str = "a team id") -> None:
    sub.add_argument("--team", required=True, help=f"{what}, e.g. --team northwind")


def _user(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--user", required=True, help="a user id, e.g. --user alice")


def _timeout(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--timeout",
        default="30",
        metavar="SECONDS",
        help="how long to wait for another process writing the store (default 30), "
        "e.g. --timeout 5",
    )


def _store(sub: argparse.ArgumentParser, help: str) -> None:
    sub.add_argument("--db", metavar="PATH", required=True, help=help)


# -- the commands ---------------------------------------------------------------------------


def _add_reading(commands: Commands) -> None:
    """``demo``, ``validate``, ``import``: see it work, check a file, store it."""
    demo = _command(
        commands,
        "demo",
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
    _command(
        commands,
        "validate",
        'check a scenario file: every problem, or "ok"',
        "partnercore validate world.toml --format json",
    )
    import_ = _command(
        commands,
        "import",
        "write a scenario file into a SQLite store (all or nothing)",
        "partnercore import world.toml --db world.db",
        file=False,
    )
    import_.add_argument("file", metavar="FILE", help="a scenario file (TOML), e.g. world.toml")
    _store(import_, "the SQLite store to write (a new or empty file), e.g. --db world.db")


def _add_billing(commands: Commands) -> None:
    """``bill``, ``invoices``: what a period charges, and what was finalised."""
    bill = _command(
        commands,
        "bill",
        "every invoice and referral statement of a period, or a table of a range of periods",
        "partnercore bill world.toml --period 2026-01..2026-12",
    )
    bill.add_argument(
        "--period",
        required=True,
        help="YYYY-MM, or a range YYYY-MM..YYYY-MM (e.g. --period 2026-11)",
    )
    invoices = _command(
        commands,
        "invoices",
        "the finalised invoices (numbers, dates, tax, credited, balance) and credit notes",
        "partnercore invoices world.toml --period 2026-10 --format json",
    )
    invoices.add_argument(
        "--period",
        help="only the invoices of YYYY-MM and the credit notes against them, "
        "e.g. --period 2026-10",
    )


def _add_access(commands: Commands) -> None:
    """``check``, ``teams``, ``who``: access decisions and reverse lookups."""
    check = _command(
        commands,
        "check",
        "one access decision with its explanation",
        "partnercore check world.toml --user alice --team northwind --permission team.edit "
        "--at 2026-11-20T09:00:00Z",
    )
    _user(check)
    _team(check)
    _permission(check)
    _at(check)
    teams = _command(
        commands,
        "teams",
        "every team a user can reach with a permission",
        "partnercore teams world.toml --user alice --permission team.view --at now",
    )
    _user(teams)
    _permission(teams)
    _at(teams)
    who = _command(
        commands,
        "who",
        "every user who can reach a team with a permission, and how",
        "partnercore who world.toml --team northwind --permission team.view",
    )
    _team(who)
    _permission(who)
    _at(who)


def _add_licences_and_content(commands: Commands) -> None:
    """``license``, ``library``: a client's licence timeline, a team's content."""
    license = _command(
        commands,
        "license",
        "the licence timeline of a client team",
        "partnercore license world.toml --team bluebird --from 2026-11-01T00:00:00Z",
    )
    _team(license, "a client team id")
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
    library = _command(
        commands,
        "library",
        "the content a team can see, and what it installed",
        "partnercore library world.toml --team northwind --at now",
    )
    _team(library)
    _at(library, "when to look")


def _add_writing(commands: Commands) -> None:
    """``apply``, ``finalise``, ``events``: change a store, and read what it recorded."""
    apply = _command(
        commands,
        "apply",
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
    _store(apply, "the SQLite store to change, e.g. --db world.db")
    _timeout(apply)
    finalise = _command(
        commands,
        "finalise",
        "bill a period and store its invoices, all or nothing (again with the same results: a "
        "no-op)",
        "partnercore finalise --db world.db --period 2026-11 --at now",
        file=False,
    )
    _store(finalise, "the SQLite store, e.g. --db world.db")
    finalise.add_argument("--period", required=True, help="YYYY-MM, e.g. --period 2026-11")
    _at(finalise, "when the invoices are finalised")
    _timeout(finalise)
    events = _command(
        commands,
        "events",
        "the events a store recorded, oldest first",
        "partnercore events --db world.db --since 10 --format json",
    )
    events.add_argument(
        "--since",
        metavar="N",
        help="only the events after revision N (default 0: all), e.g. --since 10",
    )


def _add_completion(commands: Commands) -> None:
    """``completion``: a shell completion script."""
    completion = _command(
        commands,
        "completion",
        "print a shell completion script for bash or zsh (load it from your shell's startup "
        "file; see docs/quickstart.md)",
        "partnercore completion bash > ~/.local/share/bash-completion/completions/partnercore",
        file=False,
    )
    completion.add_argument(
        "shell",
        choices=SHELLS,
        metavar="SHELL",
        help="the shell: bash or zsh, e.g. partnercore completion zsh",
    )


class _Listed:
    """A command that is listed but not run: what its builder adds to it is dropped."""

    def __getattr__(self, name: str) -> object:
        return self._ignore

    def _ignore(self, *args: object, **kwargs: object) -> _Listed:
        return self


class _Chosen:
    """The commands of a parser built for one command: only that one gets its options (the
    others are listed by name and help, which is all ``--help`` and errors show of them)."""

    def __init__(self, commands: Commands, only: str) -> None:
        self._commands = commands
        self._only = only

    def add_parser(self, name: str, **kwargs: object) -> object:
        if name == self._only:
            return self._commands.add_parser(name, **kwargs)  # type: ignore[arg-type]
        self._commands.add_parser(name, help=kwargs.get("help"), add_help=False)  # type: ignore[arg-type]
        return _Listed()


def build(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of the whole command line: ``args.command`` names the command to run.

    ``only``: build the options of that command alone (the others are listed, unbuilt), as
    the command line does to start fast; ``None`` builds every command (completion, tests).
    """
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
        formatter_class=_Formatter,
    )
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"partnercore {__version__}",
        help="print the version and exit (e.g. partnercore -V)",
    )
    every = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # a _Chosen stands in for the subparsers action: it offers the one method the builders call
    commands: Commands = every if only is None else _Chosen(every, only)  # type: ignore[assignment]
    _add_reading(commands)
    _add_billing(commands)
    _add_access(commands)
    _add_licences_and_content(commands)
    _add_writing(commands)
    _add_completion(commands)
    return parser
