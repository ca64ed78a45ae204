"""The PostgreSQL server the tests (and the executed docs) run against.

``PARTNERCORE_TEST_POSTGRES`` (a conninfo URL) names a running server; ``.ci/run`` starts one
and exports it. Without it, when ``initdb`` is found (on ``PATH`` or in
``/usr/lib/postgresql/*/bin``), a throwaway cluster is created in a temporary folder (as the
``postgres`` user when running as root, since ``initdb`` refuses root), started on a unix
socket in that folder only, and stopped (and removed) when the process ends. Otherwise the
server is unavailable: the PostgreSQL tests skip with the reason, except under ``CI=true``,
where that is a failure.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ENV", "Server", "Unavailable", "ci", "docs_url", "find_binaries", "server_url"]

ENV = "PARTNERCORE_TEST_POSTGRES"


class Unavailable(Exception):
    """No PostgreSQL server can be had; the message says why."""


def ci() -> bool:
    """Whether this runs under CI (``CI=true``), where a missing server is a failure."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _version(path: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path))


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or ``None``."""
    found = shutil.which("initdb")
    if found is not None:
        folder = Path(os.path.realpath(found)).parent
        if (folder / "pg_ctl").exists():
            return folder
        if shutil.which("pg_ctl") is not None:  # pragma: no cover - unusual layouts
            return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True)
    return Path(candidates[0]).parent if candidates else None


class Server:
    """A throwaway PostgreSQL cluster in a temporary folder, reached through a unix socket."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="pc-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self._as: list[str] = []
        self._running = False
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.folder, ignore_errors=True)
                raise Unavailable(
                    "running as root and there is no 'postgres' user to run initdb as"
                ) from None
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}"

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            [*self._as, *command],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=self.folder,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise Unavailable(
                f"{Path(command[0]).name} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-2000:]} {log}".strip()
            )

    def start(self) -> None:
        try:
            self._run(
                str(self.binaries / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            )
            options = (
                f"-k {self.folder} -c listen_addresses='' -c fsync=off"
                " -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
            )
            self._run(
                str(self.binaries / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-o",
                options,
                "-w",
                "-s",
                "start",
            )
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._running = False
            subprocess.run(
                [
                    *self._as,
                    str(self.binaries / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-m",
                    "immediate",
                    "-w",
                    "-s",
                    "stop",
                ],
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


_started: Server | None = None
_failure: str | None = None


def server_url() -> str:
    """The URL of the test server, starting one the first time if needed (:class:`Unavailable`
    when none can be had)."""
    global _started, _failure
    url = os.environ.get(ENV, "").strip()
    if url:
        return url
    if _started is not None:
        return _started.url
    if _failure is not None:
        raise Unavailable(_failure)
    binaries = find_binaries()
    if binaries is None:
        _failure = (
            f"no PostgreSQL server: {ENV} is not set and initdb is not installed "
            "(apt-get install postgresql)"
        )
        raise Unavailable(_failure)
    try:
        server = Server(binaries)
        server.start()
    except Unavailable as error:
        _failure = f"cannot start a throwaway PostgreSQL server: {error}"
        raise Unavailable(_failure) from None
    except (OSError, subprocess.SubprocessError) as error:
        _failure = f"cannot start a throwaway PostgreSQL server: {error}"
        raise Unavailable(_failure) from None
    _started = server
    atexit.register(stop_started)
    return server.url


def stop_started() -> None:
    """Stop the server this process started (if any)."""
    global _started
    if _started is not None:
        server, _started = _started, None
        server.stop()


def docs_url() -> str | None:
    """The test server's URL for an executed doc example; ``None`` (skip it) when there is no
    server, unless under CI, where that raises."""
    try:
        return server_url()
    except Unavailable:
        if ci():
            raise
        return None
