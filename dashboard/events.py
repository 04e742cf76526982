"""Dated events, series breaks and reference lines (thresholds) drawn on the trends: ``events.yaml``, next to
the catalogue, validated into frozen models.

Every entry names its source (a document of the project, ``document_id`` from documents.yaml, or a page of
the public record) and carries its title and sentence in English, Russian and Kazakh. A bad entry (a date that
is not a date, an end before its start, an unknown indicator or unit, a missing translation, no source) is
refused with its line and id named: at start-up, and by ``mtm build``, which refuses to build.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, HttpUrl, ValidationError, field_validator, model_validator

from dashboard import i18n
from dashboard.catalogue import Catalogue, english_catalogue

EVENTS_PATH = Path(__file__).with_name("events.yaml")
TRANSLATED = tuple(lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT)


class EventsError(ValueError):
    """events.yaml is not valid; the message names the file, the line and the entry."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    title: str
    url: HttpUrl
    document_id: str | None = None  # the project's document (data/sources/documents.yaml), when it is one
    quote: str | None = None  # the words that state the event's date or the threshold's value

    @field_validator("title")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the source needs a title")
        return v


class Text(_Frozen):
    title: str
    text: str


class _Dated(_Frozen):
    """An entry with a day (``date``) or a span (``start`` and ``end``), texts in every language, a source."""

    id: str
    date: dt.date | None = None  # a field named ``date``: the type is spelled dt.date
    start: dt.date | None = None
    end: dt.date | None = None
    source: Source
    translations: dict[str, Text] = {}

    @model_validator(mode="after")
    def _when(self) -> _Dated:
        if (self.date is None) == (self.start is None or self.end is None):
            raise ValueError("give either a date or a start and an end")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"ends ({self.end}) before it starts ({self.start})")
        missing = [lang for lang in TRANSLATED if lang not in self.translations]
        if missing:
            raise ValueError(f"missing translation(s): {', '.join(missing)}")
        unknown = sorted(set(self.translations) - set(TRANSLATED))
        if unknown:
            raise ValueError(f"translations for unknown language(s): {', '.join(unknown)}")
        return self

    @property
    def first(self) -> dt.date:
        return self.date or self.start  # type: ignore[return-value]  # one of them is set (_when)

    @property
    def last(self) -> dt.date:
        return self.date or self.end  # type: ignore[return-value]


class Event(_Dated):
    kind: Literal["event", "break"] = "event"  # break: the series' definition or source changes here
    indicators: tuple[str, ...]
    title: str
    text: str

    def localized(self, lang: str) -> Text:
        """The title and sentence in ``lang`` (English for English)."""
        return self.translations.get(lang) or Text(title=self.title, text=self.text)


class Threshold(_Dated):
    """A reference line: a value a document states for an indicator over a span (e.g. the year's quota)."""

    indicator: str
    unit: str
    value: float
    title: str  # e.g. "Foreign-labour quota 2023"
    text: str  # what the value is, in a sentence

    def localized(self, lang: str) -> Text:
        return self.translations.get(lang) or Text(title=self.title, text=self.text)


class Events(_Frozen):
    events: tuple[Event, ...] = ()
    thresholds: tuple[Threshold, ...] = ()

    def for_indicator(self, indicator: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if indicator in e.indicators)

    def thresholds_for(self, indicator: str, unit: str) -> tuple[Threshold, ...]:
        return tuple(t for t in self.thresholds if t.indicator == indicator and t.unit == unit)


def _lines(text: str) -> dict[str, list[int]]:
    """The line (1-based) of each entry of each list, from the YAML's nodes (for the error messages)."""
    out: dict[str, list[int]] = {}
    root = yaml.compose(text)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(value, yaml.SequenceNode):
                out[str(key.value)] = [item.start_mark.line + 1 for item in value.value]
    return out


def _where(path: Path, section: str, n: int, lines: dict[str, list[int]], entry: object) -> str:
    line = lines.get(section, [])
    at = f" line {line[n]}" if n < len(line) else ""
    ident = entry.get("id") if isinstance(entry, dict) else None
    name = f" ({ident})" if ident else ""
    return f"{path.name}{at}: {section[:-1]} {n + 1}{name}"


def _check_refs(item: Event | Threshold, cat: Catalogue, documents: frozenset[str] | None) -> str | None:
    ids = item.indicators if isinstance(item, Event) else (item.indicator,)
    unknown = [i for i in ids if not cat.has_indicator(i)]
    if unknown:
        return f"unknown indicator(s): {', '.join(unknown)}"
    if isinstance(item, Threshold):
        ind = cat.indicator(item.indicator)
        if item.unit not in ind.units:
            return f"unit {item.unit!r} is not a unit of {item.indicator} ({', '.join(ind.units)})"
    doc = item.source.document_id
    if documents is not None and doc is not None and doc not in documents:
        return f"unknown document_id {doc!r} (not in documents.yaml)"
    return None


def parse_events(
    text: str, path: Path = EVENTS_PATH, cat: Catalogue | None = None, documents: frozenset[str] | None = None
) -> Events:
    """Validate events.yaml's text. ``documents``: the project's document ids (``mtm build`` passes them; the
    app has no documents.yaml with DATA_URL). Raises EventsError naming the line and the entry."""
    cat = cat or english_catalogue()
    try:
        # every scalar as text (BaseLoader): a date that is not one is refused by the model, with its entry,
        # not by the YAML parser for the whole file
        raw = yaml.load(text, Loader=yaml.BaseLoader) or {}
        lines = _lines(text)
    except yaml.YAMLError as exc:  # unbalanced brackets, bad indentation: where the parser says
        raise EventsError(f"{path.name}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict) or set(raw) - {"events", "thresholds"}:
        raise EventsError(f"{path.name}: expected the lists `events:` and `thresholds:` only")
    parsed: dict[str, list] = {"events": [], "thresholds": []}
    seen: set[str] = set()
    for section, model in (("events", Event), ("thresholds", Threshold)):
        entries = raw.get(section) or []
        if not isinstance(entries, list):
            raise EventsError(f"{path.name}: `{section}:` must be a list")
        for n, entry in enumerate(entries):
            where = _where(path, section, n, lines, entry)
            try:
                item = model.model_validate(entry)
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'entry'}: {e['msg']}" for e in exc.errors()
                )
                raise EventsError(f"{where}: {problems}") from None
            problem = _check_refs(item, cat, documents)
            if problem is None and item.id in seen:
                problem = f"the id {item.id!r} is used twice"
            if problem:
                raise EventsError(f"{where}: {problem}")
            seen.add(item.id)
            parsed[section].append(item)
    return Events(events=tuple(parsed["events"]), thresholds=tuple(parsed["thresholds"]))


def load_events(
    path: Path = EVENTS_PATH, cat: Catalogue | None = None, documents: frozenset[str] | None = None
) -> Events:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Events()  # no events declared: nothing to draw
    return parse_events(text, path, cat, documents)


@cache
def events() -> Events:
    """The shipped events, loaded once per process (immutable)."""
    return load_events()
