"""Component ids, in one place (layouts and callbacks both import them)."""

from enum import StrEnum


class Ids(StrEnum):
    URL = "url"
    PAGE = "page"
    HEADER = "site-header"
    FOOTER = "site-footer"
    NOTICE = "notice"
    STATE = "explorer-state"
    URL_SYNC = "url-sync"
    URL_POP = "url-pop"  # set by assets/url_state.js when Back/Forward changes the query string
    DOMAIN = "domain"
    INDICATOR = "indicator"
    MEASURE = "measure"
    PERIOD = "period"
    COUNTRIES = "countries"
    PRESET = "preset"  # pattern-matching: {"type": PRESET, "group": <group id or "clear">}
    FIRST = "range-first"
    LAST = "range-last"
    MAP = "map"
    MAP_FOOTER = "map-footer"
    SERIES = "series"
    SERIES_FOOTER = "series-footer"
    BREADCRUMB = "breadcrumb"
    EVENTS_TOGGLE = "events-toggle"
    DRILL_UP = "drill-up"
    SPANS = "spans"
    DONUT = "donut"
    DONUT_FOOTER = "donut-footer"
    TABLE = "table"
    TABLE_HTML = "table-html"  # the table's HTML (layouts/html_text.py), shown by assets/html_slots.js
    DEFINITION = "definition"
    LATEST = "latest"
    COUNTRY_LINK = "country-link"
    EXPORT = "export"  # pattern-matching: {"type": EXPORT, "chart": <chart>, "fmt": <format>}
    EXPORT_DATA = "export-data"
    EXPORT_STATUS = "export-status"
    DOWNLOAD = "download"
    DOWNLOAD_CSV = "download-csv"
    DOWNLOAD_XLSX = "download-xlsx"
    API_LINK = "api-link"  # the view's figures from the data API (/api/v1/figures?<the view's query>)
    VS = "compare-with"  # "Compared with" of the change explainer (dashboard/explain.py)
    EXPLAIN = "explain"
    MODE = "view-mode"  # explore | compare (dashboard/compare.py)
    COMPARE_VS = "compare-vs"  # the compare mode's "Compared with" (the same state field as VS)
    COMPARE_SECTION = "compare-section"
    COMPARE_HEADING = "compare-heading"
    COMPARE_TABLE = "compare-table"
    COMPARE_TABLE_HTML = "compare-table-html"
    RANKING = "ranking"
    RANKING_FOOTER = "ranking-footer"
    COMPARE_BARS = "compare_bars"  # the chart id (tests find a chart's graph by it)
    COMPARE_BARS_FOOTER = "compare-bars-footer"
    SLOPE = "slope"
    SLOPE_FOOTER = "slope-footer"
