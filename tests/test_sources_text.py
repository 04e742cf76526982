"""The one 'Source: …' line, in its two forms (chart footers and overview cards), in each language."""

from __future__ import annotations

import pytest

from dashboard import i18n
from dashboard.sources_text import sources_line


def test_footer_form():
    assert sources_line([]) == ""
    assert sources_line(["", ""]) == ""
    assert sources_line(["A"]) == "Source: A"
    assert sources_line(["A", "A"]) == "Source: A"  # distinct titles
    assert sources_line(["A", "", "B", "A"]) == "Sources: A; B"
    assert sources_line(["A", "B", "C"]) == "Sources: A; B; C"
    assert sources_line(["A", "B", "C", "D", "E"]) == "Sources: A; B; C; and 2 more"
    assert sources_line(["A", "B", "C"], max_items=1) == "Sources: A; and 2 more"
    assert sources_line(["A", "B"], max_items=0) == "Sources: A; and 1 more"  # at least one title


def test_compact_form_of_the_overview_cards():
    assert sources_line([], 2, compact=True) == "Source: "
    assert sources_line(["A"], 2, compact=True) == "Source: A"
    assert sources_line(["A", "B"], 2, compact=True) == "Source: A; B"
    assert sources_line(["A", "B", "C"], 2, compact=True) == "Source: A; B and 1 more"
    assert sources_line(["A", "B", "C", "D", "E"], 2, compact=True) == "Source: A; B and 3 more"


@pytest.mark.parametrize(
    ("lang", "footer", "card"),
    [
        ("ru", "Источники: A; B; C; и ещё 3", "Источник: A; B и ещё 4"),
        ("kk", "Дереккөздер: A; B; C; және тағы 3", "Дереккөз: A; B және тағы 4"),
    ],
)
def test_both_forms_are_translated(lang, footer, card):
    with i18n.use(lang):
        assert sources_line(list("ABCDEF")) == footer
        assert sources_line(list("ABCDEF"), 2, compact=True) == card
