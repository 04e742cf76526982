"""The data API's query parameters: pydantic models that check each value's shape (type, allowed values,
length), and the one place a request's parameters are read.

The figures endpoint takes the explorer's own link parameters (``dashboard.state``): these models check
the shape, then ``state.parse_query_strict`` (the explorer's parser in strict mode) checks the values
against the catalogue and the data. Where the explorer corrects a value silently and says so in a notice,
the API answers 400 with every problem: the parameter, the value given and what is allowed. The same
models make the OpenAPI document (``dashboard/api/openapi.py``), so the schema is what is checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeAlias
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.datastructures import MultiDict

from dashboard import i18n
from dashboard.catalogue import english_catalogue
from dashboard.data import DataStore
from dashboard.periods import PERIOD_EXAMPLES, PERIOD_TYPES, PeriodError, parse_period
from dashboard.state import (
    MAX_COUNTRIES,
    MAX_QUERY_LENGTH,
    MAX_TREND_QUARTERS,
    VS_CHOICES,
    ExplorerState,
    Problem,
    infer_period_type,
    parse_query_strict,
)

QUARTER_PATTERN = r"^[0-9]{4}-Q[1-4]$"
# prev, year or a period id of any type (the shapes of dashboard.state.infer_period_type)
VS_PATTERN = (
    r"^(prev|year|[0-9]{4}(-Q[1-4]|-H[12]|-[0-9]{2}(-[0-9]{2})?(\.\.[0-9]{4}-[0-9]{2}(-[0-9]{2})?)?)?)$"
)
FORMATS = ("json", "csv")


def _one_of(values: tuple[str, ...]) -> Any:
    """A Literal of values known at import time (the catalogue's ids): validated, and listed in the schema."""
    return Literal.__getitem__(values)


_CAT = english_catalogue()
INDICATOR_IDS = tuple(i.id for i in _CAT.indicators)
# the measures a view can show: levels (counts, amounts, shares), as the explorer's measure choices
MEASURE_IDS = tuple(m.id for m in _CAT.measures if m.level)
UNIT_IDS = tuple(u.id for u in _CAT.units)
_EXAMPLES = ", ".join(PERIOD_EXAMPLES[t] for t in PERIOD_TYPES)

if TYPE_CHECKING:  # to mypy plain strings; to pydantic Literals of the ids (validated, listed in the schema)
    IndicatorId: TypeAlias = str
    MeasureId: TypeAlias = str
    UnitId: TypeAlias = str
    PeriodType: TypeAlias = str
    Lang: TypeAlias = str
    Format: TypeAlias = str
else:
    IndicatorId = _one_of(INDICATOR_IDS)
    MeasureId = _one_of(MEASURE_IDS)
    UnitId = _one_of(UNIT_IDS)
    PeriodType = _one_of(PERIOD_TYPES)
    Lang = _one_of(i18n.LANGUAGES)
    Format = _one_of(FORMATS)


class CommonParams(BaseModel):
    """``lang`` and ``release``: every endpoint takes them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    lang: Lang | None = Field(
        None,
        description="Language of titles, names and labels: en, ru or kk (default en). Codes never change.",
    )
    release: int | None = Field(
        None,
        ge=1,
        le=999999,
        description="The data as it was at this release (see /api/v1/releases); default: the latest.",
    )


class ViewParams(CommonParams):
    """The explorer's view parameters the explainer and the figures share (same names and defaults as its
    URL)."""

    indicator: IndicatorId | None = Field(
        None, description="Indicator id (see /api/v1/indicators); default: the explorer's first indicator."
    )
    measure: MeasureId | None = Field(
        None, description="Measure: count, amount or share_pct; default: the indicator's own."
    )
    unit: UnitId | None = Field(
        None, description="Unit of the measure (persons, KZT_bn, percent…); default: the indicator's own."
    )
    period: str | None = Field(
        None,
        max_length=40,
        description=(
            f"The period of the breakdown by country, one of the indicator's period types ({_EXAMPLES}); "
            "default: the latest quarter with a breakdown. A period with no figure is answered with "
            "value null and status not_reported."
        ),
    )
    period_type: PeriodType | None = Field(
        None,
        description="The period's type when its id is ambiguous (a bare year: year or ytd); must agree "
        "with the id's shape.",
    )


class FiguresParams(ViewParams):
    """The explorer's view parameters (same names and defaults as its URL), and the answer's format."""

    ptype: PeriodType | None = Field(None, description="The explorer's name for period_type.")
    countries: str | None = Field(
        None,
        max_length=MAX_COUNTRIES * 6,
        description=f"Comma-separated ISO 3166-1 alpha-3 codes (see /api/v1/countries), at most "
        f"{MAX_COUNTRIES}; default: every country in the breakdown and the total.",
    )
    from_: str | None = Field(
        None,
        alias="from",
        pattern=QUARTER_PATTERN,
        description=f"First quarter of the trend; default: the explorer's window (at most "
        f"{MAX_TREND_QUARTERS} quarters in all).",
    )
    to: str | None = Field(None, pattern=QUARTER_PATTERN, description="Last quarter of the trend.")
    drill: str | None = Field(
        None, pattern=QUARTER_PATTERN, description="A quarter of the trend whose months are added."
    )
    format: Format = Field("json", description="json (default) or csv (the explorer's CSV download).")


class ExplainParams(ViewParams):
    """The explainer's view (the explorer's parameters it depends on) and what it is compared with."""

    vs: str | None = Field(
        None,
        max_length=40,
        pattern=VS_PATTERN,
        description=(
            "Compared with: prev (the previous period of the same length; default), year (the same period "
            f"a year earlier) or a period id of the view's type ({_EXAMPLES}). A pair that cannot be "
            "compared is answered with refused true and the reason, not an error."
        ),
    )


class ApiError(Exception):
    """A request the API refuses: its status and every problem found."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem], status: int = 400):
        super().__init__("; ".join(f"{p.parameter}: {p.message}" for p in problems))
        self.problems = tuple(problems)
        self.status = status

    def body(self) -> dict:
        first = self.problems[0] if self.problems else None
        summary = f"{first.parameter}: {first.message}" if first else "bad request"
        return {
            "error": {
                "status": self.status,
                "message": summary,
                "problems": [
                    {"parameter": p.parameter, "value": p.value, "allowed": p.allowed, "message": p.message}
                    for p in self.problems
                ],
            }
        }


def _single(args: MultiDict[str, str], names: frozenset[str]) -> dict[str, str]:
    """The request's parameters as one value each; refuses repeated and (with the model) unknown ones."""
    problems = []
    for name in args:
        values = args.getlist(name)
        if len(values) > 1:
            problems.append(Problem(name[:40], ", ".join(values)[:80], "one value", "given more than once"))
    if problems:
        raise ApiError(problems)
    out = dict(args.items())
    total = sum(len(k) + len(v) + 2 for k, v in out.items())
    if total > MAX_QUERY_LENGTH:
        raise ApiError([Problem("query", f"{total} characters", f"at most {MAX_QUERY_LENGTH}", "too long")])
    unknown = sorted(set(out) - names)
    if unknown:
        allowed = ", ".join(sorted(names))
        raise ApiError([Problem(n[:40], out[n][:40], allowed, "unknown parameter") for n in unknown])
    return out


def _problems_of(exc: ValidationError, given: Mapping[str, str]) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        name = str(err["loc"][0]) if err["loc"] else "query"
        ctx = err.get("ctx") or {}
        allowed = ctx.get("expected") or ctx.get("pattern") or _bound(ctx) or err["msg"]
        value = given.get(name, "")
        out.append(Problem(name, str(value)[:40], str(allowed), err["msg"]))
    return out


def _bound(ctx: dict) -> str | None:
    for key, word in (("ge", ">="), ("le", "<="), ("max_length", "length <=")):
        if key in ctx:
            return f"{word} {ctx[key]}"
    return None


def _names(model: type[BaseModel]) -> frozenset[str]:
    return frozenset((f.alias or n) for n, f in model.model_fields.items())


def common_params(args: MultiDict[str, str]) -> CommonParams:
    """``lang`` and ``release`` of a request to any endpoint but figures (ApiError when they are bad)."""
    given = _single(args, _names(CommonParams))
    try:
        return CommonParams.model_validate(given)
    except ValidationError as exc:
        raise ApiError(_problems_of(exc, given)) from None


def figures_params(args: MultiDict[str, str]) -> FiguresParams:
    """The figures endpoint's parameters, checked for shape (ApiError when any is bad)."""
    given = _single(args, _names(FiguresParams))
    try:
        return FiguresParams.model_validate(given)
    except ValidationError as exc:
        raise ApiError(_problems_of(exc, given)) from None


def explain_params(args: MultiDict[str, str]) -> ExplainParams:
    """The explain endpoint's parameters, checked for shape (ApiError when any is bad)."""
    given = _single(args, _names(ExplainParams))
    try:
        return ExplainParams.model_validate(given)
    except ValidationError as exc:
        raise ApiError(_problems_of(exc, given)) from None


def resolve_view(params: ViewParams, store: DataStore) -> ExplorerState:
    """The view these parameters ask for, through the explorer's parser in strict mode: ApiError with
    every problem (unknown indicator or country, a measure the indicator has no figures in, a malformed
    period, ``from`` after ``to``, an unknown release…)."""
    given = params.model_dump(by_alias=True, exclude_none=True, exclude={"format"})
    state, problems = parse_query_strict(urlencode({k: str(v) for k, v in given.items()}), store)
    if problems:
        raise ApiError(problems)
    return state


def lang_of(params: CommonParams) -> str:
    return params.lang or i18n.DEFAULT


def resolve_explain(params: ExplainParams, store: DataStore) -> ExplorerState:
    """The view to explain. The explorer's parser replaces a ``vs`` it cannot compare with by prev (with a
    notice); here a well-formed period id is kept, so the explainer answers why the pair cannot be compared
    (another kind of period, the same period, nothing reported), and anything else is a 400."""
    state = resolve_view(params, store)
    vs = params.vs
    if vs is None or vs == state.vs:
        return state
    ptype = infer_period_type(vs, "ytd" if state.period_type == "ytd" else None)
    if vs not in VS_CHOICES and ptype is not None and _readable(vs, ptype):
        return state.with_(vs=vs)
    example = PERIOD_EXAMPLES.get(state.period_type, PERIOD_EXAMPLES["quarter"])
    allowed = f"prev, year or a period id like {example}"
    raise ApiError([Problem("vs", vs[:40], allowed, "not prev, year or a period id")])


def _readable(pid: str, ptype: str) -> bool:
    """A period id of the right shape that is also a real period (not month 13, not 2023-02-30)."""
    try:
        parse_period(pid, ptype)
    except PeriodError:
        return False
    return True
