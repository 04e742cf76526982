"""The data API's answers as pydantic models: they describe the responses in the OpenAPI document
(``dashboard/api/openapi.py``) and the tests validate real answers against them. The service builds plain
dicts (faster); a field added there and not here fails the schema tests (every model forbids extras)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

from dashboard.explain import REFUSALS


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


Status = Literal["published", "derived", "not_reported", "withdrawn"]


class Meta(_Closed):
    api_version: str
    data_version: str = Field(description="Short hash of the data set: changes with every build or import.")
    release: int | None = Field(description="The release the answer shows (the latest unless asked).")
    latest_release: int | None
    lang: Literal["en", "ru", "kk"]


class View(_Closed):
    indicator: str
    indicator_title: str
    measure: str
    unit: str
    period: str
    period_type: str
    countries: list[str]
    from_: str = Field(alias="from")
    to: str
    drill: str | None


class FiguresMeta(Meta):
    view: View = Field(description="The view answered, with the explorer's defaults filled in.")
    explorer: str = Field(description="The same view in the explorer (a path on this host).")
    note: str
    count: int


class Period(_Closed):
    id: str
    type: str
    label: str = Field(description="In the answer's language.")
    start: str = Field(description="First day (ISO 8601).")
    end: str | None = Field(description="Last day (ISO 8601); null for a year-to-date with no stated end.")


class Source(_Closed):
    source_id: str
    document_id: str
    document: str
    publisher: str
    kind: str = Field(description="iom_report, agency_release or news")
    published: str | None
    published_basis: str = Field(description="url, text or estimated: how the publication date is known")
    agency: str
    url: str
    quote: str = Field(description="The figure's sentence in the source, verbatim.")


class Alternative(_Closed):
    value: float
    rank: int = Field(description="1: chosen by the precedence rule (IOM report, agency, news; then newer)")
    preferred: bool
    source: Source | None


class Derivation(_Closed):
    text: str | None = Field(description="How it was computed, in the answer's language.")
    data: dict | None = Field(description="The same as data: kind, inputs and unsure inputs.")
    from_: list[str] = Field(alias="from", description="The source rows it was computed from.")


class Revised(_Closed):
    release: int
    previous_value: float | None
    reason: str | None


class RevisionChange(_Closed):
    release: int
    change: Literal["revised", "withdrawn"]
    value: float | None
    previous_value: float | None
    reason: str | None
    document: str


class FigureRecord(_Closed):
    indicator: str
    measure: str
    unit: str
    unit_label: str
    country_iso3: str = Field(description="ISO 3166-1 alpha-3; TOT the total, OTH other countries")
    country: str
    period: Period
    value: float | None = Field(description="null: not reported (never 0) or withdrawn")
    status: Status
    derivation: Derivation | None
    conflict: bool = Field(description="The sources printing this figure disagree (see alternatives).")
    n_sources: int
    alternatives: list[Alternative]
    revised: Revised | None = Field(description="This value revised an earlier one of the same document.")
    revisions: list[RevisionChange]
    sources: list[Source]


class FiguresAnswer(_Closed):
    meta: FiguresMeta
    data: list[FigureRecord]


class IdLabel(_Closed):
    id: str
    title: str


class Counterpart(_Closed):
    id: str
    meaning: str


class MeasureItem(_Closed):
    id: str
    label: str
    level: bool


class UnitItem(_Closed):
    id: str
    label: str
    short: str
    kind: str


class Default(_Closed):
    measure: str
    unit: str


class Coverage(_Closed):
    measure: str
    unit: str
    figures: int
    period_types: list[str]
    first_day: str | None
    last_day: str | None


class IndicatorRecord(_Closed):
    id: str
    title: str
    short_title: str
    definition: str
    domain: IdLabel
    kind: Literal["flow", "stock"]
    counterpart: Counterpart
    measures: list[MeasureItem]
    units: list[UnitItem]
    period_types: list[str]
    cadence: str
    default: Default
    notes: list[str]
    coverage: list[Coverage] = Field(description="What the data holds, per measure and unit.")


class IndicatorsAnswer(_Closed):
    meta: Meta
    data: list[IndicatorRecord]


class IndicatorAnswer(_Closed):
    meta: Meta
    data: IndicatorRecord


class Country(_Closed):
    iso3: str
    name: str
    figures: int
    indicators: list[str]


class Group(_Closed):
    id: str
    title: str
    members: list[str]


class PseudoCode(_Closed):
    code: str
    name: str
    figures: int


class CountriesAnswer(_Closed):
    meta: Meta
    data: list[Country]
    groups: list[Group]
    pseudo_codes: list[PseudoCode]


class Document(_Closed):
    document_id: str
    document: str
    publisher: str
    kind: str
    published: str | None
    published_basis: str
    agencies: list[str]
    urls: list[str]
    figures: int


class SourcesAnswer(_Closed):
    meta: Meta
    data: list[Document]


class AddedGroup(_Closed):
    indicator: str
    title: str
    figures: int
    periods: str
    countries: str


class ChangeItem(_Closed):
    indicator: str
    period: str
    period_type: str
    country_iso3: str
    measure: str
    unit: str
    figure: str
    document: str
    value: float | None
    previous_value: float | None
    reason: str | None


class Counts(_Closed):
    added: int
    revised: int
    withdrawn: int


class ReleaseRecord(_Closed):
    release: int
    at: str | None
    kind: str
    kind_label: str
    title: str
    by: str
    note: str
    file: str
    file_sha256: str
    sha256: str
    counts: Counts
    summary: str
    added: list[AddedGroup]
    revised: list[ChangeItem]
    withdrawn: list[ChangeItem]


class ReleasesAnswer(_Closed):
    meta: Meta
    data: list[ReleaseRecord]


class ProblemItem(_Closed):
    parameter: str = Field(description="The query parameter (or path, query, request) refused.")
    value: str = Field(description="The value given (cut to a few dozen characters).")
    allowed: str = Field(description="What is allowed there.")
    message: str


class ErrorBody(_Closed):
    status: int
    message: str
    problems: list[ProblemItem]


class ErrorAnswer(_Closed):
    error: ErrorBody


# -- the change explainer (/explain: dashboard/explain.py's Explanation.to_dict()) -----------------------
if TYPE_CHECKING:
    RefusalCode: TypeAlias = str
else:  # to pydantic a Literal of the explainer's refusal codes (validated, listed in the schema)
    RefusalCode = Literal.__getitem__(tuple(REFUSALS))
LevelStatus = Literal["published", "derived", "not_reported"]


class ExplainView(_Closed):
    indicator: str
    indicator_title: str
    measure: str
    unit: str
    period: str
    period_type: str
    vs: str = Field(description="prev, year or the period id compared with, as asked.")


class ExplainMeta(Meta):
    view: ExplainView = Field(description="The view explained, with the explorer's defaults filled in.")
    explorer: str = Field(
        description="The same view in the explorer, with its explainer (a path on this host)."
    )


class ExplainLevel(_Closed):
    value: float | None = Field(description="null: not reported (never 0)")
    status: LevelStatus
    conflict: bool = Field(description="Chosen among sources that differ.")
    documents: list[str] = Field(description="The source documents of the value.")


class ExplainSide(_Closed):
    period: str
    period_type: str
    label: str = Field(description="In the answer's language.")
    total: ExplainLevel
    countries: dict[str, ExplainLevel] = Field(description="By ISO3: the countries the period's list names.")
    printed_other: ExplainLevel | None = Field(description="A printed 'other countries' (OTH), kept apart.")
    shares: dict[str, ExplainLevel] = Field(description="Printed shares (percent), by ISO3.")
    partial: str | None = Field(description="Why the period is incomplete in the data, if it is.")


class TotalChangeRecord(_Closed):
    absolute: float | None
    pct: float | None
    status: LevelStatus = Field(
        description="published: the source printed the change; derived: computed here"
    )
    computed_pct: float | None = Field(
        description="The levels' own change, when it differs from a printed one."
    )
    conflict: bool = Field(description="Printed and computed changes disagree.")


class ContributionRecord(_Closed):
    country: str = Field(description="ISO3, or OTH: the total minus the countries listed in both periods")
    before: float | None
    after: float | None
    change: float | None
    change_pct: float | None
    share_of_change: float | None = Field(description="Percent of the total change; null when it is 0.")
    derived: bool
    conflict: bool
    other_documents: bool = Field(description="The two periods' figures come from different documents.")


class ListedRecord(_Closed):
    country: str
    period: str = Field(description="The one period whose list names it (no change is stated).")
    value: float | None
    derived: bool


class ConcentrationRecord(_Closed):
    country: str
    before: float | None = Field(description="Share, percent")
    after: float | None
    before_status: LevelStatus
    after_status: LevelStatus
    proven: bool
    conflict: bool


class SentenceRecord(_Closed):
    text: str = Field(description="In the answer's language.")
    href: str = Field(description="The explorer view that proves it (a path on this host).")
    rule: str


class ExplanationRecord(_Closed):
    refused: bool = Field(description="The two periods cannot be compared: see refusal and message.")
    indicator: str
    measure: str
    unit: str
    ok: bool
    current: ExplainSide | None
    base: ExplainSide | None = Field(description="The period compared with.")
    total: TotalChangeRecord | None
    contributions: list[ContributionRecord] = Field(
        description="Ranked by size; they add up to the total change."
    )
    listed_once: list[ListedRecord] = Field(description="Countries listed in one period only.")
    concentration: ConcentrationRecord | None
    sentences: list[SentenceRecord]
    caveats: list[str] = Field(description="The indicator's notes and partial periods that bear on it.")
    refusal: RefusalCode | None = Field(description="Why it was refused (a stable code).")
    message: str | None = Field(description="The refusal in words, in the answer's language.")
    href: str | None = Field(description="The explorer view of the two periods (a path on this host).")


class ExplainAnswer(_Closed):
    meta: ExplainMeta
    data: ExplanationRecord
