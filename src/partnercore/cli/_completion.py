"""``partnercore completion bash|zsh``: a shell completion script made from the parser.

The script is static: completing a word runs no Python (and so costs nothing), and, being
written from the parser itself, it offers every command and option there is. Values are
completed where they are a closed list (``--format``, ``--permission``, ``--at now``, the
shell) and file names where a file is expected (FILE, CHANGES, ``--db``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import attrs

from partnercore.cli._parser import PERMISSIONS

__all__ = ["script"]

# The closed lists of values an option takes (others: a file, or anything).
_VALUES: dict[str, tuple[str, ...]] = {
    "--format": ("text", "json", "table"),
    "--permission": PERMISSIONS,
    "--at": ("now",),
    "--from": ("now",),
    "--to": ("now",),
}
_FILES = frozenset({"--db"})


@attrs.frozen
class _Option:
    """One option: its spellings, whether it takes a value, its help."""

    names: tuple[str, ...]
    takes_value: bool
    help: str
    metavar: str


@attrs.frozen
class _Command:
    """One command: its name, help, options and positional arguments."""

    name: str
    help: str
    options: tuple[_Option, ...]
    positionals: tuple[argparse.Action, ...]


def _summary(text: str | None) -> str:
    """The help of an option without its example: ``a team id``."""
    text = (text or "").replace("%%", "%")
    for cut in (" (e.g.", ", e.g.", " e.g."):
        text = text.split(cut)[0]
    return text


def _option(action: argparse.Action) -> _Option:
    metavar = action.metavar if isinstance(action.metavar, str) else action.dest
    return _Option(
        names=tuple(action.option_strings),
        takes_value=action.nargs != 0,
        help=_summary(action.help),
        metavar=metavar.lower(),
    )


def _commands(parser: argparse.ArgumentParser) -> list[_Command]:
    subparsers = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    helps = {choice.dest: choice.help or "" for choice in subparsers._choices_actions}
    return [
        _Command(
            name=name,
            help=_summary(helps.get(name)),
            options=tuple(_option(a) for a in sub._actions if a.option_strings),
            positionals=tuple(a for a in sub._actions if not a.option_strings),
        )
        for name, sub in subparsers.choices.items()
    ]


def _top_options(parser: argparse.ArgumentParser) -> list[_Option]:
    return [_option(action) for action in parser._actions if action.option_strings]


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script of ``parser``'s command line for ``shell`` (bash or zsh)."""
    commands = _commands(parser)
    top = _top_options(parser)
    if shell == "zsh":
        return _zsh(parser.prog, top, commands)
    return _bash(parser.prog, top, commands)


# -- bash -----------------------------------------------------------------------------------


def _words(options: Sequence[_Option]) -> str:
    return " ".join(name for option in options for name in option.names)


def _bash_values() -> list[str]:
    lines = [
        f'        {flag}) COMPREPLY=($(compgen -W "{" ".join(values)}" -- "$cur")); return ;;'
        for flag, values in _VALUES.items()
    ]
    lines.append(f"        {'|'.join(sorted(_FILES))}) COMPREPLY=(); return ;;  # file names")
    return lines


def _bash_command(command: _Command) -> str:
    words = [
        " ".join(action.choices)
        for action in command.positionals
        if action.choices is not None and not isinstance(action.choices, dict)
    ]
    valued = [name for option in command.options if option.takes_value for name in option.names]
    argument = f' arguments="{" ".join(words)}";' if words else ""
    return (
        f'        {command.name}) options="{_words(command.options)}";{argument} '
        f'valued="{" ".join(valued)}" ;;'
    )


def _bash(prog: str, top: Sequence[_Option], commands: Sequence[_Command]) -> str:
    function = f"_{prog}"
    names = " ".join(command.name for command in commands)
    return "\n".join(
        [
            f"# bash completion for {prog}: add this line to ~/.bashrc",
            f'#   eval "$({prog} completion bash)"',
            f"{function}() {{",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
            '    local command="" i options arguments="" valued=""',
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        case "${COMP_WORDS[i]}" in',
            "            -*) ;;",
            '            *) command="${COMP_WORDS[i]}"; break ;;',
            "        esac",
            "    done",
            '    case "$prev" in',
            *_bash_values(),
            "    esac",
            '    case "$command" in',
            f'        "") options="{_words(top)}"; arguments="{names}" ;;',
            *(_bash_command(command) for command in commands),
            '        *) options="-h --help" ;;',
            "    esac",
            '    if [[ " $valued " == *" $prev "* ]]; then',
            "        compopt +o default 2>/dev/null; COMPREPLY=()  # a value to type",
            '    elif [[ "$cur" == -* ]]; then',
            '        COMPREPLY=($(compgen -W "$options" -- "$cur"))',
            '    elif [[ -n "$arguments" ]]; then',
            '        COMPREPLY=($(compgen -W "$arguments" -- "$cur"))',
            "    else",
            "        COMPREPLY=()  # a file name, completed by the shell",
            "    fi",
            "}",
            f"complete -o default -F {function} {prog}",
            "",
        ]
    )


# -- zsh ------------------------------------------------------------------------------------


def _quoted(text: str) -> str:
    """``text`` in single quotes for zsh."""
    return "'" + text.replace("'", "'\\''") + "'"


def _bracketed(text: str) -> str:
    """``text`` as the ``[explanation]`` of an ``_arguments`` spec."""
    return "[" + text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]") + "]"


def _zsh_option(option: _Option) -> list[str]:
    explanation = _bracketed(option.help)
    if not option.takes_value:
        action = ""
    elif option.names[0] in _VALUES:
        action = f":{option.metavar}:({' '.join(_VALUES[option.names[0]])})"
    elif option.names[0] in _FILES:
        action = f":{option.metavar}:_files"
    else:
        action = f":{option.metavar}: "
    if len(option.names) == 1:
        return [_quoted(f"{option.names[0]}{explanation}{action}")]
    exclusive = f"({' '.join(option.names)})"
    return [_quoted(f"{exclusive}{name}{explanation}{action}") for name in option.names]


def _zsh_positional(position: int, action: argparse.Action) -> str:
    optional = ":" if action.nargs == "?" else ""
    message = (action.metavar if isinstance(action.metavar, str) else action.dest).lower()
    if action.choices is not None and not isinstance(action.choices, dict):
        completer = f"({' '.join(action.choices)})"
    else:
        completer = "_files"
    return _quoted(f"{position}:{optional}{message}:{completer}")


def _zsh_command(command: _Command) -> list[str]:
    specs = [spec for option in command.options for spec in _zsh_option(option)]
    specs += [_zsh_positional(i, a) for i, a in enumerate(command.positionals, start=1)]
    joined = " \\\n                ".join(specs)
    return [
        f"        ({command.name})",
        f"            _arguments -s \\\n                {joined}",
        "            ;;",
    ]


def _zsh(prog: str, top: Sequence[_Option], commands: Sequence[_Command]) -> str:
    function = f"_{prog}"
    described = [_quoted(f"{command.name}:{command.help}") for command in commands]
    top_specs = [spec for option in top for spec in _zsh_option(option)]
    lines = [
        f"#compdef {prog}",
        f"# zsh completion for {prog}: add this line to ~/.zshrc (after compinit)",
        f'#   eval "$({prog} completion zsh)"',
        f"{function}() {{",
        '    local curcontext="$curcontext" state line',
        "    local -a commands",
        "    commands=(",
        *(f"        {entry}" for entry in described),
        "    )",
        "    _arguments -C \\",
        *(f"        {spec} \\" for spec in top_specs),
        "        '1: :->command' \\",
        "        '*:: :->arguments'",
        "    case $state in",
        f"    (command) _describe -t commands '{prog} command' commands ;;",
        "    (arguments)",
        '        case "${words[1]}" in',
        *(line for command in commands for line in _zsh_command(command)),
        "        esac",
        "        ;;",
        "    esac",
        "}",
        "if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then",
        f'    {function} "$@"',
        "else",
        f"    compdef {function} {prog}",
        "fi",
        "",
    ]
    return "\n".join(lines)
