"""The one line that names a figure's sources: 'Source: A' / 'Sources: A; B; C; and 2 more'.

Two forms, as the pages print them today: the chart footers (distinct titles, 'Source' or 'Sources' by
count, '; and 2 more') and the overview cards (two titles as given, always 'Source', ' and 3 more').
"""

from __future__ import annotations

from collections.abc import Iterable

from dashboard.i18n import _, ngettext


def sources_line(documents: Iterable[str], max_items: int = 3, *, compact: bool = False) -> str:
    """Footer form: 'Source: A' / 'Sources: A; B; C' / 'Sources: A; B; C; and 2 more' ('' when there are
    none). ``compact`` (overview cards, two titles): 'Source: A; B' / 'Source: A; B and 3 more', titles as
    given and 'Source: ' even when there are none."""
    if compact:
        return _compact(list(documents), max_items)
    docs = list(dict.fromkeys(d for d in documents if d))
    if not docs:
        return ""
    shown = docs[: max(max_items, 1)]
    rest = len(docs) - len(shown)
    text = "; ".join(shown)
    if rest:
        text = _("{sources}; and {n} more").format(sources=text, n=rest)
    if len(docs) == 1:
        return _("Source: {sources}").format(sources=text)
    return _("Sources: {sources}").format(sources=text)


def _compact(docs: list[str], max_items: int) -> str:
    text = "; ".join(docs[:max_items])
    if len(docs) > max_items:
        n = len(docs) - max_items
        text = ngettext("{sources} and {n} more", "{sources} and {n} more", n).format(sources=text, n=n)
    return _("Source: {sources}").format(sources=text)
