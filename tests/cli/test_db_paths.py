"""Every command taking ``--db``, on every kind of path and file: one line and status 2, or the
right answer; and the file is never changed by a command that only reads it."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from partnercore.cli import main
from partnercore.sqlite import SCHEMA_VERSION
from tests.sqlite.folders import read_only_folder

DATA = Path(__file__).resolve().parent.parent / "data"
WORLD = DATA / "world.toml"
AT = ("--at", "2026-11-20T09:00:00Z")
ERROR = "partnercore: error: "

# Every command reading a store, with its arguments after --db PATH.
READERS = {
    "validate": (),
    "bill": ("--period", "2026-11"),
    "bill range": ("--period", "2026-10..2026-12", "--format", "json"),
    "check": ("--user", "alice", "--team", "c1", "--permission", "team.edit", *AT),
    "license": ("--team", "c2"),
    "teams": ("--user", "alice", "--permission", "team.view", *AT),
    "who": ("--team", "c1", "--permission", "team.view", *AT),
    "library": ("--team", "c1", *AT),
}
COMMANDS = [*READERS, "import"]


def arguments(command: str, db: str) -> list[str]:
    if command == "import":
        return ["import", str(WORLD), "--db", db]
    return [command.split()[0], "--db", db, *READERS[command]]


def from_file(command: str) -> list[str]:
    return [command.split()[0], str(WORLD), *READERS[command]]


@attrs.frozen
class Kind:
    """A ``--db`` path: how to make it, and what reading and importing it must say.

    ``read`` and ``write`` are the error line expected (``{db}`` stands for the path), or
    ``None`` when the command must succeed (a read answering as from the scenario file).
    """

    make: Callable[[Path, Path], str]
    read: str | None
    write: str | None


@pytest.fixture(scope="module")
def world_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "world.db"
    assert 0 == main(["import", str(WORLD), "--db", str(path)])
    return path


def copy(world: Path, folder: Path, *statements: str) -> str:
    path = folder / "world.db"
    shutil.copyfile(world, path)
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return str(path)


def written(content: bytes) -> Callable[[Path, Path], str]:
    def make(world: Path, folder: Path) -> str:
        path = folder / "world.db"
        path.write_bytes(content)
        return str(path)

    return make


def damaged(world: Path, folder: Path) -> str:
    path = copy(world, folder)
    connection = sqlite3.connect(path)
    (page,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'scenario_source'"
    ).fetchone()
    connection.close()
    with open(path, "r+b") as file:
        file.seek((page - 1) * 4096)
        file.write(b"\x0f" * 4096)
    return path


def foreign(world: Path, folder: Path) -> str:
    path = folder / "world.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE teams (id TEXT, name TEXT)")
    connection.execute("INSERT INTO teams VALUES ('c1', 'theirs')")
    connection.commit()
    connection.close()
    return str(path)


def folder_itself(world: Path, folder: Path) -> str:
    (folder / "world.db").mkdir()
    return str(folder / "world.db")


NOT_PARTNERCORE = "{db}: not a partnercore database: "
REFUSED = "--db: give the path of a database file, not a SQLite URI or in-memory database: "
DAMAGED = "{db}: the database is damaged: "

KINDS = {
    "missing file": Kind(
        lambda world, folder: str(folder / "missing.db"),
        "--db: no such database file: {db}",
        None,
    ),
    "empty file": Kind(written(b""), NOT_PARTNERCORE + "the file is empty", None),
    "text file": Kind(
        written(b"hello " * 1000),
        NOT_PARTNERCORE + "not a SQLite database file",
        NOT_PARTNERCORE + "not a SQLite database file",
    ),
    "another program's database": Kind(
        foreign,
        NOT_PARTNERCORE + "it holds tables of something else (teams)",
        NOT_PARTNERCORE + "it holds tables of something else (teams)",
    ),
    "a table of another shape": Kind(
        lambda world, folder: copy(
            world, folder, "DROP TABLE memberships", "CREATE TABLE memberships (id TEXT)"
        ),
        NOT_PARTNERCORE + "its memberships table has another shape",
        NOT_PARTNERCORE + "its memberships table has another shape",
    ),
    "a damaged page": Kind(
        damaged,
        DAMAGED + "database disk image is malformed",
        DAMAGED + "database disk image is malformed",
    ),
    "a newer schema": Kind(
        lambda world, folder: copy(
            world, folder, "INSERT INTO partnercore_schema (version, description) VALUES (99, '')"
        ),
        f"'{{db}}' has schema version 99, newer than the {SCHEMA_VERSION} this version of "
        "partnercore knows: "
        "upgrade partnercore to open it",
        f"'{{db}}' has schema version 99, newer than the {SCHEMA_VERSION} this version of "
        "partnercore knows: "
        "upgrade partnercore to open it",
    ),
    "an imported world": Kind(
        lambda world, folder: copy(world, folder), None, "{db} already holds a scenario"
    ),
    "a directory": Kind(
        folder_itself,
        "--db: {db} is a directory, not a database file",
        "--db: {db} is a directory, not a database file",
    ),
    "/dev/null": Kind(
        lambda world, folder: "/dev/null",
        "--db: /dev/null is not a regular file",
        "--db: /dev/null is not a regular file",
    ),
    "an empty path": Kind(
        lambda world, folder: "",
        "--db: give the path of a database file (got an empty path)",
        "--db: give the path of a database file (got an empty path)",
    ),
    "a NUL in the name": Kind(
        lambda world, folder: "world\x00.db",
        "--db: not a valid file name: 'world\\x00.db'",
        "--db: not a valid file name: 'world\\x00.db'",
    ),
    ":memory:": Kind(
        lambda world, folder: ":memory:",
        REFUSED + "':memory:' (write ./:memory: for a file of that name)",
        REFUSED + "':memory:' (write ./:memory: for a file of that name)",
    ),
    "a SQLite URI": Kind(
        lambda world, folder: "file:world.db?mode=memory",
        REFUSED + "'file:world.db?mode=memory' (write ./file:world.db?mode=memory for a file "
        "of that name)",
        REFUSED + "'file:world.db?mode=memory' (write ./file:world.db?mode=memory for a file "
        "of that name)",
    ),
}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {path.name: path.read_bytes() if path.is_file() else None for path in folder.iterdir()}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_command_answers_or_says_in_one_line_what_is_wrong_with_the_db(
    kind: str,
    command: str,
    world_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "folder"
    folder.mkdir()
    case = KINDS[kind]
    db = case.make(world_db, folder)
    before = snapshot(folder)

    status = main(arguments(command, db))

    out, err = capsys.readouterr()
    expected = case.write if command == "import" else case.read
    if expected is None:
        assert ("", 0) == (err, status)
        if command != "import":
            main(from_file(command))
            assert (out, "") == capsys.readouterr()
    else:
        assert ("", f"{ERROR}{expected.format(db=db)}\n", 2) == (out, err, status)
    if command != "import" or expected is not None:
        assert before == snapshot(folder)  # not a byte changed, no file left behind
    assert ["folder"] == [path.name for path in tmp_path.iterdir()]


def test_a_record_holding_bad_json_is_reported_by_every_command_reading_it(
    world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = copy(world_db, tmp_path, "UPDATE teams SET record = '{\"id\": '")
    line = f"{ERROR}{db}: the database is damaged: a stored Team record is not valid JSON\n"
    for command in READERS:
        if command == "validate":
            continue
        assert (command, "", line, 2) == (command, *run(arguments(command, db), capsys))


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[str, str, int]:
    status = main(arguments)
    out, err = capsys.readouterr()
    return out, err, status


@pytest.mark.parametrize("command", COMMANDS)
def test_a_store_in_a_read_only_folder_is_read_and_never_written(
    command: str, world_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    db = copy(world_db, folder)
    before = snapshot(folder)

    with read_only_folder(folder):
        out, err, status = run(arguments(command, db), capsys)

    if command == "import":
        assert ("", 2, 1) == (out, status, err.count("\n"))
        assert err.startswith(f"{ERROR}{db}: ")
    else:
        assert (out, err, status) == run(from_file(command), capsys)
    assert before == snapshot(folder)
