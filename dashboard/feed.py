"""The Atom feed of releases (``/releases.atom``): one entry per release, so people can follow new figures,
revisions and withdrawals in any feed reader, without logging in.

An entry's id is a tag URI naming the release's record hash, so it never changes while the release exists
(and a rewritten history would be new entries); ``updated`` is the release time; the title is
"Release N: note"; the content says its changes in plain text, in the feed's language (``lang=``)."""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from dashboard import i18n
from dashboard import release_text as rt
from dashboard.data import DataStore
from dashboard.i18n import _
from dashboard.releases import Release

MIMETYPE = "application/atom+xml"
FEED_PATH = "/releases.atom"
PAGE_PATH = "/releases"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # a release recorded without a time (never in practice)


def _when(r: Release) -> datetime:
    if r.at is None:
        return EPOCH
    return r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)


def entry_id(r: Release) -> str:
    """``tag:mtm-dashboard.kz,YYYY-MM-DD:release/<sha256 of its record>``: stable for the release's life."""
    return f"tag:mtm-dashboard.kz,{_when(r).date().isoformat()}:release/{r.sha256}"


def atom(store: DataStore, base_url: str, lang: str) -> bytes:
    """The feed, in ``lang``, for a site at ``base_url`` (scheme and host, no trailing slash)."""
    with i18n.use(lang):
        return _atom(store, base_url.rstrip("/"), lang)


def _atom(store: DataStore, base: str, lang: str) -> bytes:
    page = f"{base}{PAGE_PATH}?lang={lang}"
    releases = store.releases()
    fg = FeedGenerator()
    fg.id(f"{base}{FEED_PATH}?lang={lang}")
    fg.title(_("MTM Dashboard · Kazakhstan: releases"))
    fg.subtitle(_("New, revised and withdrawn figures of the Migration Tracking Matrix, release by release."))
    fg.author({"name": _("MTM Dashboard")})
    fg.link(href=page, rel="alternate", type="text/html")
    fg.link(href=f"{base}{FEED_PATH}?lang={lang}", rel="self", type=MIMETYPE)
    fg.language(lang)
    fg.updated(max((_when(r) for r in releases), default=EPOCH))
    for r in releases:  # newest first, as the page lists them
        fe = fg.add_entry(order="append")
        fe.id(entry_id(r))
        fe.title(rt.release_title(r))
        fe.updated(_when(r))
        fe.published(_when(r))
        if r.by:
            fe.author({"name": r.by})
        fe.link(href=f"{page}#release-{r.number}", rel="alternate", type="text/html")
        fe.content(rt.release_text(r), type="text")
    return fg.atom_str(pretty=True)
