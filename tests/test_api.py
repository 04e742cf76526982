"""The data API (/api/v1/): parameters, records, service functions and HTTP behaviour (ETag, 304, gzip,
errors), on the shipped data (values worked out by hand from data/sources/observations.csv, read here with
the csv module) and on a copy with a revision and a withdrawal (tests/release_data.py)."""

from __future__ import annotations

import base64
import csv
import gzip
import io
import json

import pytest
from werkzeug.datastructures import MultiDict

from callbacks.explorer import API_HREF
from dashboard import downloads, i18n
from dashboard.api import models, service
from dashboard.api.params import ApiError, figures_params, resolve_view
from dashboard.app_factory import create_app
from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL
from dashboard.explain import explain_view
from dashboard.ids import Ids
from dashboard.periods import parse_period, quarter_range
from dashboard.state import MAX_COUNTRIES, parse_query, parse_query_strict
from layouts import api_page
from layouts import explorer as explorer_layout
from layouts.html_text import to_html
from tests.fixtures_data import committed_store, csv_rows
from tests.release_data import NEW_VALUE, OLD_VALUE, REVISION_REASON, WITHDRAWAL_REASON, make_release_data

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture(scope="module")
def client():
    return create_app().server.test_client()


def body(response) -> dict:
    data = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return json.loads(data)


def text(response) -> str:
    data = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return data.decode("utf-8")


def source_row(**match) -> dict:
    """The one observations.csv row matching every field given (read with the csv module)."""
    rows = [r for r in csv_rows() if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, (match, len(rows))
    return rows[0]


def one(records: list[dict], country: str, period: str) -> dict:
    got = [r for r in records if r["country_iso3"] == country and r["period"]["id"] == period]
    assert len(got) == 1, (country, period, len(got))
    return got[0]


# -- records against the shipped data, worked out by hand ------------------------------------------------
def test_a_published_figure_carries_its_source_and_quote():
    row = source_row(indicator="trp_issued", period="2023-Q2", country_iso3="TOT", measure="count")
    answer = service.figures({"indicator": "trp_issued", "period": "2023-Q2"}, committed_store())
    rec = one(answer["data"], TOTAL, "2023-Q2")
    assert rec["value"] == float(row["value"]) and rec["status"] == "published"
    assert rec["unit"] == row["unit"] and rec["derivation"] is None
    assert rec["period"] == {
        "id": "2023-Q2",
        "type": "quarter",
        "label": "Q2 2023",
        "start": "2023-04-01",
        "end": "2023-06-30",
    }
    (src,) = rec["sources"]
    assert src["quote"] == row["quote"] and src["document"] == row["document"]
    assert src["agency"] == row["source_agency"] and src["url"] == row["url"]
    assert src["publisher"] and src["published"]  # from documents.yaml
    assert answer["meta"]["data_version"] == committed_store().version
    assert answer["meta"]["release"] == committed_store().latest_release


def test_a_derived_figure_says_how_in_words_and_as_data():
    # border_arrivals 2025-Q2: total 4,370,000 and Uzbekistan's share 36 % in one document -> 1,573,200
    total = source_row(indicator="border_arrivals", period="2025-Q2", country_iso3="TOT", measure="count")
    share = source_row(indicator="border_arrivals", period="2025-Q2", country_iso3="UZB", measure="share_pct")
    answer = service.figures(
        {"indicator": "border_arrivals", "period": "2025-Q2", "countries": "UZB"}, committed_store()
    )
    rec = one(answer["data"], "UZB", "2025-Q2")
    expected = float(total["value"]) * float(share["value"]) / 100
    assert rec["status"] == "derived" and rec["value"] == pytest.approx(expected)
    how = rec["derivation"]
    assert how["data"]["kind"] == "share_of_total"
    assert how["data"]["share"] == float(share["value"]) and how["data"]["total"] == float(total["value"])
    assert "36" in how["text"] and "Uzbekistan" in how["text"]
    quotes = {s["quote"] for s in rec["sources"]}
    assert quotes == {total["quote"], share["quote"]}  # both rows it rests on


def test_a_conflicting_figure_lists_every_source_value():
    # arrivals 2022 (year) total: 17,293 (Liter.kz) and 17,400 (Bizmedia.kz)
    printed = [
        r
        for r in csv_rows()
        if (r["indicator"], r["period"], r["period_type"], r["country_iso3"], r["measure"])
        == ("arrivals", "2022", "year", "TOT", "count")
    ]
    assert {float(r["value"]) for r in printed} == {17293.0, 17400.0}
    answer = service.figures(
        {"indicator": "arrivals", "period": "2022", "period_type": "year"}, committed_store()
    )
    rec = one(answer["data"], TOTAL, "2022")
    assert rec["conflict"] is True and rec["n_sources"] == 2
    alts = rec["alternatives"]
    assert {a["value"] for a in alts} == {17293.0, 17400.0}
    assert {a["source"]["document"] for a in alts} == {r["document"] for r in printed}
    chosen = [a for a in alts if a["preferred"]]
    assert len(chosen) == 1 and chosen[0]["rank"] == 1 and chosen[0]["value"] == rec["value"]


def test_a_period_nobody_reported_is_null_and_not_reported_never_zero():
    store = committed_store()
    answer = service.figures({"indicator": "trp_issued"}, store)
    view = answer["meta"]["view"]
    reported = {
        r["period"]
        for r in csv_rows()
        if (r["indicator"], r["period_type"], r["country_iso3"], r["measure"])
        == ("trp_issued", "quarter", "TOT", "count")
    }
    quarters = quarter_range(view["from"], view["to"])
    gaps = [q for q in quarters if q not in reported]
    assert gaps, "the shipped trend has quarters nobody reported"
    for q in quarters:
        rec = one(answer["data"], TOTAL, q)
        if q in gaps:
            assert rec["value"] is None and rec["status"] == "not_reported" and rec["sources"] == []
        else:
            assert rec["value"] is not None and rec["status"] in ("published", "derived")
    assert all(r["value"] != 0 for r in answer["data"] if r["status"] == "not_reported")
    # a well-formed period with no figure at all is answered, as not reported
    answer = service.figures({"indicator": "trp_issued", "period": gaps[0]}, store)
    rec = one(answer["data"], TOTAL, gaps[0])
    assert rec["status"] == "not_reported" and rec["value"] is None
    assert answer["meta"]["view"]["period"] == gaps[0]


def test_names_and_labels_follow_lang_codes_do_not():
    answer = service.figures(
        {"indicator": "trp_issued", "period": "2023-Q2", "lang": "ru"}, committed_store()
    )
    rec = one(answer["data"], "UZB", "2023-Q2")
    assert rec["country"] == "Узбекистан" and rec["country_iso3"] == "UZB"
    assert answer["meta"]["lang"] == "ru" and rec["period"]["id"] == "2023-Q2"
    assert rec["period"]["label"] != "Q2 2023"
    with i18n.use("ru"):
        assert answer["meta"]["view"]["indicator_title"] == catalogue().indicator("trp_issued").title


def test_the_view_is_the_explorers_view():
    store = committed_store()
    query = "indicator=remittance_outflow&measure=amount&unit=USD_mn&period=2023-Q2&countries=RUS,UZB"
    explorer = parse_query("?" + query, store)
    answer = service.figures(dict(MultiDict([p.split("=") for p in query.split("&")])), store)
    assert answer["meta"]["explorer"] == "/explore" + explorer.to_query()
    view = answer["meta"]["view"]
    assert (view["from"], view["to"]) == (explorer.first, explorer.last)
    # the period's figures: the total and the two countries, reported or not
    in_period = {r["country_iso3"] for r in answer["data"] if r["period"]["id"] == "2023-Q2"}
    assert in_period == {TOTAL, "RUS", "UZB"}


# -- the CSV is the explorer's download -----------------------------------------------------------------
def test_csv_has_the_explorers_download_columns(client):
    r = client.get("/api/v1/figures?indicator=trp_issued&period=2023-Q2&format=csv", headers=GZIP)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Encoding"] == "gzip"  # compressed here: flask-compress skips text/csv
    rows = list(csv.reader(io.StringIO(text(r))))
    assert tuple(rows[0]) == downloads.COLUMNS
    answer = body(client.get("/api/v1/figures?indicator=trp_issued&period=2023-Q2"))
    assert len(rows) - 1 == len(answer["data"])  # one line per record, not-reported ones included
    total = next(r for r in rows[1:] if r[2] == TOTAL and r[4] == "2023-Q2")
    assert float(total[10]) == 308710.0 and total[12] == "published"


def test_csv_headers_follow_lang_like_the_download(client):
    r = client.get("/api/v1/figures?indicator=trp_issued&format=csv&lang=kk")
    with i18n.use("kk"):
        assert text(r).splitlines()[0].split(",") == downloads.headers(downloads.COLUMNS)


# -- HTTP: versions, ETag, 304, gzip -------------------------------------------------------------------
ENDPOINTS = (
    "/api/v1/indicators",
    "/api/v1/indicators/trp_issued",
    "/api/v1/figures?indicator=trp_issued",
    "/api/v1/figures?indicator=trp_issued&format=csv",
    "/api/v1/explain?indicator=trp_issued&period=2023-Q2",
    "/api/v1/countries",
    "/api/v1/sources",
    "/api/v1/releases",
    "/api/v1/openapi.json",
)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_every_answer_is_versioned_cacheable_and_gzipped(client, url):
    r = client.get(url, headers=GZIP)
    assert r.status_code == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["X-Data-Version"] == committed_store().version
    assert r.headers["X-Data-Release"] == str(committed_store().latest_release)
    assert "max-age" in r.headers["Cache-Control"]
    etag = r.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get(url, headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    other = client.get(url, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200
    if "openapi" not in url and "csv" not in url:
        assert body(r)["meta"]["data_version"] == committed_store().version
    assert "Content-Security-Policy" in r.headers  # the security layer's headers apply to /api too


def test_the_etag_is_of_the_normalized_query(client):
    a = client.get("/api/v1/figures?indicator=trp_issued")
    b = client.get("/api/v1/figures?lang=en&indicator=trp_issued&measure=count&unit=permits")
    c = client.get("/api/v1/figures?indicator=trp_issued&lang=ru")
    assert a.headers["ETag"] == b.headers["ETag"] != c.headers["ETag"]


def test_release_pins_the_data_and_says_so(client):
    r = client.get("/api/v1/releases?release=1")
    got = body(r)
    assert got["meta"]["release"] == 1 and r.headers["X-Data-Release"] == "1"
    assert [x["release"] for x in got["data"]] == [1]
    assert "86400" in r.headers["Cache-Control"]
    first = committed_store().at_release(1)
    figures = body(client.get("/api/v1/figures?indicator=trp_issued&release=1"))
    assert figures["meta"]["release"] == 1
    assert {s["source_id"] for rec in figures["data"] for s in rec["sources"]} <= set(
        first.sources["source_id"].to_list()
    )


# -- bad input: 400 JSON naming the parameter ----------------------------------------------------------
BAD = [
    ("indicator=nope", "indicator", "nope"),
    ("indicator=trp_issued&measure=amount", "measure", "amount"),
    ("indicator=trp_issued&unit=USD_mn", "unit", "USD_mn"),
    ("indicator=trp_issued&measure=bogus", "measure", "bogus"),
    ("indicator=trp_issued&countries=UZB,XYZ", "countries", "XYZ"),
    ("indicator=trp_issued&countries=TOT", "countries", "TOT"),
    ("indicator=trp_issued&period=2023-Q7", "period", "2023-Q7"),
    ("indicator=trp_issued&period=yesterday", "period", "yesterday"),
    ("indicator=trp_issued&period=", "period", ""),
    ("indicator=foreign_workers_permit_holders&period=2023-Q2", "period", "2023-Q2"),
    ("indicator=trp_issued&period=2023-Q2&period_type=month", "period_type", "month"),
    ("indicator=trp_issued&period_type=weekly", "period_type", "weekly"),
    ("indicator=trp_issued&from=2024-Q1&to=2023-Q1", "from", "2024-Q1"),
    ("indicator=trp_issued&from=2023-Q9", "from", "2023-Q9"),
    ("indicator=trp_issued&to=soon", "to", "soon"),
    ("indicator=trp_issued&from=1990-Q1&to=2023-Q1", "to", "2023-Q1"),
    ("indicator=trp_issued&drill=2001-Q1", "drill", "2001-Q1"),
    ("indicator=trp_issued&lang=fr", "lang", "fr"),
    ("indicator=trp_issued&release=999", "release", "999"),
    ("indicator=trp_issued&release=0", "release", "0"),
    ("indicator=trp_issued&release=latest", "release", "latest"),
    ("indicator=trp_issued&format=xml", "format", "xml"),
    ("indicator=trp_issued&colour=red", "colour", "red"),
    ("indicator=trp_issued&indicator=visas_issued", "indicator", "trp_issued, visas_issued"),
    ("countries=" + ",".join(["UZB", "RUS", "KGZ", "TJK", "CHN", "TUR", "DEU", "USA", "IND", "KOR", "BLR",
                              "ARM", "AZE"]), "countries", f"{MAX_COUNTRIES + 1} codes"),
]  # fmt: skip


@pytest.mark.parametrize(("query", "parameter", "value"), BAD)
def test_bad_input_is_a_400_naming_the_parameter(client, query, parameter, value):
    r = client.get("/api/v1/figures?" + query)
    assert r.status_code == 400 and r.mimetype == "application/json"
    err = body(r)["error"]
    assert err["status"] == 400
    problem = next(p for p in err["problems"] if p["parameter"] == parameter)
    assert problem["value"] == value and problem["allowed"] and problem["message"]
    assert "Traceback" not in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/indicators?lang=xx",
        "/api/v1/countries?release=abc",
        "/api/v1/sources?release=99999",
        "/api/v1/releases?foo=1",
        "/api/v1/releases?lang=en&lang=ru",
    ],
)
def test_bad_input_to_other_endpoints_is_a_400(client, url):
    r = client.get(url)
    assert r.status_code == 400 and body(r)["error"]["problems"][0]["parameter"] in (
        "lang",
        "release",
        "foo",
    )


def test_unknown_paths_and_methods_answer_json(client):
    r = client.get("/api/v1/indicators/nope")
    assert r.status_code == 404 and "trp_issued" in body(r)["error"]["problems"][0]["allowed"]
    assert client.get("/api/v1/nothing").status_code == 404
    r = client.post("/api/v1/figures")
    assert r.status_code == 405 and body(r)["error"]["status"] == 405


def test_the_strict_parser_is_the_explorers_parser():
    store = committed_store()
    query = "?indicator=trp_issued&countries=UZB,XYZ&period=2023-Q7"
    lenient = parse_query(query, store)
    strict, problems = parse_query_strict(query, store)
    assert lenient.notices and {p.parameter for p in problems} == {"countries", "period"}
    assert strict.countries == lenient.countries == ("UZB",)
    good, none = parse_query_strict("?indicator=trp_issued&period=2023-Q2", store)
    assert none == () and good == parse_query("?indicator=trp_issued&period=2023-Q2", store)


def test_params_models_refuse_before_the_parser():
    with pytest.raises(ApiError) as exc:
        figures_params(MultiDict({"release": "-3"}))
    assert exc.value.problems[0].parameter == "release"
    params = figures_params(MultiDict({"from": "2023-Q1", "to": "2023-Q4"}))
    state = resolve_view(params, committed_store())
    assert (state.first, state.last) == ("2023-Q1", "2023-Q4")


# -- service: the other endpoints --------------------------------------------------------------------------
def test_indicators_are_the_catalogue_with_coverage():
    answer = service.indicators("kk", store=committed_store())
    assert [i["id"] for i in answer["data"]] == [i.id for i in catalogue().indicators]
    trp = next(i for i in answer["data"] if i["id"] == "trp_issued")
    with i18n.use("kk"):
        assert trp["title"] == catalogue().indicator("trp_issued").title
    counts = next(c for c in trp["coverage"] if (c["measure"], c["unit"]) == ("count", "permits"))
    preferred = committed_store().rows("trp_issued")
    assert (
        counts["figures"]
        == preferred.filter((preferred["measure"] == "count") & (preferred["unit"] == "permits")).height
    )
    json.dumps(answer)  # plain JSON


def test_countries_sources_and_releases_are_plain_json():
    store = committed_store()
    countries = service.countries("ru", store=store)
    uzb = next(c for c in countries["data"] if c["iso3"] == "UZB")
    assert uzb["name"] == "Узбекистан" and "trp_issued" in uzb["indicators"]
    assert {p["code"] for p in countries["pseudo_codes"]} == {"TOT", "OTH"}
    documents = service.sources(store=store)["data"]
    assert sum(d["figures"] for d in documents) == store.sources.height
    row = csv_rows()[0]
    doc = next(d for d in documents if d["document"] == row["document"])
    assert row["url"] in doc["urls"]
    releases = service.releases(store=store)["data"]
    assert [r["release"] for r in releases] == list(range(store.latest_release, 0, -1))
    for answer in (countries, documents, releases):
        json.dumps(answer)


# -- revisions and withdrawals (a copy of the data with both) ----------------------------------------------
@pytest.fixture(scope="module")
def revised_client(tmp_path_factory):
    paths = make_release_data(tmp_path_factory.mktemp("api-releases") / "data")
    return create_app(paths.parquet).server.test_client()


def test_a_revised_figure_has_its_history_and_a_withdrawn_one_is_listed(revised_client):
    got = body(revised_client.get("/api/v1/figures?indicator=trp_issued&period=2023-Q2"))
    rec = one([r for r in got["data"] if r["status"] != "withdrawn"], TOTAL, "2023-Q2")
    assert rec["value"] == NEW_VALUE
    assert rec["revised"] == {"release": 3, "previous_value": OLD_VALUE, "reason": REVISION_REASON}
    assert [(c["change"], c["previous_value"], c["value"]) for c in rec["revisions"]] == [
        ("revised", OLD_VALUE, NEW_VALUE)
    ]
    (gone,) = [r for r in got["data"] if r["status"] == "withdrawn"]
    assert gone["country_iso3"] == "UZB" and gone["value"] is None and gone["measure"] == "share_pct"
    assert gone["revisions"][0]["reason"] == WITHDRAWAL_REASON
    # at release 2 neither had happened
    before = body(revised_client.get("/api/v1/figures?indicator=trp_issued&period=2023-Q2&release=2"))
    rec = one(before["data"], TOTAL, "2023-Q2")
    assert rec["value"] == OLD_VALUE and rec["revised"] is None and rec["revisions"] == []
    assert all(r["status"] != "withdrawn" for r in before["data"])
    csv_text = text(revised_client.get("/api/v1/figures?indicator=trp_issued&period=2023-Q2&format=csv"))
    assert "withdrawn" in csv_text and REVISION_REASON in csv_text


def test_period_dates_come_from_the_period():
    rec = one(
        service.figures({"indicator": "trp_issued", "period": "2023-Q2"}, committed_store())["data"],
        TOTAL,
        "2023-Q1",
    )
    p = parse_period("2023-Q1", "quarter")
    assert (rec["period"]["start"], rec["period"]["end"]) == (p.start.isoformat(), p.end.isoformat())


# -- the security layer and the explorer's link --------------------------------------------------------------
def test_basic_auth_applies_to_the_api(monkeypatch):
    monkeypatch.setenv("MTM_BASIC_AUTH_USER", "analyst")
    monkeypatch.setenv("MTM_BASIC_AUTH_PASSWORD", "secret")
    guarded = create_app().server.test_client()
    assert guarded.get("/api/v1/indicators").status_code == 401
    auth = {"Authorization": "Basic " + base64.b64encode(b"analyst:secret").decode()}
    r = guarded.get("/api/v1/indicators", headers=auth)
    assert r.status_code == 200 and r.headers["Cache-Control"].startswith("private")


def test_each_explorer_view_links_to_its_api_answer():
    store = committed_store()
    state = parse_query("?indicator=remittance_outflow&countries=UZB&lang=kk", store)
    page = explorer_layout.layout(state, store, {})
    (link,) = [c for c in _walk(page) if getattr(c, "id", None) == Ids.API_LINK]
    assert link.href == "/api/v1/figures" + state.to_query()
    assert "'/api/v1/figures' + state.query" in API_HREF  # the href follows the view (clientside)


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and hasattr(child, "children"):
            yield from _walk(child)


# -- the change explainer: /explain -------------------------------------------------------------------------
EXPLAIN = "/api/v1/explain?"


def test_explain_prefers_the_change_the_source_printed(client):
    # rows 85 remittance_inflow 2023-Q2 TOT 80.9 KZT_bn, 107 2022-Q2 213.5, 108 change_pct_yoy -62.11
    now = source_row(indicator="remittance_inflow", period="2023-Q2", country_iso3="TOT", unit="KZT_bn")
    then = source_row(indicator="remittance_inflow", period="2022-Q2", country_iso3="TOT", unit="KZT_bn")
    printed = source_row(
        indicator="remittance_inflow", period="2023-Q2", country_iso3="TOT", measure="change_pct_yoy"
    )
    query = "indicator=remittance_inflow&measure=amount&unit=KZT_bn&period=2023-Q2&vs=year"
    r = client.get(EXPLAIN + query)
    assert r.status_code == 200
    got = models.ExplainAnswer.model_validate_json(r.data).model_dump(by_alias=True)
    d = got["data"]
    assert not d["refused"] and d["ok"] and d["refusal"] is None
    assert (d["current"]["period"], d["base"]["period"]) == ("2023-Q2", "2022-Q2")
    assert d["current"]["total"]["value"] == float(now["value"])
    assert d["base"]["total"]["value"] == float(then["value"])
    total = d["total"]
    assert (total["pct"], total["status"], total["conflict"]) == (float(printed["value"]), "published", False)
    assert round(total["absolute"], 1) == round(float(now["value"]) - float(then["value"]), 1)
    assert d["contributions"] == []  # no 2022-Q2 list: the 2023-Q2 countries are listed once, never +100 %
    assert {x["country"] for x in d["listed_once"]} >= {"RUS", "KOR"}
    assert "change as published" in d["sentences"][0]["text"]
    for sentence in d["sentences"]:
        assert sentence["href"].startswith("/explore?") and "vs=2022-Q2" in sentence["href"]
    assert got["meta"]["view"]["vs"] == "year" and got["meta"]["explorer"].startswith("/explore?")
    assert "vs=year" in got["meta"]["explorer"]
    assert got["meta"]["data_version"] == committed_store().version


def test_explain_a_computed_change_and_the_previous_period_by_default(client):
    # rows 10 trp_issued 2023-Q1 TOT 82000, 2 2023-Q2 TOT 308710: +226,710 computed (derived)
    now = source_row(indicator="trp_issued", period="2023-Q2", country_iso3="TOT", measure="count")
    then = source_row(indicator="trp_issued", period="2023-Q1", country_iso3="TOT", measure="count")
    d = body(client.get(EXPLAIN + "indicator=trp_issued&period=2023-Q2"))["data"]
    assert (d["base"]["period"], d["base"]["total"]["value"]) == ("2023-Q1", float(then["value"]))
    assert d["current"]["total"]["value"] == float(now["value"])
    assert (d["total"]["absolute"], d["total"]["status"]) == (
        float(now["value"]) - float(then["value"]),
        "derived",
    )
    assert d["total"]["absolute"] == 226710
    assert d["sentences"][0]["text"].startswith(
        "Temporary residence permits issued rose about fourfold from 82,000 in Q1 2023 to 308,710 in Q2 2023"
    )
    # the same in Russian: numbers and codes stay, words follow lang
    ru = body(client.get(EXPLAIN + "indicator=trp_issued&period=2023-Q2&lang=ru"))
    assert ru["meta"]["lang"] == "ru" and ru["data"]["total"] == d["total"]
    assert ru["data"]["sentences"][0]["text"] != d["sentences"][0]["text"]


@pytest.mark.parametrize(
    ("vs", "refusal"),
    [("2023", "period_types"), ("2023-Q2", "same_period"), ("2010-Q2", "no_data")],
)
def test_a_pair_that_cannot_be_compared_is_an_answer_not_an_error(client, vs, refusal):
    r = client.get(EXPLAIN + f"indicator=trp_issued&period=2023-Q2&vs={vs}")
    assert r.status_code == 200
    d = models.ExplainAnswer.model_validate_json(r.data).data
    assert d.refused and not d.ok and d.refusal == refusal and d.message
    assert d.sentences == [] and d.total is None


def test_explain_refusal_in_words_follows_lang(client):
    en = body(client.get(EXPLAIN + "indicator=trp_issued&period=2023&period_type=ytd"))["data"]
    kk = body(client.get(EXPLAIN + "indicator=trp_issued&period=2023&period_type=ytd&lang=kk"))["data"]
    assert en["refusal"] == kk["refusal"] == "no_comparison"
    assert en["message"] == "2023 year to date (end not stated) has no previous period to compare with."
    assert kk["message"] != en["message"]


@pytest.mark.parametrize(
    ("query", "parameter", "value"),
    [
        ("indicator=trp_issued&vs=last-week", "vs", "last-week"),
        ("indicator=trp_issued&vs=", "vs", ""),
        ("indicator=trp_issued&vs=2023-13", "vs", "2023-13"),
        ("indicator=trp_issued&vs=2023-02-30", "vs", "2023-02-30"),
        ("indicator=trp_issued&period=2023-Q7", "period", "2023-Q7"),
        ("indicator=nope", "indicator", "nope"),
        ("indicator=trp_issued&countries=UZB", "countries", "UZB"),  # not a parameter of /explain
        ("indicator=trp_issued&release=999", "release", "999"),
    ],
)
def test_bad_explain_parameters_are_a_400(client, query, parameter, value):
    r = client.get(EXPLAIN + query)
    assert r.status_code == 400
    problem = next(p for p in body(r)["error"]["problems"] if p["parameter"] == parameter)
    assert problem["value"] == value and problem["allowed"]


def test_explain_etag_is_of_what_the_explanation_depends_on(client):
    a = client.get(EXPLAIN + "indicator=trp_issued&period=2023-Q2")
    b = client.get(EXPLAIN + "period=2023-Q2&vs=prev&indicator=trp_issued&measure=count&lang=en")
    c = client.get(EXPLAIN + "indicator=trp_issued&period=2023-Q2&vs=year")
    assert a.headers["ETag"] == b.headers["ETag"] != c.headers["ETag"]
    again = client.get(
        EXPLAIN + "indicator=trp_issued&period=2023-Q2&vs=year", headers={"If-None-Match": c.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""


def test_explain_is_the_explorers_explainer():
    store = committed_store()
    query = "indicator=remittance_inflow&measure=amount&unit=KZT_bn&period=2023-Q2&vs=year"
    got = service.explanation(dict(x.split("=") for x in query.split("&")), store)
    shown = explain_view(store, parse_query("?" + query, store))
    assert got["data"] == {"refused": False, **shown.to_dict()}


@pytest.mark.parametrize(
    ("lang", "heading"),
    [("en", "Parameters of /explain"), ("ru", "Параметры /explain"), ("kk", "/explain параметрлері")],
)
def test_the_api_page_documents_explain_in_each_language(lang, heading):
    with i18n.use(lang):
        page = to_html(api_page.layout(committed_store(), "https://mtm.example"))
    assert "/api/v1/explain" in page and heading in page and "vs=year" in page
