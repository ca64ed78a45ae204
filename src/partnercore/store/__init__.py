"""The store: the one object a host application gives the library.

A store exposes every repository, an event log (``events``), ``unit_of_work()`` and
``revision()``. :class:`Store` is its protocol; ``partnercore.memory.InMemoryStore`` and
``partnercore.sqlite.SqliteStore`` implement it, and ``partnercore.testing`` holds the
contract suite a host runs against its own.
"""

from partnercore.store._store import Store

__all__ = ["Store"]
