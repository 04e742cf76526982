"""Languages in the browser: the switch keeps the view and changes chart titles and the URL; the browser's
language is the default; RU and KK pages show no untranslated English UI or catalogue text; axe per
language."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from dashboard import i18n
from dashboard.catalogue import catalogue, english_catalogue
from dashboard.i18n_check import messages
from tests.browser import wait_for_chart_summaries, watch
from tests.test_a11y import BLOCKING, describe, run_axe, wait_ready

PAGES = ("/", "/explore", "/country/UZB", "/briefing?period=2023-Q2")
PLACEHOLDER = re.compile(r"\{[^}]*\}")

# Every text node and every labelling attribute of the page (chart SVG text included), not script bodies.
PAGE_STRINGS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const parent = n.parentElement && n.parentElement.tagName;
    if (parent === 'SCRIPT' || parent === 'STYLE' || parent === 'NOSCRIPT') continue;
    const t = n.nodeValue.replace(/\\s+/g, ' ').trim();
    if (t) out.push(t);
  }
  for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')) {
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  return out;
}"""


def squash(text: str | None) -> str:
    """Chart titles wrap into SVG tspans, which join without spaces: compare without whitespace."""
    return re.sub(r"\s+", "", text or "")


def english_texts(lang: str) -> tuple[set[str], set[str]]:
    """(whole texts, fragments): the English UI messages and catalogue texts a ``lang`` page must not show.
    Messages whose translation is the same word (e.g. 'CSV') are left out."""
    translations = i18n.translations(lang)
    whole: set[str] = set()
    fragments: set[str] = set()
    for _f, _line, msgid in messages():
        for text in msgid if isinstance(msgid, tuple) else (msgid,):
            if not text or translations.gettext(text) == text:
                continue
            parts = [p.strip(" .,:;()") for p in PLACEHOLDER.split(text)]
            if len(parts) == 1:
                whole.add(parts[0])
            fragments.update(p for p in parts if len(p) >= 16)
    en, local = english_catalogue(), english_catalogue().localized(lang)
    for kind in ("indicators", "domains", "measures", "units", "country_groups"):
        for e_item, l_item in zip(getattr(en, kind), getattr(local, kind), strict=True):
            for field in type(e_item).TEXT:
                e_val, l_val = getattr(e_item, field), getattr(l_item, field)
                if isinstance(e_val, dict):  # a unit's words by plural category: English ones must not show
                    local_words = set(l_val.values())
                    whole.update(w for w in e_val.values() if w not in local_words)
                    continue
                for e_text, l_text in zip(
                    e_val if isinstance(e_val, tuple) else (e_val,),
                    l_val if isinstance(l_val, tuple) else (l_val,),
                    strict=True,
                ):
                    if e_text and e_text != l_text:
                        (fragments if len(e_text) >= 16 else whole).add(e_text)
    return whole, fragments


def untranslated(strings: list[str], lang: str) -> list[str]:
    whole, fragments = english_texts(lang)
    text = "\n".join(strings)
    found = [s for s in strings if s in whole]
    found += [f"…{f}…" for f in fragments if f in text]
    return sorted(set(found))


def open_page(
    browser, base_url, path: str, lang: str | None = None, locale: str = "en-GB", width: int = 1440
):
    ctx = browser.new_context(viewport={"width": width, "height": 1000}, locale=locale, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(20000)
    page.watch = watch(page)
    sep = "&" if "?" in path else "?"
    page.goto(base_url + path + (f"{sep}lang={lang}" if lang else ""))
    wait_ready(page, path)
    return ctx, page


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ru", "kk"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_show_no_untranslated_english(browser, base_url, path, lang):
    ctx, page = open_page(browser, base_url, path, lang)
    try:
        wait_for_chart_summaries(page)  # copied in after the charts draw: their text is checked too
        if path == "/explore":  # Dash's own dropdown texts show only when it is open and finds nothing
            page.click("#countries")
            page.keyboard.type("zzz")
            page.wait_for_selector(".dash-dropdown-content, [role=listbox]")
        strings = page.evaluate(PAGE_STRINGS)
        assert page.evaluate("document.documentElement.lang") == lang
        assert not page.watch.console_errors, page.watch.console_errors
    finally:
        ctx.close()
    assert len(strings) > 20
    leftovers = untranslated(strings, lang)
    assert not leftovers, f"untranslated English on {path} in {lang}: {leftovers[:20]}"


def test_the_check_catches_english():
    # the detector itself: English UI and catalogue text is found, translated text and numbers pass
    title = english_catalogue().indicator("trp_issued").title
    found = untranslated([title, "Overview", "Обзор", "308 710"], "ru")
    assert "Overview" in found and any(title in f for f in found)
    assert not any("Обзор" in f or "308" in f for f in found)
    definition = english_catalogue().indicator("visas_issued").definition
    assert untranslated(["Визы. " + definition], "kk") == [f"…{definition}…"]


@pytest.mark.browser
def test_language_switch_keeps_the_view_and_translates_the_charts(browser, base_url):
    query = "/explore?indicator=remittance_outflow&period=2023-Q2&countries=UZB,RUS"
    ctx, page = open_page(browser, base_url, query, "en")
    try:
        title = squash(page.locator("#map .gtitle").text_content())
        assert squash("Remittances sent from Kazakhstan") in title
        for lang in ("ru", "kk"):
            page.click(f".lang-switch a[data-lang={lang}]")
            page.wait_for_url(re.compile(f"lang={lang}"))
            wait_ready(page, "/explore")
            assert "indicator=remittance_outflow" in page.url and "countries=UZB,RUS" in page.url
            assert page.evaluate("document.documentElement.lang") == lang
            with i18n.use(lang):
                expected = catalogue().indicator("remittance_outflow").title
                overview = i18n.gettext("Overview")
            page.wait_for_function(
                "(t) => ((document.querySelector('#map .gtitle') || {}).textContent || '')"
                ".replace(/\\s+/g, '').includes(t)",
                arg=squash(expected),
            )
            assert squash(expected) in squash(page.locator("#series .gtitle").text_content())
            assert overview in page.locator("header nav").first.inner_text()
            assert page.locator(f".lang-switch a[data-lang={lang}]").get_attribute("aria-current") == "true"
        # in-app navigation keeps the language: the overview link
        page.click("header nav a.nav-link >> nth=0")
        page.wait_for_selector("#page > *")
        assert "lang=kk" in page.url
        assert not page.watch.console_errors, page.watch.console_errors
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "lang"), [("ru-RU", "ru"), ("kk-KZ", "kk"), ("de-DE", "en")])
def test_the_browser_language_is_the_default(browser, base_url, locale, lang):
    ctx, page = open_page(browser, base_url, "/explore", locale=locale)
    try:
        assert page.evaluate("document.documentElement.lang") == lang
        page.wait_for_url(re.compile(f"lang={lang}"))  # the explorer writes its state, language included
        with i18n.use(lang):
            expected = catalogue().indicator("trp_issued").title
        assert squash(expected) in squash(page.locator("#map .gtitle").text_content())
    finally:
        ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ru", "kk"])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_violation_per_language(browser, base_url, path, lang):
    ctx, page = open_page(browser, base_url, path, lang)
    try:
        violations = run_axe(page)
    finally:
        ctx.close()
    print(f"axe {path} [{lang}]: {dict(Counter(v['id'] for v in violations))}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core violations on {path} in {lang}:\n{describe(blocking)}"


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "download"),
    [
        ("en", "Download plot as a PNG"),
        ("ru", "Сохранить в формате PNG"),
        ("kk", "Диаграмманы PNG ретінде жүктеп алу"),  # our locale: plotly.js ships no Kazakh one
    ],
)
def test_plotly_chart_controls_speak_the_language(browser, base_url, lang, download):
    ctx, page = open_page(browser, base_url, "/explore", lang)
    try:
        titles = page.eval_on_selector_all(
            "#series .modebar-btn", "els => els.map(e => e.getAttribute('data-title'))"
        )
    finally:
        ctx.close()
    assert download in titles, titles
    # and never plotly.js 4's "Share chart..." button, which uploads the figure to Plotly Cloud
    assert not any(t and t.startswith(("Share chart", "Поделиться")) for t in titles), titles


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["ru", "kk"])
@pytest.mark.parametrize("path", PAGES)
def test_longer_words_still_fit_320px(browser, base_url, path, lang):
    # Russian and Kazakh labels run longer than English: the page must still not scroll sideways
    ctx, page = open_page(browser, base_url, path, lang, width=320)
    try:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert not page.watch.console_errors, page.watch.console_errors
    finally:
        ctx.close()
    assert overflow <= 1, f"{path} in {lang} scrolls sideways by {overflow}px at 320px"
