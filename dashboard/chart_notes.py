"""What a briefing chart lacks, in words (the "partial" note of its slide, Word caption and speaker notes).

Kept apart from ``dashboard.briefing`` (which decides when a chart is partial) so the briefing kit's words
live with its own translations (``locale/*/LC_MESSAGES/slides.po``).
"""

from __future__ import annotations

from dashboard.i18n import _


def months_missing(reported: int, total: int) -> str:
    return _("Only {n} of the {total} months were reported.").format(n=reported, total=total)


def countries_only() -> str:
    return _("No total was reported: the chart shows only the countries that were.")


def quarters_missing() -> str:
    return _("Some quarters were not reported: gaps in the line, not zero.")
