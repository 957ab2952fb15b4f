"""The API's error contract, as every function built with make_app answers it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from grounded_core.errors import Conflict, Forbidden, Gone, Invalid, NotFound, RateLimited, Unauthorized
from grounded_core.http.access import PUBLIC
from grounded_core.http.app import make_app
from grounded_core.http.routes import Routes

router = Routes()


class Thing(BaseModel):
    name: str = Field(min_length=1)
    size: int


@router.post("/things")
def create(thing: Thing) -> dict[str, str]:
    return {"name": thing.name}


ERRORS = {
    "unauthorized": Unauthorized("Who are you?"),
    "forbidden": Forbidden("Not you."),
    "missing": NotFound("No such thing."),
    "conflict": Conflict("Taken.", code="slug_taken"),
    "gone": Gone("Expired."),
    "invalid": Invalid("Bad.", details=[{"field": "x", "message": "no"}]),
    "limited": RateLimited("Slow down.", retry_after_seconds=7),
}


@router.get("/raise/{name}")
def raise_error(name: str) -> None:
    raise ERRORS[name]


@router.get("/bug")
def bug() -> None:
    raise KeyError("internal detail")


OPEN = {f"{method} {route.path}": PUBLIC for route in router.routes for method in route.methods}  # type: ignore[attr-defined]
client = TestClient(make_app(router, access=OPEN), raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("unauthorized", 401, "unauthorized"),
        ("forbidden", 403, "forbidden"),
        ("missing", 404, "not_found"),
        ("conflict", 409, "slug_taken"),
        ("gone", 410, "gone"),
        ("invalid", 422, "validation_error"),
        ("limited", 429, "rate_limited"),
    ],
)
def test_domain_errors_map_to_one_status_and_json_body(name: str, status: int, code: str) -> None:
    response = client.get(f"/raise/{name}")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["error"] == ERRORS[name].message


def test_rate_limit_says_when_to_retry() -> None:
    assert client.get("/raise/limited").headers["retry-after"] == "7"


def test_malformed_json_is_a_400() -> None:
    response = client.post("/things", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_a_body_that_is_not_json_is_a_400() -> None:
    response = client.post("/things", content=b"name=x", headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_content_type"


def test_an_invalid_body_is_a_422_naming_each_field() -> None:
    response = client.post("/things", json={"name": "", "size": "big"})
    assert response.status_code == 422
    fields = {detail["field"] for detail in response.json()["details"]}
    assert fields == {"name", "size"}


def test_a_body_over_the_limit_is_a_413(monkeypatch: pytest.MonkeyPatch) -> None:
    from grounded_core.settings import DEFAULT_MAX_BODY_BYTES

    response = client.post(
        "/things", content=b"x" * (DEFAULT_MAX_BODY_BYTES + 1), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_unknown_paths_and_methods_keep_the_json_shape() -> None:
    assert client.get("/nope").json() == {"error": "Not Found", "code": "not_found"}
    assert client.delete("/things").json()["code"] == "method_not_allowed"


def test_a_bug_is_a_500_without_its_details() -> None:
    response = client.get("/bug")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "internal detail" not in response.text
