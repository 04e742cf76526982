"""The indicator catalogue: catalogue.yaml validated into frozen, typed models.

Every title, unit, definition and display default in the dashboard comes from here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from dashboard import i18n
from dashboard.periods import PERIOD_TYPES

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Translatable(_Frozen):
    """An item whose text fields (``TEXT``) are translated in the YAML under ``translations: {ru: {...}}``."""

    TEXT: ClassVar[tuple[str, ...]] = ()
    translations: dict[str, dict[str, Any]] = {}

    @model_validator(mode="after")
    def _known_translations(self) -> _Translatable:
        for lang, fields in self.translations.items():
            if lang not in i18n.LANGUAGES or lang == i18n.DEFAULT:
                raise ValueError(f"{self}: translations for unknown language {lang!r}")
            unknown = set(fields) - set(self.TEXT)
            if unknown:
                raise ValueError(
                    f"{lang}: {sorted(unknown)} are not translatable fields of {type(self).__name__}"
                )
        return self

    def localized(self, lang: str):
        """This item with its text in ``lang`` (English where a translation is missing)."""
        fields = self.translations.get(lang)
        if not fields:
            return self
        update = {k: tuple(v) if isinstance(getattr(self, k), tuple) else v for k, v in fields.items()}
        return self.model_copy(update=update)

    def missing_translations(self, lang: str) -> list[str]:
        fields = self.translations.get(lang, {})
        return [f for f in self.TEXT if getattr(self, f) and not fields.get(f)]


class Domain(_Translatable):
    TEXT = ("title", "description")
    id: str
    title: str
    description: str
    # the chart kinds the quarterly briefing tries, in order, for each indicator of this domain's section
    briefing_charts: tuple[str, ...] = ("donut", "series", "countries")


class Unit(_Translatable):
    TEXT = ("label", "short", "counted")
    id: str
    label: str
    short: str
    kind: Literal["count", "money", "percent"]
    decimals: int
    counted: dict[str, str] = {}  # word after a number, by CLDR plural category (one, few, many, other)


class Measure(_Translatable):
    TEXT = ("label",)
    id: str
    label: str
    level: bool  # a level (count, amount, share) rather than a change


class CountryGroup(_Translatable):
    TEXT = ("title",)
    id: str
    title: str
    members: tuple[str, ...] = ()
    complement_of: str | None = None


class Display(_Frozen):
    measure: str
    unit: str


class BriefingPlace(_Frozen):
    """Where an indicator stands in the quarterly briefing: its position in its domain's section, or why
    it is left out. Every indicator says one or the other, so none is dropped without a decision."""

    order: int | None = None
    excluded: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> BriefingPlace:
        if (self.order is None) == (not self.excluded):
            raise ValueError("briefing: give either an order or the reason it is excluded, not both")
        return self


class ExplorerDefaults(_Frozen):
    default_indicator: str
    trend_quarters: int  # quarters the trend shows at first, ending with the latest quarter in the data


# What an agency can print, by kind: a flow is counted over a span of time (a month, quarter, half-year,
# year, or cumulatively from January); a stock is counted on a day (or in a survey's month or quarter),
# so it has no half-year, year or year-to-date.
PERIOD_TYPES_OF_KIND = {
    "flow": frozenset({"month", "quarter", "half", "ytd", "year"}),
    "stock": frozenset({"date", "month", "quarter"}),
}
# The kind of unit each measure is stated in (a level: the indicator's count or money unit).
PERCENT_MEASURES = frozenset({"share_pct", "change_pct_yoy", "change_pct_prev"})
UNIT_KIND_OF_LEVEL = {"count": "count", "amount": "money"}


class Indicator(_Translatable):
    TEXT = ("title", "short_title", "definition", "notes")
    id: str
    title: str
    short_title: str
    definition: str
    domain: str
    kind: Literal["flow", "stock"]
    counterpart: str
    measures: tuple[str, ...]
    units: tuple[str, ...]
    granularities: tuple[str, ...]
    cadence: Literal["month", "quarter", "year"]
    default: Display
    briefing: BriefingPlace
    notes: tuple[str, ...] = ()

    @property
    def level_units(self) -> tuple[str, ...]:
        """Units a level of this indicator is published in (not percent)."""
        return tuple(u for u in self.units if u != "percent")


class Catalogue(_Frozen):
    domains: tuple[Domain, ...]
    units: tuple[Unit, ...]
    measures: tuple[Measure, ...]
    counterparts: dict[str, str]
    counterpart_translations: dict[str, dict[str, str]] = {}
    country_groups: tuple[CountryGroup, ...]
    indicators: tuple[Indicator, ...]
    explorer: ExplorerDefaults

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:  # noqa: C901  (one flat `if` per catalogue rule, in reading order)
        ids = {
            "domain": {d.id for d in self.domains},
            "unit": {u.id for u in self.units},
            "measure": {m.id for m in self.measures},
        }
        seen: set[str] = set()
        for ind in self.indicators:
            if ind.id in seen:
                raise ValueError(f"indicator {ind.id!r} is declared twice")
            seen.add(ind.id)
            if ind.domain not in ids["domain"]:
                raise ValueError(f"{ind.id}: unknown domain {ind.domain!r}")
            if ind.counterpart not in self.counterparts:
                raise ValueError(f"{ind.id}: unknown counterpart {ind.counterpart!r}")
            for m in ind.measures:
                if m not in ids["measure"]:
                    raise ValueError(f"{ind.id}: unknown measure {m!r}")
            for u in ind.units:
                if u not in ids["unit"]:
                    raise ValueError(f"{ind.id}: unknown unit {u!r}")
            for g in ind.granularities:
                if g not in PERIOD_TYPES:
                    raise ValueError(f"{ind.id}: unknown granularity {g!r}")
                if g not in PERIOD_TYPES_OF_KIND[ind.kind]:
                    raise ValueError(f"{ind.id}: a {ind.kind} has no {g} figures")
            if ind.default.measure not in ind.measures or ind.default.unit not in ind.units:
                raise ValueError(f"{ind.id}: default measure/unit not among its measures/units")
            problem = self._measure_unit_problem(ind)
            if problem:
                raise ValueError(f"{ind.id}: {problem}")
        if not self.has_indicator(self.explorer.default_indicator):
            raise ValueError(f"explorer: unknown default indicator {self.explorer.default_indicator!r}")
        groups = {g.id for g in self.country_groups}
        for group in self.country_groups:  # not `g`: above, `g` names a granularity (a str)
            if group.complement_of and group.complement_of not in groups:
                raise ValueError(f"group {group.id}: complement of unknown group {group.complement_of!r}")
        return self

    def _measure_unit_problem(self, ind: Indicator) -> str | None:
        """Why the indicator's measures and units cannot go together (a share without percent...), or None."""
        kinds = {self.unit(u).kind for u in ind.units}
        if PERCENT_MEASURES & set(ind.measures) and "percent" not in kinds:
            return "shares and percentage changes need the unit percent"
        if "share_pct" in ind.measures and ind.counterpart == "none":
            return "a share of the total needs a country breakdown (counterpart)"
        for m in set(ind.measures) & set(UNIT_KIND_OF_LEVEL):
            if UNIT_KIND_OF_LEVEL[m] not in kinds:
                return f"the measure {m} needs a {UNIT_KIND_OF_LEVEL[m]} unit"
        return None

    def unit_problem(self, measure: str, unit: str) -> str | None:
        """Why a figure's unit does not fit its measure (a share is in percent, a count in a count unit), or
        None. Checks one row; the indicator's own lists are checked separately."""
        kind = self.unit(unit).kind
        if measure in PERCENT_MEASURES and kind != "percent":
            return f"{measure} is stated in percent"
        if measure in UNIT_KIND_OF_LEVEL and kind != UNIT_KIND_OF_LEVEL[measure]:
            return f"a {measure} is stated in a {UNIT_KIND_OF_LEVEL[measure]} unit"
        if measure == "change_abs_prev" and kind == "percent":
            return "an absolute change is stated in the level's unit"
        return None

    def briefing_sections(self) -> tuple[tuple[Domain, tuple[Indicator, ...]], ...]:
        """The quarterly briefing's sections: each domain with its placed indicators, in order."""
        out = []
        for d in self.domains:
            placed = [i for i in self.indicators_in(d.id) if i.briefing.order is not None]
            out.append((d, tuple(sorted(placed, key=lambda i: i.briefing.order or 0))))
        return tuple(out)

    def localized(self, lang: str) -> Catalogue:
        """The catalogue with every text field in ``lang`` (English where a translation is missing)."""
        if lang == i18n.DEFAULT:
            return self
        return self.model_copy(
            update={
                "domains": tuple(d.localized(lang) for d in self.domains),
                "units": tuple(u.localized(lang) for u in self.units),
                "measures": tuple(m.localized(lang) for m in self.measures),
                "counterparts": {**self.counterparts, **self.counterpart_translations.get(lang, {})},
                "country_groups": tuple(g.localized(lang) for g in self.country_groups),
                "indicators": tuple(i.localized(lang) for i in self.indicators),
            }
        )

    def missing_translations(self, lang: str) -> list[str]:
        """'kind:id.field' for every text without a ``lang`` translation (the test lists them)."""
        out = []
        for kind, items in (
            ("domain", self.domains),
            ("unit", self.units),
            ("measure", self.measures),
            ("group", self.country_groups),
            ("indicator", self.indicators),
        ):
            out += [f"{kind}:{item.id}.{f}" for item in items for f in item.missing_translations(lang)]
        given = self.counterpart_translations.get(lang, {})
        out += [f"counterpart:{c}" for c in self.counterparts if not given.get(c)]
        return out

    # -- look-ups -------------------------------------------------------------------------------------
    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def has_indicator(self, indicator_id: str) -> bool:
        return any(ind.id == indicator_id for ind in self.indicators)

    def unit(self, unit_id: str) -> Unit:
        return next(u for u in self.units if u.id == unit_id)

    def measure(self, measure_id: str) -> Measure:
        return next(m for m in self.measures if m.id == measure_id)

    def domain(self, domain_id: str) -> Domain:
        return next(d for d in self.domains if d.id == domain_id)

    def indicators_in(self, domain_id: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.domain == domain_id)

    def group(self, group_id: str) -> CountryGroup:
        return next(g for g in self.country_groups if g.id == group_id)

    def group_members(self, group_id: str, universe: set[str] | frozenset[str]) -> frozenset[str]:
        """ISO3 codes of a group; a complement group is taken within ``universe``."""
        g = self.group(group_id)
        if g.complement_of:
            return frozenset(universe) - self.group_members(g.complement_of, universe)
        return frozenset(g.members)


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    with open(path, encoding="utf-8") as fh:
        return Catalogue.model_validate(yaml.safe_load(fh))


@cache
def english_catalogue() -> Catalogue:
    """The shipped catalogue as written (English), loaded once per process (immutable)."""
    return load_catalogue()


@cache
def _catalogue_in(lang: str) -> Catalogue:
    return english_catalogue().localized(lang)


def catalogue() -> Catalogue:
    """The shipped catalogue in the language in force (``i18n.use``); ids and structure never change."""
    return _catalogue_in(i18n.current())
