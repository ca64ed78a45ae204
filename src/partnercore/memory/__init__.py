"""In-memory reference adapters for every port (the store scenarios and tests use)."""

__all__: list[str] = []
