"""The data API's paths, for the pages that link to it (without importing the API itself)."""

PREFIX = "/api/v1"
FIGURES_PATH = PREFIX + "/figures"
EXPLAIN_PATH = PREFIX + "/explain"
OPENAPI_PATH = PREFIX + "/openapi.json"
DOCS_PATH = "/api"  # the readable page (layouts/api_page.py)
