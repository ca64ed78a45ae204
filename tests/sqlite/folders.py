"""Folders this process may not write, even as root (shared by the store and CLI tests)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest


@contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """``folder`` (and each file in it) cannot be written inside the block.

    Permissions do not stop root: as root the folder is made immutable (``chattr +i``); the
    test is skipped where that is not possible.
    """
    entries = [folder, *folder.iterdir()]
    for entry in entries:
        entry.chmod(0o555 if entry.is_dir() else 0o444)
    immutable = False
    try:
        if os.geteuid() == 0:
            result = subprocess.run(
                ["chattr", "+i", str(folder)], capture_output=True, check=False, timeout=30
            )
            immutable = result.returncode == 0
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            pytest.skip(f"cannot make {folder} read-only for this process")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=False, timeout=30)
        for entry in entries:
            with suppress(OSError):
                entry.chmod(0o755 if entry.is_dir() else 0o644)
