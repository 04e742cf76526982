"""Security headers (the app really works under its CSP, in Chromium), request size cap, access control."""

from __future__ import annotations

import base64
import urllib.request

import pytest

from dashboard.app_factory import create_app
from dashboard.security import ConfigError
from tests.browser import watch

# Records CSP violations the page reports (besides the console error Chromium prints for each).
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
AUTH_VARS = (
    "MTM_BASIC_AUTH_USER",
    "MTM_BASIC_AUTH_PASSWORD",
    "MTM_TRUSTED_USER_HEADER",
    "MTM_FRAME_ANCESTORS",
)


@pytest.fixture
def make_app(monkeypatch):
    """create_app under some environment (the quick way: no panel warm-up)."""
    monkeypatch.setenv("MTM_WARM", "0")
    for name in AUTH_VARS:
        monkeypatch.delenv(name, raising=False)

    def make(**env):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        return create_app()

    return make


# -- headers, in-process ----------------------------------------------------------------------------------
def test_every_response_carries_the_security_headers(make_app):
    client = make_app().server.test_client()
    for path in ("/", "/explore", "/healthz", "/assets/style.css", "/_dash-layout", "/no/such/page"):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp, path
        assert "'unsafe-eval'" not in csp
        script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
        assert "'unsafe-inline'" not in script_src and "'sha256-" in script_src
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    r = client.post("/_dash-update-component", data=b"{}", content_type="application/json")
    assert r.status_code == 400 and r.headers["X-Content-Type-Options"] == "nosniff"


def test_frame_ancestors_come_from_the_environment(make_app):
    app = make_app(MTM_FRAME_ANCESTORS="'self' https://stats.example.gov.kz")
    r = app.server.test_client().get("/")
    assert "frame-ancestors 'self' https://stats.example.gov.kz" in r.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in r.headers  # it cannot name a partner: frame-ancestors decides
    r = make_app(MTM_FRAME_ANCESTORS="'none'").server.test_client().get("/")
    assert r.headers["X-Frame-Options"] == "DENY"


def test_a_frame_ancestors_value_that_could_inject_a_directive_is_refused(make_app):
    with pytest.raises(ConfigError):
        make_app(MTM_FRAME_ANCESTORS="'self'; script-src *")


def test_request_body_is_capped(make_app):
    client = make_app().server.test_client()
    r = client.post("/_dash-update-component", data=b"x" * (65 * 1024), content_type="application/json")
    assert r.status_code == 413


# -- access control, in-process ---------------------------------------------------------------------------
def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_access_is_open_by_default(make_app):
    assert make_app().server.test_client().get("/").status_code == 200


def test_basic_auth_when_configured(make_app):
    client = make_app(MTM_BASIC_AUTH_USER="analyst", MTM_BASIC_AUTH_PASSWORD="s3cret ü").server.test_client()
    r = client.get("/")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Basic ")
    assert "Content-Security-Policy" in r.headers
    assert client.get("/", headers=_basic("analyst", "wrong")).status_code == 401
    assert client.get("/", headers=_basic("Analyst", "s3cret ü")).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer abc"}).status_code == 401
    assert client.get("/", headers=_basic("analyst", "s3cret ü")).status_code == 200
    assert client.get("/_dash-layout", headers=_basic("analyst", "s3cret ü")).status_code == 200
    body = b'{"output": "page.children"}'
    r = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert r.status_code == 401
    assert client.get("/healthz").status_code == 200  # load balancers need no password


def test_half_configured_basic_auth_refuses_to_start(make_app):
    with pytest.raises(ConfigError):
        make_app(MTM_BASIC_AUTH_USER="analyst")


def test_trusted_proxy_header_when_configured(make_app):
    client = make_app(MTM_TRUSTED_USER_HEADER="X-Remote-User").server.test_client()
    assert client.get("/").status_code == 403
    assert client.get("/", headers={"X-Remote-User": "  "}).status_code == 403
    assert client.get("/", headers={"X-Remote-User": "a.user"}).status_code == 200
    assert client.get("/healthz").status_code == 200


# -- in Chromium: the pages work under the CSP -------------------------------------------------------------
def _load(page, url: str, ready: str) -> None:
    page.add_init_script(CSP_WATCH)
    page.goto(url)
    page.wait_for_selector(ready)
    page.wait_for_function("() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "#page > *"),
        ("/explore", "#series .js-plotly-plot .main-svg"),
        ("/country/UZB", "#page > *"),
        ("/briefing", "#page > *"),
    ],
)
def test_pages_work_under_the_csp(page, base_url, path, ready):
    with urllib.request.urlopen(base_url + path) as r:
        assert "script-src 'self' 'sha256-" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    _load(page, base_url + path, ready)
    if path == "/explore":
        page.wait_for_selector("#map path.choroplethlocation")
    assert page.evaluate("window.__csp") == []
    assert page.watch.console_errors == []


@pytest.mark.browser
def test_chart_exports_work_under_the_csp(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    w = watch(page)
    _load(page, base_url + "/explore?period=2023-Q2", "#series .js-plotly-plot .main-svg")
    card = page.locator(".card", has=page.locator("h2", has_text="Map"))
    card.get_by_role("button", name="Export").click()
    with page.expect_download() as dl:
        card.get_by_text("PNG image, 16:9").click()
    assert dl.value.suggested_filename.endswith(".png")
    card = page.locator(".card", has=page.locator("h2", has_text="Trend"))
    card.get_by_role("button", name="Export").click()
    card.get_by_text("Copy image to clipboard").click()
    page.wait_for_function("() => (document.querySelector('#export-status').innerText || '').includes('cop')")
    assert page.inner_text("#export-status").startswith("Image copied")
    assert page.evaluate("window.__csp") == []
    assert w.console_errors == []
    ctx.close()
