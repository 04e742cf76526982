"""`mtm mcp`: the data API as a read-only MCP server, for AI assistants (stdio transport).

Each tool wraps a plain function of the API (``dashboard/api/service.py``) or the change explainer
(``dashboard/explain.py``): list indicators, countries and source documents, get figures (the
``/api/v1/figures`` parameters), explain one figure's sources and derivation, explain a change between two
periods, list releases and what they changed. Tool descriptions are in the server's language (``--lang``),
answers in the ``lang`` argument's (default the server's). Every answer names its data version and release
and where its figures come from; a figure no source printed is ``value: null`` with
``value_text: "not reported"``, never 0. A bad argument is a tool error (``isError``) with the API's
message naming the argument, the value and what is allowed; never a traceback.

Built on the SDK's low-level ``mcp.server.Server`` so that the listed schemas and descriptions can be
translated and the arguments checked by the API's own rules.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
from mcp.server import Server
from mcp.server.stdio import stdio_server
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dashboard import i18n
from dashboard.api import service
from dashboard.api.params import (
    ApiError,
    IndicatorId,
    Lang,
    MeasureId,
    PeriodType,
    UnitId,
    _problems_of,
)
from dashboard.countries import TOTAL
from dashboard.data import DEFAULT_DIR, DataStore, get_store
from dashboard.explain import VS_PREVIOUS, VS_YEAR, explain_view
from dashboard.formatting import fmt_value
from dashboard.i18n import N_, _
from dashboard.state import MAX_COUNTRIES, Problem, infer_period_type, view_store

log = logging.getLogger(__name__)
SERVER_NAME = "mtm-dashboard"
NOT_REPORTED = "not_reported"


# -- the tools' arguments (descriptions are msgids: translated when the tools are listed) --------------------
class LangArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    lang: Lang | None = Field(
        None, description=N_("Language of the answer: en, ru or kk (default: the server's language).")
    )
    release: int | None = Field(
        None,
        ge=1,
        description=N_("The data as it was at this release (see list_releases); default: the latest."),
    )


class ViewArgs(LangArgs):
    indicator: IndicatorId | None = Field(
        None, description=N_("Indicator id (see list_indicators); default: the explorer's first indicator.")
    )
    measure: MeasureId | None = Field(
        None, description=N_("Measure: count, amount or share_pct; default: the indicator's own.")
    )
    unit: UnitId | None = Field(
        None, description=N_("Unit of the measure (persons, KZT_bn, percent…); default: the indicator's own.")
    )
    period: str | None = Field(
        None,
        max_length=40,
        description=N_(
            "Period id: 2023-Q2 (quarter), 2023-04 (month), 2023-H1 (half-year), 2023 (year; a year to date "
            "with period_type ytd), 2023-06-30 (a date, for a stock); default: the latest quarter with a "
            "breakdown by country."
        ),
    )
    period_type: PeriodType | None = Field(
        None, description=N_("The period's type when its id is ambiguous (a bare year: year or ytd).")
    )


class FiguresArgs(ViewArgs):
    countries: str | None = Field(
        None,
        max_length=MAX_COUNTRIES * 6,
        description=N_(
            "Comma-separated ISO 3166-1 alpha-3 codes (see list_countries), at most {max_countries}; "
            "default: every country in the breakdown and the total."
        ),
    )
    from_: str | None = Field(
        None, alias="from", max_length=10, description=N_("First quarter of the trend, e.g. 2022-Q1.")
    )
    to: str | None = Field(None, max_length=10, description=N_("Last quarter of the trend, e.g. 2025-Q4."))
    drill: str | None = Field(
        None, max_length=10, description=N_("A quarter of the trend whose months are added, e.g. 2023-Q2.")
    )


class FigureArgs(ViewArgs):
    country: str = Field(
        TOTAL,
        max_length=3,
        description=N_("ISO 3166-1 alpha-3 code of the counterpart country, or TOT for the total (default)."),
    )


class ChangeArgs(ViewArgs):
    compared_with: str = Field(
        VS_PREVIOUS,
        max_length=40,
        description=N_(
            "What the period is compared with: prev (the previous period, default), year (a year earlier) "
            "or a period id of the same kind, e.g. 2023-Q1."
        ),
    )


class ReleasesArgs(LangArgs):
    limit: int | None = Field(None, ge=1, description=N_("Only the newest releases, at most this many."))


# -- answers -------------------------------------------------------------------------------------------------
def _source_line(answer: dict) -> str:
    m = answer["meta"]
    return _(
        "MTM Dashboard · Kazakhstan (Migration Tracking Matrix figures, each traced to its source document); "
        "data version {version}, release {release}."
    ).format(version=m["data_version"], release=m["release"] if m["release"] is not None else "—")


def _with_source(answer: dict) -> dict:
    """The answer with its provenance in words (the data version and release are in ``meta`` already)."""
    answer["meta"] = {**answer["meta"], "source": _source_line(answer)}
    return answer


def _with_value_text(rec: dict) -> dict:
    """A record with its value in words: the formatted number, or "not reported" (never 0)."""
    return {**rec, "value_text": fmt_value(rec["value"], rec["unit"])}


def _view_params(
    args: BaseModel, lang: str, exclude: set[str] | frozenset[str] = frozenset()
) -> dict[str, str]:
    """The API's figures parameters (strings, as in a link) from a tool's arguments."""
    given = args.model_dump(by_alias=True, exclude_none=True, exclude=set(exclude))
    return {**{k: str(v) for k, v in given.items()}, "lang": lang}


def list_indicators(args: LangArgs, lang: str, store: DataStore) -> dict:
    return service.indicators(lang, args.release, store)


def list_countries(args: LangArgs, lang: str, store: DataStore) -> dict:
    return service.countries(lang, args.release, store)


def list_sources(args: LangArgs, lang: str, store: DataStore) -> dict:
    return service.sources(lang, args.release, store)


def get_figures(args: FiguresArgs, lang: str, store: DataStore) -> dict:
    answer = service.figures(_view_params(args, lang), store)
    with i18n.use(lang):
        answer["data"] = [_with_value_text(r) for r in answer["data"]]
    return answer


def _figure_words(rec: dict, title: str) -> list[str]:
    """One figure's provenance in sentences (the language in force)."""
    head = _("{indicator}, {country}, {period}: {value}.").format(
        indicator=title, country=rec["country"], period=rec["period"]["label"], value=rec["value_text"]
    )
    words = [head]
    if rec["status"] == NOT_REPORTED:
        words.append(_("No source printed this figure: it is not reported, which is not zero."))
    elif rec["status"] == "derived" and rec["derivation"]:
        words.append(_("Derived here from published figures: {how}").format(how=rec["derivation"]["text"]))
    for s in rec["sources"]:
        words.append(
            _("Source: {publisher}, “{document}” ({published}), {url}; it says: “{quote}”").format(
                publisher=s["publisher"] or s["agency"] or "—",
                document=s["document"],
                published=s["published"] or "—",
                url=s["url"] or "—",
                quote=s["quote"],
            )
        )
    if rec["conflict"]:
        values = "; ".join(
            f"{fmt_value(a['value'], rec['unit'])} ({a['source']['document'] if a['source'] else '—'})"
            for a in rec["alternatives"]
        )
        words.append(
            _("The sources differ ({values}); the value shown is the preferred source's.").format(
                values=values
            )
        )
    return words


def explain_figure(args: FigureArgs, lang: str, store: DataStore) -> dict:
    country = args.country.upper()
    params = _view_params(args, lang, exclude={"country"})
    if country != TOTAL:
        params["countries"] = country
    answer = service.figures(params, store)
    view = answer["meta"]["view"]
    found = [
        r
        for r in answer["data"]
        if r["country_iso3"] == country
        and r["period"]["id"] == view["period"]
        and r["period"]["type"] == view["period_type"]
        and r["measure"] == view["measure"]
    ]
    if not found:  # the view always holds its period's figure for the total and each chosen country
        raise ApiError([Problem("country", country, "an ISO3 code or TOT", "no such figure in the view")])
    with i18n.use(lang):
        rec = _with_value_text(found[0])
        keep = ("period", "value", "value_text", "status", "derivation", "conflict", "alternatives")
        figure = {
            "indicator": view["indicator"],
            "indicator_title": view["indicator_title"],
            "measure": rec["measure"],
            "unit": rec["unit"],
            "unit_label": rec["unit_label"],
            "country_iso3": rec["country_iso3"],
            "country": rec["country"],
            **{k: rec[k] for k in keep},
            "revised": rec["revised"],
            "revisions": rec["revisions"],
            "sources": rec["sources"],
            "in_words": _figure_words(rec, view["indicator_title"]),
        }
    meta = {k: v for k, v in answer["meta"].items() if k != "count"}
    return {"meta": meta, "data": figure}


def _comparison(given: str, period_type: str) -> str:
    if given in (VS_PREVIOUS, VS_YEAR) or infer_period_type(given, "ytd" if period_type == "ytd" else None):
        return given
    raise ApiError(
        [Problem("compared_with", given[:40], "prev, year or a period id such as 2023-Q1", "not a period")]
    )


def explain_change(args: ChangeArgs, lang: str, store: DataStore) -> dict:
    _p, state = service.figures_view(_view_params(args, lang, exclude={"compared_with"}), store)
    state = state.with_(vs=_comparison(args.compared_with, state.period_type))
    view = view_store(store, state.release)
    with i18n.use(lang):
        e = explain_view(view, state)
        data = e.to_dict()
        data["in_words"] = [s.text for s in e.sentences] if e.ok else [e.message]
    return {"meta": service.meta(store, view, lang, explorer=e.href), "data": data}


def list_releases(args: ReleasesArgs, lang: str, store: DataStore) -> dict:
    answer = service.releases(lang, args.release, store)
    if args.limit is not None:
        answer["data"] = answer["data"][: args.limit]
    answer["meta"] = {**answer["meta"], "count": len(answer["data"])}
    return answer


# -- the tools -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str  # msgid
    description: str  # msgid
    args: type[BaseModel]
    run: Callable[[Any, str, DataStore], dict]

    def tool(self) -> types.Tool:
        """The tool as listed, in the language in force."""
        return types.Tool(
            name=self.name,
            title=_(self.title),
            description=_(self.description),
            input_schema=input_schema(self.args),
            annotations=types.ToolAnnotations(
                title=_(self.title), read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                open_world_hint=False,
            ),
        )  # fmt: skip


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "list_indicators",
        N_("List indicators"),
        N_(
            "The indicator catalogue of Kazakhstan's Migration Tracking Matrix: each indicator's id, "
            "title, definition, kind (flow or stock), measures, units, period types, cadence and what the "
            "data holds (coverage). Start here to find the indicator ids the other tools take."
        ),
        LangArgs,
        list_indicators,
    ),
    ToolSpec(
        "list_countries",
        N_("List countries"),
        N_(
            "The counterpart countries with figures (ISO3 code, name, how many figures, for which "
            "indicators), the country groups, and the codes TOT (total) and OTH (other countries)."
        ),
        LangArgs,
        list_countries,
    ),
    ToolSpec(
        "list_sources",
        N_("List source documents"),
        N_(
            "Every source document the figures were read from: title, publisher, kind, publication date, "
            "agencies, links and how many figures it printed."
        ),
        LangArgs,
        list_sources,
    ),
    ToolSpec(
        "get_figures",
        N_("Get figures"),
        N_(
            "The figures of an explorer view (the same parameters as /api/v1/figures): the period's figure "
            "for the total and each country, the trend's quarters and a drilled quarter's months. Each "
            "record has its value and value_text, status (published, derived, not_reported, withdrawn), "
            "derivation, conflicting sources' values, revisions and sources (document, publisher, link, "
            "verbatim quote). A figure no source printed has value null and value_text 'not reported': it "
            "is not zero."
        ),
        FiguresArgs,
        get_figures,
    ),
    ToolSpec(
        "explain_figure",
        N_("Explain a figure's sources"),
        N_(
            "Where one figure comes from: its value, the source's verbatim quote, document, publisher, "
            "publication date and link, how it was derived (in words) when it was computed, the other "
            "sources' values when they differ, and its revisions. A figure no source printed is said to "
            "be not reported, never 0."
        ),
        FigureArgs,
        explain_figure,
    ),
    ToolSpec(
        "explain_change",
        N_("Explain a change between two periods"),
        N_(
            "Why an indicator's total changed between two comparable periods: the total change (printed "
            "by the source or computed), each country's contribution, the largest country's share, in 2-4 "
            "sentences with the figures used. Refuses, with the reason, when the periods are not "
            "comparable. Computed by rules from the data, not by a language model."
        ),
        ChangeArgs,
        explain_change,
    ),
    ToolSpec(
        "list_releases",
        N_("List releases and what changed"),
        N_(
            "Every release (numbered import of figures), newest first: when, who, the file and its sha256, "
            "the note, and what it changed: figures added per indicator, every revision (old and new "
            "value, reason, document) and every withdrawal."
        ),
        ReleasesArgs,
        list_releases,
    ),
)
_BY_NAME = {t.name: t for t in TOOLS}


SCHEMA_VALUES = {"max_countries": MAX_COUNTRIES}  # limits the descriptions state, from the code keeping them


def _translate(schema: Any) -> Any:
    """The JSON schema with every description translated (they are msgids)."""
    if isinstance(schema, dict):
        return {
            k: (
                _(v).format_map(SCHEMA_VALUES) if k == "description" and isinstance(v, str) else _translate(v)
            )
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_translate(v) for v in schema]
    return schema


def input_schema(model: type[BaseModel]) -> dict:
    schema = model.model_json_schema(by_alias=True)
    schema.pop("title", None)
    return _translate(schema)


# -- calls ---------------------------------------------------------------------------------------------------
def _problem_text(p: Problem) -> str:
    if p.allowed and p.allowed in p.message:  # pydantic's message already lists what is allowed
        return f"{p.parameter}: {p.message} (given {p.value!r})"
    return f"{p.parameter}: {p.message} (given {p.value!r}; allowed: {p.allowed})"


def _error(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def call(
    name: str, arguments: Mapping[str, Any], store: DataStore, default_lang: str
) -> types.CallToolResult:
    """One tool call: the answer as JSON text and structured content, or a tool error saying what is wrong."""
    spec = _BY_NAME.get(name)
    if spec is None:
        return _error(f"unknown tool {name[:60]!r}; the tools are {', '.join(_BY_NAME)}")
    try:
        args = spec.args.model_validate(dict(arguments))
    except ValidationError as exc:
        given = {k: str(v) for k, v in arguments.items()}
        return _error("; ".join(_problem_text(p) for p in _problems_of(exc, given)))
    lang = getattr(args, "lang", None) or default_lang
    try:
        with i18n.use(lang):
            answer = _with_source(spec.run(args, lang, store))
    except ApiError as exc:
        return _error("; ".join(_problem_text(p) for p in exc.problems))
    except Exception:  # never a traceback to the client; the log keeps it
        log.exception("tool %s failed", name)
        return _error(f"{name}: internal error; the server's log says why")
    text = json.dumps(answer, ensure_ascii=False, default=str)
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=answer)


def build_server(
    store: DataStore | Callable[[], DataStore] | None = None, lang: str = i18n.DEFAULT
) -> Server:
    """The MCP server over ``store`` (a store, or a function giving the current one: new data is picked
    up between calls; default the app's data) with tool descriptions in ``lang``."""
    lang = i18n.valid(lang) or i18n.DEFAULT
    current: Callable[[], DataStore] = (
        store if callable(store) else (lambda: store) if store is not None else get_store
    )

    async def on_list_tools(_ctx: Any, _params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        with i18n.use(lang):
            return types.ListToolsResult(tools=[t.tool() for t in TOOLS])

    async def on_call_tool(_ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        return call(params.name, params.arguments or {}, current(), lang)

    with i18n.use(lang):
        instructions = _(
            "Kazakhstan's migration figures (Migration Tracking Matrix), read-only. Every figure carries its "
            "source document and verbatim quote; value null with status not_reported means no source printed "
            "it: say 'not reported', never 0. Derived figures say how they were computed."
        )
    return Server(
        SERVER_NAME,
        version=_version(),
        title="MTM Dashboard",
        instructions=instructions,
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )


def _version() -> str:
    try:
        return version("mtm-dashboard")
    except PackageNotFoundError:
        return "0"


async def serve_stdio(server: Server) -> None:
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def run(data: Path | None = None, lang: str = i18n.DEFAULT) -> int:
    """`mtm mcp`: serve over stdin/stdout until the client closes them."""
    directory = data / "parquet" if data is not None else DEFAULT_DIR
    get_store(directory)  # fail now, with the reason, when there is no data
    anyio.run(serve_stdio, build_server(lambda: get_store(directory), lang))
    return 0
