"""Embeds and citations (issue 15, part 3), without a browser: the citation text in three languages with the
shipped data's real values, the /embed/<chart> pages, the oEmbed endpoint and the framing headers per path.

Real values, worked out by hand from data/sources/observations.csv and documents.yaml: trp_issued in
2023-Q2 comes from the "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)" (publisher IOM, date
not printed: estimated 2023-07-01); the total is 308,710 permits and Uzbekistan's share 68.8 %, so the map
shows Uzbekistan's count derived as 308,710 x 68.8 % = 212,392.
"""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from dashboard import charts, citation, embed, i18n, panels
from dashboard.app_factory import create_app
from dashboard.catalogue import catalogue
from dashboard.data import get_store
from dashboard.security import ConfigError
from dashboard.state import parse_query, view_store

VIEW = "indicator=trp_issued&period=2023-Q2"
# the compare mode's charts: a view whose two periods list the same countries (trp_issued's 2023-Q1 has none)
COMPARE_VIEW = "indicator=foreign_workers_permit_holders&period=2025-12-01&vs=2025-10-01&mode=compare"
DOCUMENT = "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"
ACCESSED = date(2026, 12, 5)  # any day: the citation says the day it is given


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def store():
    return get_store()


def _facts(store, lang: str, chart: str = "map", query: str = VIEW):
    with i18n.use(lang):
        s = parse_query(f"?{query}&lang={lang}", store)
        shown = view_store(store, s.release)
        url = embed.explore_url("https://stats.example.kz/", s.with_(release=shown.release))
        panel = panels.BUILDERS[chart](shown, s)
        return citation.facts_for(shown, s, chart, panel, url, ACCESSED)


# -- citation -----------------------------------------------------------------------------------------------
def test_citation_names_indicator_measure_period_documents_release_access_date_and_url(store):
    f = _facts(store, "en")
    text = citation.plain_text(f)
    release = store.latest_release
    assert text.startswith("MTM Dashboard · Kazakhstan (")
    assert "Temporary residence permits issued: Count (permits), Q2 2023, all countries [data set]" in text
    assert f"data version {store.version}, release {release} of " in text
    assert f"Sources: IOM, “{DOCUMENT}” (1 Jul 2023, estimated)." in text
    assert "Accessed 5 Dec 2026." in text
    # the link pins the release it cites, so the figures can be found again after new imports
    assert text.endswith(
        "https://stats.example.kz/explore?indicator=trp_issued&measure=count&unit=permits&period=2023-Q2"
        f"&from={f.url.split('from=')[1].split('&')[0]}&to={f.url.split('to=')[1].split('&')[0]}"
        f"&release={release}&lang=en"
    )
    assert ".." not in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("ru", ("Дашборд MTM · Казахстан", "[набор данных]", "выпуск {n} от", "1 июл. 2023 г., оценочно",
                "Дата обращения: 5 дек. 2026 г.", "«" + DOCUMENT + "»", "2-й кв. 2023", "все страны")),
        ("kk", ("MTM дашборды · Қазақстан", "[деректер жиыны]", "{n}-шығарылым", "шамамен",
                "Қаралған күні:", "«" + DOCUMENT + "»", "ІІ тқс. 2023", "барлық елдер")),
    ],
)  # fmt: skip
def test_citation_speaks_the_pages_language(store, lang, words):
    f = _facts(store, lang)
    text = citation.plain_text(f).replace("\u202f", " ")  # Babel's dates hold narrow no-break spaces
    with i18n.use(lang):
        title = catalogue().indicator("trp_issued").title
    assert title in text and title != _facts(store, "en").title
    for w in words:
        assert w.format(n=store.latest_release) in text, (w, text)
    assert f"lang={lang}" in text and ".." not in text  # 'г.' closes a Russian date: no second full stop
    bib = citation.bibtex(f)
    assert title in bib and re.search(rf"langid\s+= \{{{citation.BIBTEX_LANGUAGE[lang]}\}}", bib)


def test_bibtex_entry_is_well_formed(store):
    f = _facts(store, "ru")
    bib = citation.bibtex(f)
    assert bib.startswith(f"@dataset{{mtm-trp_issued-2023_Q2-r{store.latest_release},\n")
    assert re.fullmatch(r"[A-Za-z0-9_-]+", citation.bibtex_key(f))  # keys cannot hold Cyrillic
    depth = 0
    for ch in bib.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    fields = dict(re.findall(r"^  (\w+)\s+= \{(.*)\},?$", bib, re.M))
    assert set(fields) >= {"author", "title", "year", "version", "url", "urldate", "note", "langid"}
    assert fields["urldate"] == "2026-12-05" and fields["url"] == f.url
    assert fields["author"] == "{Дашборд MTM · Казахстан}"  # a body as author: never "Казахстан, Дашборд"
    assert store.version in fields["version"] and DOCUMENT in fields["note"]


def test_bibtex_escapes_latex_specials():
    assert citation.bib_escape("50% & R_1 #2 {x} $ ~ ^ \\") == (
        r"50\% \& R\_1 \#2 \{x\} \$ \~{} \^{} \textbackslash{}"
    )


def test_a_trend_citation_names_its_range_and_countries(store):
    f = _facts(store, "en", "series", "indicator=trp_issued&countries=UZB,RUS")
    text = citation.plain_text(f)
    s = parse_query("?indicator=trp_issued", store)
    assert f"{s.first}_{s.last}".replace("-", "_") in citation.bibtex_key(f)
    assert "Uzbekistan, Russian Federation" in text and DOCUMENT in text


def test_a_view_without_documents_says_so():
    f = citation.CitationFacts("x", "T", "D", (), "v", None, None, ACCESSED, "u", "en")
    assert "Sources: none reported." in citation.plain_text(f)
    assert "data version v;" not in citation.plain_text(f) and "data version v." in citation.plain_text(f)


# -- embed pages --------------------------------------------------------------------------------------------
class _Scripts(HTMLParser):
    """Every src/href the page loads, and the figure JSON."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.spec = ""
        self._in_spec = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("rel") == "stylesheet":
            self.loads.append(a["href"])
        self._in_spec = tag == "script" and a.get("id") == "chart-spec"

    def handle_data(self, data):
        if self._in_spec:
            self.spec += data

    def handle_endtag(self, tag):
        self._in_spec = False


def _page(client, path: str):
    r = client.get(path)
    parsed = _Scripts()
    parsed.feed(r.data.decode())
    return r, parsed


@pytest.mark.parametrize("chart", charts.IDS)
def test_every_chart_kind_has_an_embed_page(client, store, chart):
    view = COMPARE_VIEW if charts.BY_ID[chart].mode == "compare" else VIEW
    r, parsed = _page(client, f"/embed/{chart}?{view}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    body = r.data.decode()
    assert 'id="site-header"' not in body and "react-entry-point" not in body  # no header, no controls
    assert all(not src.startswith(("http:", "https:", "//")) for src in parsed.loads), parsed.loads
    assert "/assets/vendor/plotly-mtm.min.js" in parsed.loads  # the explorer's offline bundle
    spec = json.loads(parsed.spec)
    assert spec["config"]["topojsonURL"] == "/assets/topojson/" and spec["config"]["responsive"] is True
    assert spec["figure"]["data"], "the chart's traces are in the page"
    indicator = parse_qs(view)["indicator"][0]
    assert f"<h1>{catalogue().indicator(indicator).title}</h1>" in body
    full = re.search(r'<a href="([^"]+)"[^>]*>Full view', body)
    assert full and full.group(1).replace("&amp;", "&").startswith(f"/explore?indicator={indicator}&")


def test_the_map_embed_shows_the_derived_values_and_their_source(client):
    body = client.get(f"/embed/map?{VIEW}").data.decode()
    assert f"Source: {DOCUMENT}" in body
    assert "Uzbekistan 212,392 permits" in body  # the text alternative: 308,710 x 68.8 %, derived
    assert "Some values are derived" in body  # the derived mark


def test_embed_honours_lang_and_release(client, store):
    body = client.get(f"/embed/donut?{VIEW}&lang=kk").data.decode()
    assert '<html lang="kk">' in body
    with i18n.use("kk"):
        assert f"<h1>{catalogue().indicator('trp_issued').title}</h1>" in body
    first = min(r.number for r in store.releases())
    assert first != store.latest_release, "the shipped data has more than one release"
    body = client.get(f"/embed/map?{VIEW}&release={first}").data.decode()
    assert f"The data as it was at release {first}" in body and f"release={first}" in body
    assert "The data as it was at release" not in client.get(f"/embed/map?{VIEW}").data.decode()


@pytest.mark.parametrize(
    "path",
    ["/embed/pie", "/embed/", "/embed", "/embed/map/extra", "/embed/%00", "/embed/" + "x" * 3000],
)
def test_an_unknown_chart_gets_a_small_page_not_a_500(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.mimetype == "text/html"
    assert "No such chart" in r.data.decode() and "/embed/map" in r.data.decode()


@pytest.mark.parametrize(
    "query",
    ["indicator=nope", "period=1999-Q9&countries=XXX,YYY", "release=abc", "from=2030-Q1&to=2001-Q1",
     "lang=xx&measure=%ff", "countries=" + ",".join(["UZB"] * 40), "a" * 5000, "period=%3Cscript%3E"],
)  # fmt: skip
def test_a_bad_query_shows_the_chart_with_a_notice(client, query):
    r = client.get(f"/embed/map?{query}")
    assert r.status_code == 200
    body = r.data.decode()
    assert "<script>" not in body.split('id="chart-spec"')[0].split("</head>")[1]  # escaped, never markup
    if query.startswith(("indicator=", "period=1999", "release=")):
        assert 'class="notice" role="status"' in body


# -- framing ------------------------------------------------------------------------------------------------
def _frame(headers) -> tuple[str, str | None]:
    csp = headers["Content-Security-Policy"]
    return next(d for d in csp.split("; ") if d.startswith("frame-ancestors")), headers.get("X-Frame-Options")


def test_only_embed_pages_may_be_framed(client):
    assert _frame(client.get(f"/embed/map?{VIEW}").headers) == ("frame-ancestors *", None)
    for path in (
        "/",
        "/explore",
        f"/oembed?url={quote('http://localhost/explore')}",
        "/embed-static/embed.js",
    ):
        assert _frame(client.get(path).headers) == ("frame-ancestors 'self'", "SAMEORIGIN"), path


def test_embed_ancestors_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MTM_WARM", "0")
    monkeypatch.setenv("MTM_EMBED_ANCESTORS", "https://gov.kz https://*.gov.kz")
    monkeypatch.setenv("MTM_FRAME_ANCESTORS", "'none'")
    c = create_app().server.test_client()
    assert _frame(c.get("/embed/series").headers) == ("frame-ancestors https://gov.kz https://*.gov.kz", None)
    assert _frame(c.get("/explore").headers) == ("frame-ancestors 'none'", "DENY")
    monkeypatch.setenv("MTM_EMBED_ANCESTORS", "* ; script-src *")
    with pytest.raises(ConfigError, match="MTM_EMBED_ANCESTORS"):
        create_app()


# -- oEmbed -------------------------------------------------------------------------------------------------
def _oembed(client, url: str, **params):
    query = "&".join([f"url={quote(url, safe='')}"] + [f"{k}={v}" for k, v in params.items()])
    return client.get(f"/oembed?{query}")


def test_oembed_answers_rich_json_with_the_iframe(client, store):
    r = _oembed(client, f"http://localhost/explore?{VIEW}&lang=ru", format="json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    got = r.get_json()
    assert got["version"] == "1.0" and got["type"] == "rich"
    assert isinstance(got["width"], int) and isinstance(got["height"], int)
    src = re.search(r'<iframe src="([^"]+)"', got["html"]).group(1).replace("&amp;", "&")
    parts = urlsplit(src)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "localhost", f"/embed/{charts.KINDS[0].id}")
    assert "period=2023-Q2" in parts.query and "lang=ru" in parts.query
    with i18n.use("ru"):
        assert catalogue().indicator("trp_issued").title in got["title"]
    assert f'height="{got["height"]}"' in got["html"] and f'width="{got["width"]}"' in got["html"]
    assert got["provider_url"] == "http://localhost/"
    # the iframe it gives is a working embed page
    assert client.get(src.removeprefix("http://localhost")).status_code == 200


def test_oembed_keeps_the_chart_and_the_size_limits(client):
    got = _oembed(client, f"http://localhost/embed/spans?{VIEW}", maxwidth=320, maxheight=200).get_json()
    assert "/embed/spans?" in got["html"] and got["width"] <= 320 and got["height"] <= 200
    full = _oembed(client, f"http://localhost/embed/spans?{VIEW}").get_json()
    assert full["height"] > 200  # without a limit: the chart's own height and its text


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("http://elsewhere.example/explore", {}, 404),
        ("http://localhost.evil.example/explore", {}, 404),
        ("http://localhost/country/UZB", {}, 404),
        ("http://localhost/embed/pie", {}, 404),
        ("http://localhost/explore", {"format": "xml"}, 501),
        ("", {}, 400),
        ("/explore", {}, 400),
        ("javascript:alert(1)", {}, 400),
        ("http://[::1/explore", {}, 400),
        ("http://localhost/explore", {"maxwidth": "-5"}, 400),
        ("http://localhost/explore", {"maxheight": "1e9"}, 400),
        ("http://localhost/" + "x" * 3000, {}, 400),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, url, params, status):
    r = _oembed(client, url, **params)
    assert r.status_code == status and r.mimetype == "application/json"
    assert r.get_json()["error"]


def test_explorer_pages_carry_the_oembed_discovery_link(client):
    body = client.get(f"/explore?{VIEW}").data.decode()
    link = re.search(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', body)
    assert link
    href = link.group(1).replace("&amp;", "&")
    assert href.startswith("http://localhost/oembed?url=") and client.get(href).status_code == 200
    assert "json+oembed" not in client.get("/").data.decode()
