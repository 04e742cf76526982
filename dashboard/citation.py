"""How to cite a view: the same facts as a plain-text reference and a BibTeX entry, in the page's language.

``facts_for`` gathers what a citation names from the data (the indicator, measure, period and countries as the
exported image's caption says them, the source documents with their publishers and dates, the data version and
release); ``plain_text`` and ``bibtex`` only format those facts, so they are pure and tested on their own.
The link of a citation pins the release it shows, so the cited figures can be found again after new imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from dashboard import charts, i18n
from dashboard.data import DataStore
from dashboard.export import caption_for
from dashboard.i18n import _
from dashboard.panel_builders import Panel
from dashboard.state import ExplorerState

BIBTEX_LANGUAGE = {"en": "english", "ru": "russian", "kk": "kazakh"}  # biblatex/babel language names
_BIB_SPECIAL = re.compile(r"([\\{}%&$#_^~])")
_BIB_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
_KEY_CHARS = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class CitedDocument:
    title: str
    publisher: str
    published: date | None
    estimated: bool  # the date is not printed in the document: the earliest it could have appeared


@dataclass(frozen=True)
class CitationFacts:
    indicator_id: str
    title: str  # the indicator, in the page's language
    detail: str  # "measure (unit), period, countries", as the exported image's caption says it
    documents: tuple[CitedDocument, ...]
    data_version: str
    release: int | None
    release_date: date | None
    accessed: date
    url: str
    lang: str
    period_id: str = ""  # for the BibTeX key only


def _day(when: date) -> str:
    lang = i18n.current()
    return format_date(when, "d MMM y" if lang == i18n.DEFAULT else "medium", locale=lang)


def _document(doc: CitedDocument) -> str:
    """'IOM, “Title” (1 Jul 2023, estimated)' in the language in force."""
    title = _("“{title}”").format(title=doc.title)
    if doc.published is None:
        return f"{doc.publisher}, {title}"
    day = _day(doc.published)
    when = _("{date}, estimated").format(date=day) if doc.estimated else day
    return f"{doc.publisher}, {title} ({when})"


def _end(text: str) -> str:
    """A sentence's full stop, unless it ends with one already (Russian dates end in 'г.')."""
    return text if text.endswith(".") else text + "."


def _author() -> str:
    return _("MTM Dashboard · Kazakhstan")


def _year(f: CitationFacts) -> int:
    return (f.release_date or f.accessed).year


def _version(f: CitationFacts) -> str:
    """'data version 1a2b3c, release 2 of 3 Dec 2026'."""
    if f.release is None:
        return _("data version {version}").format(version=f.data_version)
    if f.release_date is None:
        return _("data version {version}, release {n}").format(version=f.data_version, n=f.release)
    return _("data version {version}, release {n} of {date}").format(
        version=f.data_version, n=f.release, date=_day(f.release_date)
    )


def _sources(f: CitationFacts) -> str:
    if not f.documents:
        return _("Sources: none reported")
    return _("Sources: {sources}").format(sources="; ".join(_document(d) for d in f.documents))


def plain_text(f: CitationFacts) -> str:
    """One paragraph: author (year). Title: detail [data set]; version. Sources. Accessed …. URL."""
    with i18n.use(f.lang):
        head = _("{author} ({year}). {title}: {detail} [data set]; {version}").format(
            author=_author(), year=_year(f), title=f.title, detail=f.detail, version=_version(f)
        )
        accessed = _("Accessed {date}").format(date=_day(f.accessed))
        return f"{_end(head)} {_end(_sources(f))} {_end(accessed)} {f.url}"


def bib_escape(text: str) -> str:
    """Text safe inside a BibTeX field: LaTeX's special characters escaped."""
    return _BIB_SPECIAL.sub(lambda m: _BIB_ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def bibtex_key(f: CitationFacts) -> str:
    """ASCII only (BibTeX keys cannot hold Cyrillic): mtm-<indicator>-<period>-r<release>."""
    parts = ["mtm", f.indicator_id, f.period_id, f"r{f.release}" if f.release is not None else ""]
    return "-".join(p for p in (_KEY_CHARS.sub("_", x).strip("_") for x in parts) if p)


def bibtex(f: CitationFacts) -> str:
    """A biblatex ``@dataset`` entry (BibTeX reads it as @misc): every field in the page's language."""
    with i18n.use(f.lang):
        accessed = _("Accessed {date}").format(date=_day(f.accessed))
        fields = [
            ("author", "{" + bib_escape(_author()) + "}"),  # braces: a body, not "Kazakhstan, MTM"
            ("title", bib_escape(f"{f.title}: {f.detail}")),
            ("year", str(_year(f))),
            ("version", bib_escape(_version(f))),
            ("url", f.url),
            ("urldate", f.accessed.isoformat()),
            ("note", bib_escape(f"{_end(_sources(f))} {_end(accessed)}")),
            ("langid", BIBTEX_LANGUAGE.get(f.lang, "english")),
        ]
    width = max(len(k) for k, _v in fields)
    body = ",\n".join(f"  {k.ljust(width)} = {{{v}}}" for k, v in fields)
    return f"@dataset{{{bibtex_key(f)},\n{body}\n}}"


# -- the facts of a view ------------------------------------------------------------------------------------
def documents_of(store: DataStore, source_ids: tuple[str, ...] | list[str]) -> tuple[CitedDocument, ...]:
    """The distinct documents behind some source rows, in order of first appearance."""
    rows = {r["source_id"]: r for r in store.source_rows(list(source_ids)).iter_rows(named=True)}
    seen: dict[str, CitedDocument] = {}
    for sid in source_ids:
        r = rows.get(sid)
        if r is None or r["document_id"] in seen:
            continue
        seen[r["document_id"]] = CitedDocument(
            r["document"], r["publisher"], r["published"], r["published_basis"] == "estimated"
        )
    return tuple(seen.values())


def facts_for(
    store: DataStore, s: ExplorerState, chart: str, panel: Panel, url: str, accessed: date
) -> CitationFacts:
    """What a citation of one chart of a view names (``store``: the data at the state's release; ``url``:
    the view's link, pinned to that release). Words in the language in force."""
    caption = caption_for(s, chart, panel, [], "", "")
    release = store.release
    at = store.release_info(release).at if release is not None else None
    return CitationFacts(
        indicator_id=s.indicator,
        title=caption.title,
        detail=caption.subtitle.replace(" · ", ", "),
        documents=documents_of(store, panel.source_ids),
        data_version=store.version,
        release=release,
        release_date=at.date() if at is not None else None,
        accessed=accessed,
        url=url,
        lang=i18n.current(),
        period_id=_period_id(s, charts.BY_ID[chart].ignores),
    )


def _period_id(s: ExplorerState, ignores: tuple[str, ...]) -> str:
    """The periods a chart shows, for the BibTeX key: its period, its drilled quarter or its range."""
    if "period" not in ignores:
        return s.period
    if "drill" not in ignores and s.drill:
        return s.drill
    return f"{s.first}_{s.last}" if "first" not in ignores else ""
