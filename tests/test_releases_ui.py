"""How the dashboard shows releases: the "What's new" page, the Atom feed, ``release=N`` on every page, and
the marks of revised and withdrawn figures in the explorer's table, downloads, chart hover texts, exported
images and the briefing.

Built on a copy of data/ with one revision (release 3: trp_issued 2023-Q2 total 308,710 -> 308,800) and one
withdrawal (release 4: Uzbekistan's 68.8 % share of it), made by tests/release_data.py. One browser test."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import feedparser
import pytest
from dash.development.base_component import Component

from dashboard import downloads, export, feed, i18n, panels
from dashboard import release_text as rt
from dashboard.app_factory import create_app
from dashboard.briefing import build_briefing
from dashboard.data import DataStore
from dashboard.ids import Ids
from dashboard.panel_builders import series_panel
from dashboard.state import (
    file_stem,
    from_store,
    parse_query,
    parse_release,
    to_store,
    transition,
    view_store,
)
from dashboard.views import shown_rows, withdrawn_rows
from layouts import releases
from layouts.tables import figures_table, withdrawn_notes
from tests.browser import gunicorn, watch
from tests.dash_requests import table_request
from tests.release_data import (
    NEW_VALUE,
    OLD_VALUE,
    REVISION_REASON,
    WITHDRAWAL_REASON,
    make_release_data,
)

VIEW = "?indicator=trp_issued&measure=count&unit=permits&period=2023-Q2"


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    return make_release_data(tmp_path_factory.mktemp("releases-ui") / "data")


@pytest.fixture(scope="module")
def store(paths) -> DataStore:
    return DataStore.load(paths.parquet)


@pytest.fixture(scope="module")
def client(paths):
    os.environ.setdefault("MTM_WARM", "0")
    return create_app(paths.parquet).server.test_client()


def text_of(component) -> str:
    """Every string in a component tree, joined by spaces."""
    out: list[str] = []

    def walk(c):
        if isinstance(c, str | int | float):
            out.append(str(c))
        elif isinstance(c, Component):
            walk(getattr(c, "children", None))
        elif isinstance(c, list | tuple):
            for x in c:
                walk(x)

    walk(component)
    return " ".join(out)


def find_all(component, cls) -> list:
    found = []

    def walk(c):
        if isinstance(c, cls):
            found.append(c)
        if isinstance(c, Component):
            walk(getattr(c, "children", None))
        elif isinstance(c, list | tuple):
            for x in c:
                walk(x)

    walk(component)
    return found


def route(client, path: str, search: str) -> str:
    """The router's answer (page, header, footer) as JSON text, as a browser's callback request gets it."""
    return route_json(client, path, search).__repr__()


def route_json(client, path: str, search: str) -> dict:
    """The router's answer (page, header, footer), parsed."""
    body = {
        "output": "..page.children...site-header.children...site-footer.children..",
        "outputs": [
            {"id": "page", "property": "children"},
            {"id": "site-header", "property": "children"},
            {"id": "site-footer", "property": "children"},
        ],
        "inputs": [{"id": "url", "property": "pathname", "value": path}],
        "changedPropIds": [],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return json.loads(r.get_data(as_text=True))


# -- release= parsing ------------------------------------------------------------------------------------


def test_release_in_a_link_is_kept_in_the_state_and_the_url(store):
    s = parse_query(VIEW + "&release=1", store)
    assert s.release == 1 and not s.notices
    assert "release=1" in s.to_query() and parse_query(s.to_query(), store) == s
    assert from_store(to_store(s), store) == s
    assert parse_query(VIEW, store).release is None and "release" not in parse_query(VIEW, store).to_query()
    # a control change keeps the release
    moved = transition(s, Ids.PERIOD, "quarter|2023-Q1", store)
    assert moved.release == 1


@pytest.mark.parametrize("bad", ["0", "99", "abc", "-1", "1.5", "", " ", "1e2", "١"])
def test_a_bad_release_gives_the_latest_data_and_a_clear_notice(store, bad):
    s = parse_query(VIEW + "&release=" + bad, store)
    assert s.release is None
    if bad:
        assert any(f"releases are 1 to {store.latest_release}" in n for n in s.notices), s.notices
    assert parse_release(bad, store)[0] is None


def test_a_hand_crafted_stored_release_gets_the_default_view(store):
    data = to_store(parse_query(VIEW + "&release=1", store))
    assert from_store({**data, "release": "1"}, store).indicator == "trp_issued"
    assert from_store({**data, "release": "1"}, store).release is None  # not an int: the default view
    assert from_store({**data, "release": 99}, store).release is None


def test_release_names_the_files_made_from_a_view(store):
    assert file_stem(parse_query(VIEW + "&release=1", store)) == "mtm-trp_issued-2023-Q2-r1"
    assert file_stem(parse_query(VIEW, store)) == "mtm-trp_issued-2023-Q2"


# -- the data as it was: the one store a view reads -------------------------------------------------------


def total_row(rows):
    return next(
        r for r in rows.iter_rows(named=True) if r["country_iso3"] == "TOT" and r["period"] == "2023-Q2"
    )


def test_the_view_store_shows_the_figure_as_it_was(store):
    then = parse_query(VIEW + "&release=1", store)
    now = parse_query(VIEW, store)
    assert total_row(shown_rows(view_store(store, then.release), then))["value"] == OLD_VALUE
    row = total_row(shown_rows(view_store(store, now.release), now))
    assert (row["value"], row["previous_value"], row["revised_in"]) == (NEW_VALUE, OLD_VALUE, 3)
    # every cache key differs: panels are remembered per store and per query
    with i18n.use("en"):
        old = panels.drawn(view_store(store, 1), "series", then).figure
        new = panels.drawn(store, "series", now).figure
    assert OLD_VALUE in old["data"][0]["y"] and NEW_VALUE in new["data"][0]["y"]


# -- revision and withdrawal marks --------------------------------------------------------------------------


def test_the_figures_table_marks_the_revision_and_lists_the_withdrawal(store):
    s = parse_query(VIEW, store)
    with i18n.use("en"):
        table = text_of(figures_table(shown_rows(store, s), store.sources))
        notes = text_of(withdrawn_notes(withdrawn_rows(store, s)))
    assert f"revised in release 3, was 308,710: {REVISION_REASON}" in table
    assert notes.startswith("Withdrawn figures")
    assert "Withdrawn in release 4: Temporary residence permits · Q2 2023 · Uzbekistan" in notes
    assert f"(was 68.8%): {WITHDRAWAL_REASON}" in notes
    # as at release 1: nothing revised, nothing withdrawn
    then = parse_query(VIEW + "&release=1", store)
    old = view_store(store, 1)
    with i18n.use("en"):
        assert "revised in release" not in text_of(figures_table(shown_rows(old, then), old.sources))
    assert withdrawn_notes(withdrawn_rows(old, then)) is None


def test_the_csv_carries_the_revision_and_the_withdrawn_figure(store):
    s = parse_query(VIEW, store)
    frame = downloads.download_frame(
        shown_rows(store, s), store, s.indicator, withdrawn=withdrawn_rows(store, s)
    )
    with i18n.use("en"):
        rows = list(csv.DictReader(io.StringIO(downloads.to_csv(frame))))
        xlsx = downloads.to_xlsx(frame, store, s.indicator)
    assert list(rows[0])[-3:] == ["previous_value", "revision_reason", "revised_in"]
    total = next(r for r in rows if r["country_iso3"] == "TOT" and r["period"] == "2023-Q2")
    assert (total["value"], total["previous_value"], total["revision_reason"], total["revised_in"]) == (
        "308800.0",
        "308710.0",
        REVISION_REASON,
        "3",
    )
    (gone,) = [r for r in rows if r["status"] == "withdrawn"]
    assert (gone["country_iso3"], gone["measure"], gone["value"], gone["previous_value"]) == (
        "UZB",
        "share_pct",
        "",
        "68.8",
    )
    assert (gone["revision_reason"], gone["revised_in"]) == (WITHDRAWAL_REASON, "4")
    assert gone["source_quote"] == "nationals of Uzbekistan (68.8%)"
    assert xlsx[:2] == b"PK"
    # Russian headers for the new columns
    with i18n.use("ru"):
        header = downloads.to_csv(frame).splitlines()[0].split(",")
    assert header[-3:] == ["Прежнее значение", "Причина уточнения", "Выпуск уточнения"]


def test_hover_text_and_exported_image_say_the_figure_was_revised(store):
    s = parse_query(VIEW, store)
    with i18n.use("en"):
        panel = series_panel(store, s)
        hover = " ".join(
            t
            for tr in panel.figure.to_plotly_json()["data"]
            for t in (tr.get("text") or [])
            if isinstance(t, str)
        )
        caption = export.caption_for(s, "series", panel, [], "", "", "")
    assert "revised in release 3, was 308,710" in hover
    assert any(n.startswith("Revised: ") and REVISION_REASON in n for n in caption.notes)
    then = parse_query(VIEW + "&release=1", store)
    with i18n.use("en"):
        old = series_panel(view_store(store, 1), then)
        note = export.release_caption(1, store.release_info(1).at, store.latest_release)
        caption = export.caption_for(then, "series", old, [], "", "", note)
    assert not old.revised
    assert (
        caption.notes[0].startswith("The data as it was at release 1 (")
        and "not the latest" in caption.notes[0]
    )
    assert export.release_caption(None, None, 4) == "" and export.release_caption(4, None, 4) == ""


def test_the_briefing_notes_the_revision(store):
    with i18n.use("en"):
        b = build_briefing(store, "2023-Q2")
        b1 = build_briefing(store.at_release(1), "2023-Q2")
    notes = [
        n
        for sec in b.sections
        for row in sec.rows
        for n in row.notes
        if row.facts.indicator.id == "trp_issued"
    ]
    assert f"revised in release 3, was 308,710: {REVISION_REASON}" in notes
    assert not any("revised in release" in n for sec in b1.sections for row in sec.rows for n in row.notes)


# -- the "What's new" page -----------------------------------------------------------------------------------


def test_the_releases_page_lists_every_release_newest_first_with_its_changes(store):
    with i18n.use("en"):
        page = releases.layout(store)
    sections = find_all(page, __import__("dash").html.Section)
    titles = [text_of(s.children[0]) for s in sections]
    assert [t.split(":")[0] for t in titles] == ["Release 4", "Release 3", "Release 2", "Release 1"]
    r4, r3, r2, _r1 = (text_of(s) for s in sections)
    assert "0 figures added, 0 revised, 1 withdrawn" in r4
    assert "Temporary residence permits · Q2 2023 · Uzbekistan · Share of total" in r4
    assert "68.8%" in r4 and WITHDRAWAL_REASON in r4
    assert "308,710" in r3 and "308,800" in r3 and REVISION_REASON in r3 and "tester" in r3
    assert "IOM MTM Kazakhstan Quarterly Report Q2 2023" in r3
    assert "123 figures added, 0 revised, 0 withdrawn" in r2
    # the added figures in brief: one row per indicator, not one per figure
    added_rows = find_all(sections[2], __import__("dash").html.Tr)
    assert 3 <= len(added_rows) <= 1 + 15
    assert "sha256 " in r2 and "observations.csv" in r2
    # tables have column headers; each release links to the data as it was then
    assert all(th.scope == "col" for th in find_all(page, __import__("dash").html.Th))
    links = [a.href for a in find_all(page, __import__("dash").dcc.Link)]
    assert "/?release=1&lang=en" in links and "/explore?release=3&lang=en" in links
    assert "This is the latest release." in r4
    assert any(a.href == "/releases.atom?lang=en" for a in find_all(page, __import__("dash").html.A))


def test_the_releases_page_in_russian_and_kazakh(store):
    for lang, words in (
        ("ru", ("Что нового", "Выпуск 4", "Отозвано")),
        ("kk", ("Не жаңалық", "4-шығарылым")),
    ):
        with i18n.use(lang):
            text = text_of(releases.layout(store))
        assert all(w in text for w in words), (lang, text[:300])


def test_every_page_takes_release_and_says_so(client, store):
    for path in ("/", "/explore", "/country/UZB", "/briefing", "/releases"):
        body = route(client, path, "?release=1&lang=en")
        assert "Showing the data as it was at release 1 (" in body, path
        assert "See the latest." in body
        latest = route(client, path, "?release=4&lang=en")
        assert "Showing the data as it was" not in latest, path
        for bad in ("0", "99", "abc", "%FF", "1&release=x"):
            body = route(client, path, f"?release={bad}&lang=en")
            assert "There is no release" in body and "releases are 1 to 4" in body, (path, bad)
    assert "What's new" in route(client, "/", "?lang=en")  # the header's link
    assert "Выпуска 'abc' нет" in route(client, "/", "?release=abc&lang=ru")


def test_the_table_callback_draws_the_release_of_the_state(client, store):
    state = to_store(parse_query(VIEW + "&release=1", store))
    body = table_request(state)
    old = client.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert "308,710" in old and "revised in release" not in old
    body["state"][0]["value"] = to_store(parse_query(VIEW, store))
    new = client.post("/_dash-update-component", json=body).get_data(as_text=True)
    assert "308,800" in new and "revised in release 3" in new and "Withdrawn in release 4" in new


# -- the Atom feed -------------------------------------------------------------------------------------------


def test_the_atom_feed_is_valid_with_one_entry_per_release(client, store):
    r = client.get("/releases.atom?lang=en")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    parsed = feedparser.parse(r.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == "MTM Dashboard · Kazakhstan: releases"
    assert any(
        link.rel == "self" and link.href.endswith("/releases.atom?lang=en") for link in parsed.feed.links
    )
    titles = [e.title for e in parsed.entries]
    assert titles[:2] == ["Release 4: retraction", "Release 3: correction"] and len(titles) == 4
    e3 = parsed.entries[1]
    assert e3.id == feed.entry_id(store.release_info(3)) and store.release_info(3).sha256 in e3.id
    assert e3.updated_parsed[:5] == (2026, 12, 10, 9, 30)
    assert e3.link.endswith("/releases?lang=en#release-3")
    assert "308,710 → 308,800" in e3.content[0].value and REVISION_REASON in e3.content[0].value
    # ids are stable: the same feed twice gives the same ids
    again = feedparser.parse(client.get("/releases.atom?lang=en").data)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]


def test_the_atom_feed_honours_lang(client):
    parsed = feedparser.parse(client.get("/releases.atom?lang=ru").data)
    assert not parsed.bozo and parsed.feed.language == "ru"
    assert parsed.entries[0].title == "Выпуск 4: retraction"
    assert "Отозвано" in parsed.entries[0].content[0].value


def test_the_index_page_links_the_feed(client):
    html_text = client.get("/?lang=kk").get_data(as_text=True)
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml" [^>]*href="/releases.atom\?lang=kk"', html_text
    )


# -- one browser test: /releases and the explorer at release 1 ---------------------------------------------


@pytest.mark.browser
def test_browser_releases_page_and_explorer_at_release_1(browser, paths, tmp_path):
    shots = os.environ.get("MTM_SCREENSHOTS")  # a directory to keep the screenshots in (optional)
    with gunicorn(workers=1, env={"MTM_DATA_DIR": str(paths.parquet)}) as base:
        for width in (1280, 320):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            page.set_default_timeout(20000)
            page.watch = watch(page)
            page.goto(base + "/releases?lang=en")
            page.wait_for_selector("section.release")
            assert page.locator("h1").inner_text() == "What's new"
            headings = page.locator("section.release h2").all_inner_texts()
            assert [h.split(":")[0] for h in headings] == ["Release 4", "Release 3", "Release 2", "Release 1"]
            assert REVISION_REASON in page.inner_text("#page")
            # nothing wider than the screen but the scrolling tables' own regions
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (width, overflow)
            if shots:
                page.screenshot(path=f"{shots}/releases-{width}.png", full_page=True)

            page.goto(base + "/explore" + VIEW + "&release=1&lang=en")
            page.wait_for_selector("#table table")
            page.wait_for_function(
                "() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0"
            )
            banner = page.inner_text(".release-banner")
            assert "Showing the data as it was at release 1 (3 Dec 2026)" in banner
            assert "308,710" in page.inner_text("#table") and "revised in release" not in page.inner_text(
                "#table"
            )
            assert "release=1" in page.url
            if shots:
                page.screenshot(path=f"{shots}/explore-release-1-{width}.png", full_page=True)
            page.click(".release-banner a")
            page.wait_for_function("() => !location.search.includes('release=')")
            page.wait_for_selector("#table table")
            page.wait_for_function("() => document.querySelector('#table').innerText.includes('308,800')")
            assert "revised in release 3" in page.inner_text("#table")
            assert page.watch.console_errors == [] and page.watch.external_requests == []
            context.close()


def test_links_of_a_page_at_an_earlier_release_stay_at_that_release(client):
    # the overview at release 1: its header, cards and other links carry release=1, except "See the latest"
    hrefs = _hrefs(route_json(client, "/", "?release=1&lang=en"))
    internal = [h for h in hrefs if h.startswith("/") and not h.startswith("/assets")]
    assert internal, "the overview has links"
    latest = [h for h in internal if "release=" not in h]
    assert all("release=1" in h for h in internal if h not in latest), internal
    assert len(latest) == 1  # "See the latest." only
    # the next request, with no release, is at the latest again (nothing leaks between requests)
    assert not [h for h in _hrefs(route_json(client, "/", "?lang=en")) if "release=" in h]


def _hrefs(node) -> list[str]:
    """Every href in a Dash JSON answer."""
    if isinstance(node, dict):
        found = [node["href"]] if isinstance(node.get("href"), str) else []
        return found + [h for v in node.values() for h in _hrefs(v)]
    if isinstance(node, list):
        return [h for v in node for h in _hrefs(v)]
    return []


def test_the_initial_builds_note_is_shown_in_the_readers_language_and_typed_notes_as_typed(store):
    titles = {}
    for lang in ("en", "ru", "kk"):
        with i18n.use(lang):
            titles[lang] = [rt.release_title(r) for r in store.releases()]
    first = {lang: t[-1] for lang, t in titles.items()}  # newest first: release 1 is last
    assert first["en"] == "Release 1: initial build"
    assert first["ru"] != first["en"] and first["kk"] != first["en"]
    assert "initial build" not in first["ru"] and "initial build" not in first["kk"]
    assert titles["ru"][0] == "Выпуск 4: retraction"  # a note typed at import is shown as it was typed
