"""What a format reader hands on: a record's text and the metadata its format carries."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import IngestError


@dataclass
class Draft:
    """A record before cleaning. `fields` maps a metadata name to (value, provenance)."""

    text: str
    format: str
    original: bytes
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    markdown: bool = False  # lines starting with '#' are headings


Result = list[Draft | IngestError]
