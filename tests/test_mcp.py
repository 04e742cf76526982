"""`mtm mcp`: the MCP server, through the SDK's own client (in-process, and once over stdio as a
subprocess), on the shipped data (values worked out by hand from data/sources/observations.csv, read with
the csv module)."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from dashboard import i18n
from dashboard.cli import main as mtm
from dashboard.countries import TOTAL
from dashboard.mcp_server import TOOLS, build_server
from dashboard.periods import quarter_range
from dashboard.state import MAX_COUNTRIES
from tests.fixtures_data import committed_store, csv_rows

ROOT = Path(__file__).resolve().parent.parent
NAMES = {
    "list_indicators",
    "list_countries",
    "list_sources",
    "get_figures",
    "explain_figure",
    "explain_change",
    "list_releases",
}


def run_async(go):
    """``anyio.run(go)`` in a thread of its own: the browser tests' Playwright (sync API) keeps an asyncio
    loop running in the main thread for the whole session, where anyio.run refuses to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, go).result()


def session(lang: str, work):
    """Run ``work(client)`` against an in-process server over the committed data; its result."""

    async def go():
        async with Client(build_server(committed_store(), lang)) as client:
            return await work(client)

    return run_async(go)


def call(name: str, arguments: dict, lang: str = "en"):
    async def work(client):
        return await client.call_tool(name, arguments)

    return session(lang, work)


def answer(name: str, arguments: dict, lang: str = "en") -> dict:
    result = call(name, arguments, lang)
    assert not result.is_error, result.content[0].text
    body = json.loads(result.content[0].text)
    assert body == result.structured_content  # the text and the structured content say the same
    meta = body["meta"]
    store = committed_store()
    assert meta["data_version"] == store.version and meta["release"] == store.latest_release
    assert store.version in meta["source"]
    return body


def list_tools(lang: str) -> dict:
    async def work(client):
        return {t.name: t for t in (await client.list_tools()).tools}

    return session(lang, work)


def source_row(**match) -> dict:
    rows = [r for r in csv_rows() if all(r[k] == v for k, v in match.items())]
    assert len(rows) == 1, (match, len(rows))
    return rows[0]


# -- the tools list ------------------------------------------------------------------------------------------
def test_the_tools_are_listed_with_descriptions_and_input_schemas():
    tools = list_tools("en")
    assert set(tools) == NAMES == {t.name for t in TOOLS}
    for t in tools.values():
        assert t.description and len(t.description) > 40 and t.title
        assert t.annotations is not None and t.annotations.read_only_hint is True
        assert t.input_schema["type"] == "object" and t.input_schema["additionalProperties"] is False
        assert {"lang", "release"} <= set(t.input_schema["properties"])
        assert all(p.get("description") for p in t.input_schema["properties"].values())
    figures = tools["get_figures"].input_schema["properties"]
    assert {
        "indicator",
        "measure",
        "unit",
        "period",
        "period_type",
        "countries",
        "from",
        "to",
        "drill",
    } <= set(figures)
    assert "trp_issued" in json.dumps(figures["indicator"])  # the catalogue's ids, listed
    assert f"at most {MAX_COUNTRIES};" in figures["countries"]["description"]
    assert "compared_with" in tools["explain_change"].input_schema["properties"]
    assert "country" in tools["explain_figure"].input_schema["properties"]
    assert "not zero" in tools["get_figures"].description


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_descriptions_follow_the_servers_language(lang):
    english, tools = list_tools("en"), list_tools(lang)
    for name, t in tools.items():
        with i18n.use(lang):
            assert t.description == i18n._(next(s.description for s in TOOLS if s.name == name))
        assert t.description != english[name].description
        props = t.input_schema["properties"]
        assert all(p["description"] != english[name].input_schema["properties"][k]["description"]
                   for k, p in props.items())  # fmt: skip
    assert "{" not in tools["get_figures"].input_schema["properties"]["countries"]["description"]


# -- a figure with its source --------------------------------------------------------------------------------
def test_a_figure_with_its_source():
    row = source_row(indicator="trp_issued", period="2023-Q2", country_iso3="TOT", measure="count")
    body = answer("explain_figure", {"indicator": "trp_issued", "period": "2023-Q2"})
    f = body["data"]
    assert f["value"] == float(row["value"]) == 308710.0 and f["status"] == "published"
    assert f["value_text"] == "308,710" and f["country_iso3"] == TOTAL
    (src,) = f["sources"]
    assert (src["quote"], src["document"], src["url"], src["agency"]) == (
        row["quote"],
        row["document"],
        row["url"],
        row["source_agency"],
    )
    assert src["publisher"] and src["published"]
    words = " ".join(f["in_words"])
    assert "308,710" in words and row["quote"] in words and row["document"] in words
    assert body["meta"]["explorer"].startswith("/explore?indicator=trp_issued")
    # the same figure among the view's figures, with the same source
    figures = answer("get_figures", {"indicator": "trp_issued", "period": "2023-Q2"})
    (rec,) = [r for r in figures["data"] if r["country_iso3"] == TOTAL and r["period"]["id"] == "2023-Q2"]
    assert rec["value"] == 308710.0 and rec["sources"][0]["quote"] == row["quote"]


def test_a_derived_figure_says_how_and_answers_follow_lang():
    total = source_row(indicator="border_arrivals", period="2025-Q2", country_iso3="TOT", measure="count")
    share = source_row(indicator="border_arrivals", period="2025-Q2", country_iso3="UZB", measure="share_pct")
    args = {"indicator": "border_arrivals", "period": "2025-Q2", "country": "UZB"}
    f = answer("explain_figure", {**args, "lang": "ru"})["data"]
    assert f["status"] == "derived"
    assert f["value"] == pytest.approx(float(total["value"]) * float(share["value"]) / 100)
    assert f["country"] == "Узбекистан" and f["derivation"]["data"]["kind"] == "share_of_total"
    assert {s["quote"] for s in f["sources"]} == {total["quote"], share["quote"]}
    assert f["in_words"][1].startswith("Рассчитано здесь")
    # the server's language is the default; the lang argument wins
    assert answer("explain_figure", args, lang="kk")["meta"]["lang"] == "kk"
    assert answer("explain_figure", {**args, "lang": "en"}, lang="kk")["data"]["country"] == "Uzbekistan"


def test_a_figure_whose_sources_differ_lists_each_value():
    # arrivals 2022 (year) total: 17,293 (Liter.kz) and 17,400 (Bizmedia.kz)
    printed = [
        r
        for r in csv_rows()
        if (r["indicator"], r["period"], r["period_type"], r["country_iso3"], r["measure"])
        == ("arrivals", "2022", "year", "TOT", "count")
    ]
    assert {float(r["value"]) for r in printed} == {17293.0, 17400.0}
    f = answer("explain_figure", {"indicator": "arrivals", "period": "2022", "period_type": "year"})["data"]
    assert f["conflict"] is True and {a["value"] for a in f["alternatives"]} == {17293.0, 17400.0}
    (differ,) = [w for w in f["in_words"] if w.startswith("The sources differ")]
    assert "17,293" in differ and "17,400" in differ and all(r["document"] in differ for r in printed)


# -- not reported, never 0 -----------------------------------------------------------------------------------
def test_a_figure_nobody_reported_is_null_and_not_reported():
    figures = answer("get_figures", {"indicator": "trp_issued"})
    view = figures["meta"]["view"]
    reported = {
        r["period"]
        for r in csv_rows()
        if (r["indicator"], r["period_type"], r["country_iso3"], r["measure"])
        == ("trp_issued", "quarter", "TOT", "count")
    }
    gaps = [q for q in quarter_range(view["from"], view["to"]) if q not in reported]
    assert gaps, "the shipped trend has quarters nobody reported"
    for rec in figures["data"]:
        if rec["country_iso3"] == TOTAL and rec["period"]["id"] in gaps:
            assert (
                rec["value"] is None
                and rec["status"] == "not_reported"
                and rec["value_text"] == "not reported"
            )
    assert all(r["value"] != 0 for r in figures["data"] if r["status"] == "not_reported")
    f = answer("explain_figure", {"indicator": "trp_issued", "period": gaps[0]})["data"]
    assert f["value"] is None and f["status"] == "not_reported" and f["sources"] == []
    assert f["value_text"] == "not reported" and "not reported, which is not zero" in f["in_words"][1]
    ru = answer("explain_figure", {"indicator": "trp_issued", "period": gaps[0], "lang": "ru"})["data"]
    assert ru["value"] is None and ru["value_text"] == "нет данных"


# -- a change between two periods ----------------------------------------------------------------------------
def test_explain_a_change_between_two_periods():
    q2 = source_row(indicator="trp_issued", period="2023-Q2", country_iso3="TOT", measure="count")
    q1 = source_row(indicator="trp_issued", period="2023-Q1", country_iso3="TOT", measure="count")
    body = answer("explain_change", {"indicator": "trp_issued", "period": "2023-Q2", "compared_with": "prev"})
    e = body["data"]
    assert e["ok"] is True and e["base"]["period"] == "2023-Q1" and e["current"]["period"] == "2023-Q2"
    assert (
        e["total"]["absolute"] == float(q2["value"]) - float(q1["value"])
        and e["total"]["status"] == "derived"
    )
    assert e["current"]["total"]["documents"] == [q2["document"]]
    assert "308,710" in e["in_words"][0] and "82,000" in e["in_words"][0]
    assert body["meta"]["explorer"].startswith("/explore?") and "vs=2023-Q1" in body["meta"]["explorer"]
    # a comparison the rules refuse is an answer with the reason, not an error
    same = answer(
        "explain_change", {"indicator": "trp_issued", "period": "2023-Q2", "compared_with": "2023-Q2"}
    )
    assert same["data"]["ok"] is False and same["data"]["refusal"] == "same_period"
    assert same["data"]["in_words"] == [same["data"]["message"]]


def test_releases_and_what_changed():
    store = committed_store()
    body = answer("list_releases", {})
    assert [r["release"] for r in body["data"]] == sorted((r.number for r in store.releases()), reverse=True)
    assert body["meta"]["count"] == len(body["data"])
    assert all({"added", "revised", "withdrawn", "counts", "summary"} <= set(r) for r in body["data"])
    assert [r["release"] for r in answer("list_releases", {"limit": 1})["data"]] == [store.latest_release]


# -- bad arguments: a clear tool error, never a traceback ----------------------------------------------------
@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        ("get_figures", {"indicator": "trp_issued", "release": 999999}, "release: unknown release"),
        ("get_figures", {"indicator": "no_such_indicator"}, "indicator:"),
        ("get_figures", {"indicator": "trp_issued", "countries": "XYZ"}, "countries: unknown"),
        ("get_figures", {"indicator": "trp_issued", "period": "2023-Q9"}, "period:"),
        ("get_figures", {"indicator": "trp_issued", "format": "csv"}, "format:"),
        ("explain_figure", {"indicator": "trp_issued", "country": "ZZZ"}, "countries: unknown"),
        (
            "explain_change",
            {"indicator": "trp_issued", "compared_with": "soon"},
            "compared_with: not a period",
        ),
        ("list_releases", {"limit": 0}, "limit:"),
        ("list_indicators", {"lang": "de"}, "lang:"),
        ("no_such_tool", {}, "unknown tool"),
    ],
)
def test_a_bad_argument_is_a_clear_tool_error(tool, arguments, words):
    result = call(tool, arguments)
    assert result.is_error is True
    text = result.content[0].text
    assert words in text and "Traceback" not in text and result.structured_content is None


# -- the command ---------------------------------------------------------------------------------------------
def test_mtm_mcp_over_stdio_lists_the_tools():
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "dashboard.cli", "mcp", "--lang", "kk"], cwd=str(ROOT)
    )

    async def go():
        with anyio.fail_after(60):
            async with Client(params) as client:
                return {t.name: t for t in (await client.list_tools()).tools}

    tools = run_async(go)
    assert set(tools) == NAMES
    with i18n.use("kk"):
        assert tools["list_indicators"].description == i18n._(TOOLS[0].description)


def test_mtm_mcp_without_data_says_so(tmp_path, capsys):
    assert mtm(["mcp", "--data", str(tmp_path)]) == 2
    assert "mtm build" in capsys.readouterr().err
