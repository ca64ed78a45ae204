"""The test server: found through the environment, or started (and stopped) by the session."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgres import _server
from tests.postgres._server import ENV, Server, Unavailable, docs_url, find_binaries


def test_the_session_server_answers(postgres_url: str) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        row = connection.execute("SELECT current_setting('server_version_num')::int").fetchone()
    assert row is not None
    assert row[0] >= 110000  # the oldest PostgreSQL the store supports (CI runs 15)


def test_a_throwaway_server_starts_on_a_socket_in_its_folder_and_is_gone_once_stopped() -> None:
    binaries = find_binaries()
    if binaries is None:
        if _server.ci():
            pytest.fail("CI=true needs initdb to start a throwaway server", pytrace=False)
        pytest.skip("initdb is not installed")
    server = Server(binaries)
    server.start()
    try:
        with psycopg.connect(server.url, autocommit=True) as connection:
            assert (1,) == connection.execute("SELECT 1").fetchone()
    finally:
        server.stop()
    assert not server.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url, connect_timeout=2)


@pytest.fixture
def nothing_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """No server in the environment, none started, and no initdb to start one."""
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(_server, "_started", None)
    monkeypatch.setattr(_server, "_failure", None)
    monkeypatch.setattr(_server, "find_binaries", lambda: None)


@pytest.mark.usefixtures("nothing_installed")
def test_without_a_server_or_initdb_the_reason_is_given_and_docs_skip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Unavailable, match=f"{ENV} is not set and initdb is not installed"):
        _server.server_url()
    assert docs_url() is None


@pytest.mark.usefixtures("nothing_installed")
def test_without_a_server_under_ci_the_docs_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Unavailable):
        docs_url()


def test_the_environment_variable_names_the_server_to_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV, "postgresql://someone@db.invalid/x")
    assert "postgresql://someone@db.invalid/x" == _server.server_url()
