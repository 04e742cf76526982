"""Languages: English (source), Russian and Kazakh.

UI strings are gettext messages: marked ``_("…")`` in the code (``N_("…")`` where a constant is defined at
import time and translated where it is shown), extracted with ``pybabel extract -F babel.cfg`` and translated
in ``dashboard/locale/<lang>/LC_MESSAGES/*.po`` (one file per area of the app; all are merged). Catalogue
titles and definitions are translated in catalogue.yaml itself. Numbers, dates, months and quarters are
formatted by Babel.

The language of the work being done is a context variable set once per request (``with use(lang):``) by the
router and every callback; ``_``, the number formatters, period labels and country names read it, so figure
builders stay pure functions of their data plus the language in force.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("en", "ru", "kk")
DEFAULT = "en"
# Each language's name in itself: what the switch shows.
NAMES = {"en": "English", "ru": "Русский", "kk": "Қазақша"}
SHORT = {"en": "EN", "ru": "RU", "kk": "KK"}
LOCALE_DIR = Path(__file__).with_name("locale")

_current: ContextVar[str] = ContextVar("mtm_lang", default=DEFAULT)


def current() -> str:
    """The language in force for this request ('en', 'ru' or 'kk')."""
    return _current.get()


def valid(lang: object) -> str | None:
    """The language code when ``lang`` names a supported language, else None."""
    return lang if isinstance(lang, str) and lang in LANGUAGES else None


@contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Work in ``lang`` (unknown or None: English) until the block ends."""
    token = _current.set(valid(lang) or DEFAULT)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def activate(lang: str | None) -> str:
    """Switch this request to ``lang`` (unknown or None: English). Every request starts from the browser's
    language (app_factory's before_request hook), so a value never leaks from one request into the next."""
    _current.set(valid(lang) or DEFAULT)
    return _current.get()


def negotiate(accept_language: str | None) -> str:
    """The best supported language for an Accept-Language header; English when nothing matches."""
    if not isinstance(accept_language, str) or not accept_language.strip():
        return DEFAULT
    prefs = []
    for part in accept_language.split(",")[:20]:
        tag, _sep, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            prefs.append((q, tag.strip().replace("_", "-")))
    prefs.sort(key=lambda p: -p[0])  # stable: equal weights keep the browser's order
    return negotiate_locale([t for _q, t in prefs], list(LANGUAGES), sep="-") or DEFAULT


def request_language() -> str:
    """Inside a Flask request: the language the browser asks for (Accept-Language), else English."""
    try:
        from flask import has_request_context, request  # noqa: PLC0415  (the `mtm` commands never need Flask)
    except ImportError:  # pragma: no cover - flask is a dependency
        return DEFAULT
    if not has_request_context():
        return DEFAULT
    return negotiate(request.headers.get("Accept-Language"))


def babel_locale(lang: str | None = None) -> str:
    """The Babel locale for a language (the language code itself)."""
    return valid(lang) or current()


@cache
def catalog(lang: str) -> Catalog:
    """All .po files of a language merged into one Babel catalogue (English: empty)."""
    merged = Catalog(locale=lang, domain="messages")
    for po in sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            part = read_po(fh, locale=lang)
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    return merged


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, catalog(lang))
    buf.seek(0)
    return _gettext.GNUTranslations(buf)


def gettext(message: str) -> str:
    """``message`` in the language in force (the English text when no translation exists)."""
    return translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular/plural by the language's own plural rules (Russian has three forms)."""
    return translations(current()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate where it is shown)."""
    return message


@cache
def _collator():
    # the Unicode Collation Algorithm (DUCET): Ә after А, Қ after К, Ө after О; its table loads on first sort
    from pyuca import Collator  # noqa: PLC0415

    return Collator()


def sort_key(text: str) -> tuple[int, ...]:
    """Alphabetical order for people, not code points: Python's own order puts Kazakh letters (Ә, Қ, Ө, Ү…)
    and Ё after Я; the Unicode Collation Algorithm puts them next to their neighbours."""
    return _collator().sort_key(text)


def language_name(lang: str) -> str:
    return NAMES.get(lang, lang)


def locale_display_name(lang: str) -> str:
    return Locale.parse(lang).get_display_name(current()) or lang
