"""The ``partnercore`` command line: ``main(argv)`` returns the exit status."""

from partnercore.cli._main import main

__all__ = ["main"]
