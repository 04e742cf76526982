"""The layout of an import file: its sheets and the columns that describe new documents."""

from __future__ import annotations

# Columns of a documents sheet / --documents file; id and language may be left out.
DOC_COLUMNS = ("id", "document", "url", "publisher", "kind", "language", "published", "published_basis")
DOC_OPTIONAL = ("id", "language")
DOC_REQUIRED = tuple(c for c in DOC_COLUMNS if c not in DOC_OPTIONAL)
PUBLISHED_BASIS = ("url", "text", "estimated")
OBSERVATIONS_SHEET = "observations"
DOCUMENTS_SHEET = "documents"
# Optional columns of an import's observations (not stored in observations.csv): ``action`` (empty, ``add`` or
# ``withdraw``) and ``reason`` (why a figure is revised or withdrawn).
IMPORT_EXTRA = ("action", "reason")
