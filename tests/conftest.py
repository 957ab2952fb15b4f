"""Shared fixtures. The local cloud runs once per test session, in this process, from the real
template.yaml; HTTP goes through its front door exactly as a client's would.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path

import httpx
import pytest

from tests.support.container import fresh_container

ROOT = Path(__file__).resolve().parents[1]
#: bcrypt at cost 4 keeps hundreds of sign-ups fast (production: the template's 12); OTLP traces
#: are assembled after a 1 s quiet period, or 4 s without their root (production: 5 s and 10 min)
TEST_PARAMETERS = {
    "LogLevel": "WARNING",
    "PasswordHashRounds": "4",
    "OtelQuietSeconds": "1",
    "OtelRootlessSeconds": "4",
    "AlertRetrySeconds": "1",
}


@pytest.fixture(scope="session")
def cloud() -> Iterator[object]:
    from local.cloud import CloudOptions, LocalCloud

    options = CloudOptions(port=0, tick_schedules=False, parameters=TEST_PARAMETERS)
    running = LocalCloud(ROOT / "template.yaml", options).start()
    fresh_container()  # test modules may have imported the core before the cloud set the environment
    yield running
    running.stop()


def no_cookies() -> CookieJar:
    """A jar that keeps nothing: sign-ups and log-ins set the dashboard's session cookie, and a
    client that kept it would send credentials the test did not mean to."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@pytest.fixture(scope="session")
def api(cloud: object) -> Iterator[httpx.Client]:
    """An HTTP client on the local cloud's front door (no credentials, and it keeps no cookies)."""
    with httpx.Client(base_url=cloud.url, timeout=30, cookies=no_cookies()) as client:  # type: ignore[attr-defined]
        yield client
