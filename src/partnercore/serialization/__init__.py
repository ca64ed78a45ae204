"""Serialization: cattrs converters (never global), JSON helpers, errors with paths."""

from partnercore.serialization._converter import (
    configure_converter,
    make_converter,
    structure,
    unstructure,
)
from partnercore.serialization._json import from_json, to_json

__all__ = [
    "configure_converter",
    "from_json",
    "make_converter",
    "structure",
    "to_json",
    "unstructure",
]
