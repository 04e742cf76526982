"""Events, series breaks and reference values on the time series: validation, drawing, toggle, words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dashboard import a11y, export, i18n, panel_builders
from dashboard.data import get_store
from dashboard.events import EventsError, events, parse_events
from dashboard.figures import events as marks
from dashboard.ids import Ids
from dashboard.periods import parse_period
from dashboard.pipeline.build import BuildError, build_tables
from dashboard.state import parse_query, transition
from tests.fixtures_data import DOCUMENTS_YAML, SOURCE_CSV

GOOD = """\
events:
  - id: first
    date: 2022-09-21
    indicators: [border_arrivals]
    title: A title
    text: A sentence.
    source: {title: A source, url: "https://example.org/a"}
    translations:
      ru: {title: Заголовок, text: Предложение.}
      kk: {title: Тақырып, text: Сөйлем.}
  - id: second
    start: 2023-04-01
    end: 2023-05-31
    kind: break
    indicators: [trp_issued]
    title: A break
    text: The definition changed.
    source: {title: Another source, url: "https://example.org/b"}
    translations:
      ru: {title: Разрыв, text: Определение изменилось.}
      kk: {title: Үзіліс, text: Анықтама өзгерді.}
thresholds: []
"""


def test_a_valid_file_is_read():
    got = parse_events(GOOD)
    assert [e.id for e in got.for_indicator("border_arrivals")] == ["first"]
    assert got.events[1].kind == "break" and got.events[1].first < got.events[1].last


@pytest.mark.parametrize(
    ("old", "new", "says", "entry", "line"),
    [
        ("date: 2022-09-21", "date: 2022-13-40", "date", "first", 2),
        ("indicators: [border_arrivals]", "indicators: [no_such_indicator]", "unknown indicator", "first", 2),
        ("      kk: {title: Тақырып, text: Сөйлем.}\n", "", "missing translation(s): kk", "first", 2),
        ("end: 2023-05-31", "end: 2023-03-01", "before it starts", "second", 11),
        (
            'source: {title: A source, url: "https://example.org/a"}',
            "source: {title: A source}",
            "url",
            "first",
            2,
        ),
        ("id: second", "id: first", "used twice", "first", 11),
    ],
)
def test_a_bad_entry_is_refused_with_its_line_and_id(old, new, says, entry, line):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(EventsError) as err:
        parse_events(text)
    message = str(err.value)
    assert says in message and f"events.yaml line {line}:" in message and f"({entry})" in message, message


def test_the_shipped_file_is_valid_and_cites_known_documents():
    shipped = events()
    assert shipped.events, "events.yaml declares no event"
    known = {d["id"] for d in yaml.safe_load(DOCUMENTS_YAML.read_text())["documents"]}
    for item in (*shipped.events, *shipped.thresholds):
        assert str(item.source.url).startswith("https://") and item.source.title
        if item.source.document_id:  # a document of the project: the same link as documents.yaml gives
            assert item.source.document_id in known, item.id
            doc = next(
                d
                for d in yaml.safe_load(DOCUMENTS_YAML.read_text())["documents"]
                if d["id"] == item.source.document_id
            )
            assert doc["url"] == str(item.source.url)


def test_mtm_build_refuses_a_bad_events_file(tmp_path, monkeypatch):
    bad = tmp_path / "events.yaml"
    bad.write_text(GOOD.replace("indicators: [trp_issued]", "indicators: [nope]"))
    monkeypatch.setattr("dashboard.events.EVENTS_PATH", bad)
    monkeypatch.setattr("dashboard.pipeline.build.load_events", _loader(bad))
    with pytest.raises(BuildError) as err:
        build_tables(SOURCE_CSV, DOCUMENTS_YAML)
    assert "events.yaml line" in str(err.value) and "(second)" in str(err.value) and "nope" in str(err.value)


def _loader(path: Path):
    from dashboard.events import load_events  # noqa: PLC0415  (the real loader, pointed at a test file)

    return lambda **kw: load_events(path, **kw)


# -- drawing ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store():
    return get_store()


def _mobilisation():
    (e,) = [e for e in events().events if "border_arrivals" in e.indicators and e.date]
    return e


def _event_traces(fig) -> list:
    return [t for t in fig.data if (t.meta or {}).get("role") == "events"]


def test_the_trend_marks_the_event_on_the_quarter_that_holds_its_day(store):
    e = _mobilisation()
    quarter = parse_period(f"{e.date.year}-Q{(e.date.month + 2) // 3}", "quarter")
    s = parse_query(f"?indicator=border_arrivals&countries=RUS&from={quarter.id}&to={quarter.id}", store)
    fig = panel_builders.series_panel(store, s).figure
    (trace,) = _event_traces(fig)
    assert list(trace.x) == [quarter.label]
    assert e.id in trace.meta["ids"]
    assert e.text in trace.hovertext[0].replace("<br>", " ") or e.title in trace.hovertext[0]
    assert e.source.title.split(":")[0] in trace.hovertext[0]
    lines = [sh for sh in fig.layout.shapes if sh.name == f"event:{e.id}"]
    assert len(lines) == 1 and lines[0].type == "line"
    assert fig.layout.meta["events"][0]["id"] == e.id


def test_a_range_without_the_event_and_an_unrelated_indicator_have_no_marker(store):
    e = _mobilisation()
    later = f"{e.date.year + 1}-Q1"
    s = parse_query(f"?indicator=border_arrivals&from={later}&to={e.date.year + 1}-Q4", store)
    assert not _event_traces(panel_builders.series_panel(store, s).figure)
    unrelated = next(i for i in ("remittance_outflow", "trp_issued") if not events().for_indicator(i))
    fig = panel_builders.series_panel(store, parse_query(f"?indicator={unrelated}", store)).figure
    assert not _event_traces(fig) and "events" not in (fig.layout.meta or {})


def test_the_toggle_hides_the_markers_and_the_url_keeps_it(store):
    s = parse_query("?indicator=border_arrivals&countries=RUS&from=2022-Q1&to=2023-Q4", store)
    assert s.events and _event_traces(panel_builders.series_panel(store, s).figure)
    hidden = transition(s, Ids.EVENTS_TOGGLE, 1, store)
    assert not hidden.events and "events=off" in hidden.to_query()
    assert not _event_traces(panel_builders.series_panel(store, hidden).figure)
    assert parse_query(hidden.to_query(), store).events is False  # a shared link keeps them hidden
    assert transition(hidden, Ids.EVENTS_TOGGLE, 2, store).events
    assert transition(hidden, Ids.INDICATOR, "trp_issued", store).events is False


def test_the_timeline_marks_events_and_the_quota_reference_with_its_source(store):
    s = parse_query("?indicator=foreign_workers_permit_holders", store)
    fig = panel_builders.spans_panel(store, s).figure
    (trace,) = _event_traces(fig)
    declared = {e.id for e in events().for_indicator("foreign_workers_permit_holders")}
    assert set(trace.meta["ids"]) <= declared and trace.meta["ids"]
    (ref,) = [t for t in fig.data if (t.meta or {}).get("role") == "thresholds"]
    quotas = events().thresholds_for("foreign_workers_permit_holders", "persons")
    assert list(ref.meta["ids"]) == [t.id for t in sorted(quotas, key=lambda t: t.first)]
    for t, text, hover in zip(sorted(quotas, key=lambda t: t.first), ref.text, ref.hovertext, strict=True):
        assert text.startswith(f"{t.value:,.0f}")  # the value as the source states it
        assert t.source.title in hover.replace("<br>", " ")
    hidden = panel_builders.spans_panel(store, s.with_(events=False)).figure
    assert not _event_traces(hidden) and not [t for t in hidden.data if (t.meta or {}).get("role")]


def test_the_summary_and_the_export_notes_say_the_event(store):
    e = _mobilisation()
    s = parse_query("?indicator=border_arrivals&countries=RUS&from=2022-Q1&to=2023-Q4", store)
    panel = panel_builders.series_panel(store, s)
    summary = a11y.summarize(panel.figure)
    assert "Marked events" in summary and e.title in summary and e.text in summary
    assert "0.97" not in summary  # the marker's position is not read as a value
    caption = export.caption_for(s, "series", panel, [], "", "http://x/explore")
    assert any(e.title in n and e.source.title in n for n in caption.notes)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_event_is_said_in_the_page_language(store, lang):
    e = _mobilisation()
    with i18n.use(lang):
        s = parse_query(
            f"?indicator=border_arrivals&countries=RUS&from=2022-Q1&to=2023-Q4&lang={lang}", store
        )
        fig = panel_builders.series_panel(store, s).figure
        summary = a11y.summarize(fig)
    local = e.localized(lang)
    assert local.title != e.title and local.title in summary and local.text in summary
    assert local.title in _event_traces(fig)[0].hovertext[0]


def test_when_text_says_a_span_by_its_days():
    got = parse_events(GOOD)
    assert "–" in marks.when_text(got.events[1]) and "–" not in marks.when_text(got.events[0])
