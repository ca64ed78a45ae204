"""``partnercore completion bash|zsh``: a script offering every command and option."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess

import pytest

from partnercore.cli import _parser, main
from partnercore.cli._completion import script

SHELLS = ["bash", "zsh"]


def _commands() -> dict[str, argparse.ArgumentParser]:
    action = next(
        action
        for action in _parser.build()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    return dict(action.choices)


def _completion(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert 0 == main(["completion", shell])
    return capsys.readouterr().out


@pytest.mark.parametrize("shell", SHELLS)
def test_the_script_mentions_every_command_and_every_option(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _completion(shell, capsys)

    missing = [
        f"{name} {option}"
        for name, parser in _commands().items()
        for option in [name, *(o for a in parser._actions for o in a.option_strings)]
        if option not in text
    ]
    assert [] == missing


@pytest.mark.parametrize("shell", SHELLS)
def test_the_script_is_the_one_made_from_the_parser_and_json_carries_it(
    shell: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _completion(shell, capsys)
    assert 0 == main(["completion", shell, "--json"])

    document = json.loads(capsys.readouterr().out)
    assert (script(_parser.build(), shell), text) == (document["script"], document["script"])
    assert shell == document["shell"]


def test_an_unknown_shell_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["completion", "fish"])

    _, err = capsys.readouterr()
    assert (2, 1) == (status, err.count("\n"))
    assert "completion: argument SHELL: invalid choice: 'fish'" in err


BASH_CASES = [
    (["partnercore", "bi"], "bill"),
    (["partnercore", "check", "--perm"], "--permission"),
    (["partnercore", "check", "--permission", "referral.v"], "referral.view"),
    (["partnercore", "bill", "world.toml", "--format", "js"], "json"),
    (["partnercore", "who", "--at", "n"], "now"),
    (["partnercore", "completion", "z"], "zsh"),
    (["partnercore", "--ver"], "--version"),
]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(("words", "offered"), BASH_CASES)
def test_bash_completes_commands_options_and_their_values(
    words: list[str], offered: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _completion("bash", capsys)
    quoted = " ".join(f"'{word}'" for word in words)
    program = (
        f"{text}\nCOMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
        '_partnercore 2>/dev/null; printf "%s\\n" "${COMPREPLY[@]}"'
    )

    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)

    assert [offered] == result.stdout.split()


@pytest.mark.skipif(shutil.which("zsh") is None, reason="needs zsh")
def test_zsh_reads_the_script_and_registers_the_completion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = _completion("zsh", capsys)
    program = (
        f'autoload -Uz compinit && compinit -u -D\n{text}\nprint -r -- "${{_comps[partnercore]}}"'
    )

    result = subprocess.run(
        ["zsh", "-f", "-c", program], capture_output=True, text=True, check=False
    )

    assert ("_partnercore\n", "") == (result.stdout, result.stderr)
