"""The local cloud serves the dashboard as CloudFront does: app routes get index.html, hashed
assets are cached for a year and index.html never, nothing outside web/dist is reachable, and the
security headers are the template's own response-headers policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.apigw import HttpRequest
from local.static_site import ASSETS_CACHE, INDEX_CACHE, StaticSite
from local.template import dashboard_headers, load_template

ROOT = Path(__file__).resolve().parents[2]


def get(site: StaticSite, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    answer = site.respond(HttpRequest(method, path, "", [], b""))
    return answer.status, answer.headers, answer.body


@pytest.fixture
def site(tmp_path: Path) -> StaticSite:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("outside")
    headers = dashboard_headers(load_template(ROOT / "template.yaml"))
    assert headers is not None
    return StaticSite(tmp_path, headers)


def test_routes_get_index_html_never_cached_with_the_templates_headers(site: StaticSite) -> None:
    for path in ("/", "/agents", "/sessions/ses_1", "/invite/inv_abc-def"):
        status, headers, body = get(site, path)
        assert status == 200
        assert b"<title>app</title>" in body
        assert headers["cache-control"] == INDEX_CACHE
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert "script-src 'self'" in headers["content-security-policy"]


def test_hashed_assets_are_cached_for_a_year(site: StaticSite) -> None:
    status, headers, body = get(site, "/assets/index-abc.js")
    assert (status, headers["cache-control"], body) == (200, ASSETS_CACHE, b"console.log(1)")
    assert headers["content-type"].startswith("text/javascript")


def test_missing_files_traversal_and_writes_are_refused(site: StaticSite) -> None:
    assert get(site, "/assets/missing.js")[0] == 404
    assert get(site, "/../secret.txt")[0] == 404
    assert get(site, "/assets/../../secret.txt")[0] == 404
    assert get(site, "/agents", method="POST")[0] == 405


def test_without_a_build_the_page_says_how_to_get_one(tmp_path: Path) -> None:
    status, _, body = get(StaticSite(tmp_path / "nothing", {}), "/agents")
    assert status == 200
    assert b"make web" in body


def test_a_template_without_a_dashboard_serves_none() -> None:
    assert dashboard_headers(load_template(ROOT / "tests" / "fixtures" / "cloud" / "template.yaml")) is None
