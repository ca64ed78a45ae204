"""The ``partnercore`` command line (argparse, standard library only).

Exit status: 0 ok, 1 access denied (``check``), 2 bad input: a bad scenario file, bad
arguments or unknown ids, a refused or conflicting write, a database that cannot be used,
reported as one line on standard error, never a traceback.

The parser is in :mod:`partnercore.cli._parser`, the commands in
:mod:`partnercore.cli._commands` (imported only to run one: ``partnercore --help`` loads
nothing of the library), where they read and write in :mod:`partnercore.cli._stores`.
"""

from __future__ import annotations

import os
import sys

from partnercore.cli._parser import EXIT_BAD_INPUT, BadInput, build, check_format

TYPE_CHECKING = False  # (mypy reads it as typing's; importing typing would slow --help)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

__all__ = ["main"]

# The flag of each argument an error can be about, by the argument's name (the ``path`` of
# a validation problem, the ``kind`` of what was not found).
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
# The options whose value is an id something may be looked up by, and their flags.
_ID_OPTIONS = (("team", "--team"), ("user", "--user"))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``partnercore`` command line with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 ok, 1 denied (``check``), 2 bad input.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        # --help and --version leave here (SystemExit) having imported nothing of the library.
        # the command is the first word that is not an option: only its options are built
        chosen = next((word for word in arguments if not word.startswith("-")), "")
        args = build(chosen).parse_args(arguments)
        check_format(args)
    except BadInput as error:
        _error(str(error))
        return EXIT_BAD_INPUT
    from partnercore.cli._commands import COMMANDS

    try:
        text, status = COMMANDS[args.command](args)
    except _expected_errors() as error:
        _report(error, args)
        return EXIT_BAD_INPUT
    except Exception as error:  # a defect: still one line, never a traceback
        _error(f"internal error ({type(error).__name__}: {error}); please report it")
        return EXIT_BAD_INPUT
    _print(text)
    return status


def _error(message: str) -> None:
    """``message`` as the one line on standard error."""
    print(f"partnercore: error: {_one_line(message)}", file=sys.stderr)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def _expected_errors() -> tuple[type[Exception], ...]:
    """The errors reported as bad input (imported only once an error happens)."""
    from partnercore._errors import PartnercoreError

    return (BadInput, PartnercoreError, OSError)


def _report(error: Exception, args: argparse.Namespace) -> None:
    """An expected error as one line (and, for ``validate``, every problem on standard
    output first)."""
    command: str = args.command
    file: str | None = getattr(args, "file", None) or getattr(args, "db", None)
    report = None
    if command == "validate" and file is not None:
        report = _validate_report(error, file, args.format)
    if report is not None:
        _print(report[0])
        _error(report[1])
        return
    _error(_describe(_by_flag(error), file, command, args))


def _describe(error: Exception, file: str | None, command: str, args: argparse.Namespace) -> str:
    """One line naming what was wrong and where."""
    from partnercore._errors import ConflictError, NotFoundError, StoreError, ValidationError

    if isinstance(error, BadInput | StoreError | ConflictError):
        return str(error)  # (store errors and conflicts name their file)
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        return f"{file}: cannot read the scenario file: {reason}"
    if isinstance(error, NotFoundError):
        flag = _flag_of(error, args)
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


def _flag_of(error: Exception, args: argparse.Namespace) -> str:
    """The option that named what was not found: by the kind of thing (``team``), else by
    which option held the id that is missing; ``""`` when no option did (an id inside the
    file). Robust to a kind written as words (``"content item"``) rather than a name."""
    kind = str(getattr(error, "kind", ""))
    if kind in _FLAGS:
        return _FLAGS[kind]
    missing = getattr(error, "id", None)
    held = [(name, flag) for name, flag in _ID_OPTIONS if getattr(args, name, None) == missing]
    if len(held) > 1:  # the same id given to --team and --user: the kind says which
        held = [(name, flag) for name, flag in held if name in kind.split()]
    return held[0][1] if len(held) == 1 else ""


def _validate_report(error: Exception, file: str, format: str) -> tuple[str, str] | None:
    """``validate`` of an invalid file: every problem (standard output), and a summary line
    for standard error that repeats none of them; ``None`` for any other error."""
    from partnercore._errors import ValidationError
    from partnercore.cli._commands import json_text, validate_document

    if not isinstance(error, ValidationError):
        return None
    problems = error.problems
    if format == "json":
        report = json_text(validate_document(file, problems))
    else:
        report = "\n".join(f"{file}: {problem}" for problem in problems)
    noun = "problem" if len(problems) == 1 else "problems"
    where = "above" if format == "text" else "in the JSON document"
    return report, f"{file}: not valid: {len(problems)} {noun} (listed {where})"


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
