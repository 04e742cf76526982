"""The data API against its own OpenAPI document: schemathesis (4.x) generates requests from
/api/v1/openapi.json and sends them to the app in-process (WSGI). Over 1,000 requests in all, valid by the
schema and invalid: no server error, and every answer (status, content type, headers, body) as the
document says."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dashboard.api import models, openapi
from dashboard.api.params import FiguresParams
from dashboard.app_factory import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
POSITIVE, NEGATIVE = 650, 450  # requests sent by each test: 1,100 in all


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def schema(app):
    return schemathesis.openapi.from_wsgi(openapi.PREFIX + "/openapi.json", app.server)


def _run(schema, mode: GenerationMode, examples: int, checks: list) -> dict[int, int]:
    statuses: dict[int, int] = {}
    paths: set[str] = set()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=schema.as_strategy(generation_mode=mode))
    def check(case):
        response = case.call(headers={"Accept-Encoding": "identity"})  # the test client does not decode
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        paths.add(case.operation.path)
        assert response.status_code < 500, (case.path, case.query, response.text[:300])
        case.validate_response(response, checks=checks)

    check()
    assert paths == set(openapi.document()["paths"]), paths  # every documented endpoint is exercised
    return statuses


def test_generated_valid_requests_get_answers_the_schema_describes(schema):
    statuses = _run(schema, GenerationMode.POSITIVE, POSITIVE, CHECKS)
    print("positive:", statuses)
    assert sum(statuses.values()) >= POSITIVE * 0.9
    assert not any(code >= 500 for code in statuses)
    # some are answered: most generated combinations name a release, period or country the data lacks, and
    # how many depends on the generator (40-100 of 650 seen); the point is 0 server errors and valid answers
    assert statuses.get(200, 0) > POSITIVE // 40


def test_generated_invalid_requests_are_refused_with_a_4xx(schema):
    statuses = _run(schema, GenerationMode.NEGATIVE, NEGATIVE, [*CHECKS, negative_data_rejection])
    print("negative:", statuses)
    assert sum(statuses.values()) >= NEGATIVE * 0.9
    assert not any(code >= 500 for code in statuses)


def test_the_document_is_openapi_3_1_from_the_parameter_models(app):
    doc = json.loads(app.server.test_client().get("/api/v1/openapi.json").data)
    assert doc["openapi"].startswith("3.1")
    figures = doc["paths"]["/api/v1/figures"]["get"]
    names = [p["name"] for p in figures["parameters"]]
    assert names == [f.alias or n for n, f in FiguresParams.model_fields.items()]
    indicator = next(p for p in figures["parameters"] if p["name"] == "indicator")
    assert set(indicator["schema"]["enum"]) >= {"trp_issued", "remittance_outflow"}
    answer = figures["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/FiguresAnswer") and "FigureRecord" in doc["components"]["schemas"]
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_real_answers_validate_against_the_response_models(app):
    client = app.server.test_client()
    for url, model in (
        ("/api/v1/figures?indicator=arrivals&period=2022&period_type=year", models.FiguresAnswer),
        ("/api/v1/figures?indicator=border_arrivals&period=2025-Q2&drill=2025-Q2", models.FiguresAnswer),
        ("/api/v1/indicators?lang=ru", models.IndicatorsAnswer),
        ("/api/v1/countries?lang=kk", models.CountriesAnswer),
        ("/api/v1/sources", models.SourcesAnswer),
        ("/api/v1/releases", models.ReleasesAnswer),
        ("/api/v1/figures?indicator=nope", models.ErrorAnswer),
        ("/api/v1/explain?indicator=foreign_workers_permit_holders&period=2023-09-01", models.ExplainAnswer),
        (
            "/api/v1/explain?indicator=departures&period=2025-01..2025-09&period_type=ytd",
            models.ExplainAnswer,
        ),
        ("/api/v1/explain?indicator=trp_issued&period=2023-Q2&vs=2023&lang=kk", models.ExplainAnswer),
        ("/api/v1/explain?vs=nope", models.ErrorAnswer),
    ):
        model.model_validate_json(client.get(url).data)
