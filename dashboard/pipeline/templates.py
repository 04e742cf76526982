"""The empty import templates in data/templates/ (``python -m dashboard.pipeline.templates`` regenerates them
after a change to the catalogue; a test fails until then)."""

from __future__ import annotations

import csv
from pathlib import Path

from dashboard.catalogue import Catalogue, catalogue
from dashboard.periods import PERIOD_EXAMPLES, PERIOD_TYPES
from dashboard.pipeline.build import ROOT
from dashboard.pipeline.columns import DOC_COLUMNS, DOCUMENTS_SHEET, OBSERVATIONS_SHEET, PUBLISHED_BASIS
from dashboard.schema import KIND_RANK, SOURCE_COLUMNS

TEMPLATES_DIR = ROOT / "data" / "templates"

_COLUMN_HELP = {
    "indicator": ("an indicator id of the catalogue", "trp_issued"),
    "period": (
        ", ".join(
            f"{PERIOD_EXAMPLES[t]} ({t})" if t in ("ytd", "date") else PERIOD_EXAMPLES[t]
            for t in ("quarter", "month", "half", "year", "ytd", "date")
        ),
        PERIOD_EXAMPLES["quarter"],
    ),
    "period_type": ("quarter, month, half, year, ytd or date", "quarter"),
    "country": ("the country name as printed in the source; Total; Other", "Total"),
    "country_iso3": ("ISO 3166-1 alpha-3 code; TOT for the total; OTH for other countries", "TOT"),
    "measure": ("count, amount, share_pct, change_pct_yoy, change_pct_prev, change_abs_prev", "count"),
    "value": ("a number: dot as decimal separator, no thousands separator, no % sign", "308710"),
    "unit": ("persons, permits, visas, transactions, KZT_bn, USD_mn, percent", "permits"),
    "source_agency": (
        "the agency the source credits",
        "Ministry of Internal Affairs (Migration Service Committee)",
    ),
    "document": (
        "the document's title: as in documents.yaml, or described on the documents sheet",
        "IOM MTM …",
    ),
    "url": ("the link to the document (as in documents.yaml)", "https://…"),
    "quote": ("the verbatim text the figure was read from", "in Q3 of 2025, … individuals received …"),
}
_DOC_HELP = {
    "id": ("optional: a short id (made from publisher and date when empty)", "iom-mtm-2025-q3"),
    "document": ("the title, exactly as in the rows' document column", "IOM MTM Kazakhstan — Report Q3 2025"),
    "url": ("the link (http:// or https://)", "https://…"),
    "publisher": ("who published it", "IOM"),
    "kind": ("iom_report, agency_release or news (decides which source is shown)", "iom_report"),
    "language": ("optional: en, ru, kk…", "en"),
    "published": ("publication date YYYY-MM-DD", "2025-10-15"),
    "published_basis": ("url, text (printed in the document) or estimated", "text"),
}


def write_templates(directory: Path = TEMPLATES_DIR, cat: Catalogue | None = None) -> list[Path]:
    """The empty import templates: observations.csv, documents.csv and observations.xlsx (two sheets with the
    header row, columns formatted as text so Excel keeps 2023-04 as typed, drop-downs from the catalogue,
    and a help sheet)."""
    # openpyxl only when the templates are written (`mtm template`, tests), not for every import
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    cat = cat or catalogue()
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, cols in (("observations.csv", SOURCE_COLUMNS), ("documents.csv", DOC_COLUMNS)):
        p = directory / name
        with open(p, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerow(cols)
        out.append(p)

    wb = Workbook()
    lists = {
        "indicator": [i.id for i in cat.indicators],
        "period_type": list(PERIOD_TYPES),
        "measure": [m.id for m in cat.measures],
        "unit": [u.id for u in cat.units],
        "kind": list(KIND_RANK),
        "published_basis": list(PUBLISHED_BASIS),
    }
    for title, cols in ((OBSERVATIONS_SHEET, SOURCE_COLUMNS), (DOCUMENTS_SHEET, DOC_COLUMNS)):
        ws = wb.active if title == OBSERVATIONS_SHEET else wb.create_sheet(title)
        ws.title = title
        ws.append(list(cols))
        ws.freeze_panes = "A2"
        for i, col in enumerate(cols, start=1):
            ws.cell(row=1, column=i).font = Font(bold=True)
            letter = ws.cell(row=1, column=i).column_letter
            dim = ws.column_dimensions[letter]
            dim.width = {"quote": 60, "document": 50, "url": 40, "source_agency": 35}.get(col, 16)
            if col not in ("value",):
                dim.number_format = "@"  # text: Excel must not turn 2023-04 into a date or 0012 into 12
            if col in lists:
                src = chr(ord("A") + list(lists).index(col))  # its column on the hidden lists sheet
                dv = DataValidation(
                    type="list",
                    formula1=f"lists!${src}$2:${src}${len(lists[col]) + 1}",
                    allow_blank=True,
                    showErrorMessage=False,
                )
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}10000")
    ls = wb.create_sheet("lists")
    for i, (name, values) in enumerate(lists.items(), start=1):
        ls.cell(row=1, column=i, value=name)
        for k, v in enumerate(values, start=2):
            ls.cell(row=k, column=i, value=v)
    ls.sheet_state = "hidden"
    help_ = wb.create_sheet("help")
    help_.append(["sheet", "column", "what to type", "example"])
    for sheet, table in ((OBSERVATIONS_SHEET, _COLUMN_HELP), (DOCUMENTS_SHEET, _DOC_HELP)):
        for col, (what, example) in table.items():
            help_.append([sheet, col, what, example])
    help_.append([])
    help_.append(["", "", "Check with `mtm validate FILE`, then `mtm import FILE` (docs/importing.md)."])
    for letter, width in (("A", 14), ("B", 16), ("C", 80), ("D", 50)):
        help_.column_dimensions[letter].width = width
    p = directory / "observations.xlsx"
    wb.save(p)
    out.append(p)
    return out


if __name__ == "__main__":  # python -m dashboard.pipeline.templates
    for p in write_templates():
        print(f"wrote {p}")
