"""Bad input on every endpoint: the right 4xx in API.md's error shape, never a 500, never a partial write."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN
from tests.stores import every_key, open_store

GOOD_SIGNUP = {"email": "v@example.org", "name": "V", "password": "long enough password"}


def assert_error(r: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    if code:
        assert error["code"] == code
    return error  # type: ignore[no-any-return]


def keys_in(url: str) -> set[str]:
    return set(every_key(open_store(url, decode_responses=True), "*"))


ENDPOINTS = [
    ("POST", "/api/auth/signup", None),
    ("POST", "/api/auth/login", None),
    ("POST", "/api/campaigns", ADMIN),
    ("PUT", "/api/users/someone/role", ADMIN),
]


@pytest.mark.parametrize(("method", "path", "headers"), ENDPOINTS)
@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"\xff\xfe\x00garbage", "application/json", 400, "invalid_json"),
        (b"[1, 2, 3]", "application/json", 422, "validation_error"),
        (b'"just a string"', "application/json", 422, "validation_error"),
        (b"null", "application/json", 422, "validation_error"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", 400, "invalid_json"),
        (b"email=a&password=b", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"{}", "application/json", 422, "validation_error"),
        # Repeated keys were read last-one-wins (another parser reads the first): refused, nothing written.
        (b'{"email": "a@example.org", "email": "b@example.org", "name": "A", "name": "B"}',
         "application/json", 400, "invalid_json"),
        (b'{"calling_hours": {"start": "09:00", "start": "10:00"}}', "application/json", 400, "invalid_json"),
        # Python's NaN and Infinity are not JSON numbers.
        (b'{"name": NaN, "abandon_cap": Infinity}', "application/json", 400, "invalid_json"),
    ],
)  # fmt: skip
def test_malformed_bodies(
    api: TestClient,
    clean_redis: str,
    method: str,
    path: str,
    headers: dict[str, str] | None,
    body: bytes,
    content_type: str,
    status: int,
    code: str,
) -> None:
    before = keys_in(clean_redis)
    r = api.request(method, path, content=body, headers={**(headers or {}), "Content-Type": content_type})
    assert_error(r, status, code)
    assert keys_in(clean_redis) == before


@pytest.mark.parametrize(("method", "path", "headers"), ENDPOINTS)
def test_huge_bodies_are_413(api: TestClient, method: str, path: str, headers: dict[str, str] | None) -> None:
    huge = b'{"name": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = api.request(
        method, path, content=huge, headers={**(headers or {}), "Content-Type": "application/json"}
    )
    assert_error(r, 413, "payload_too_large")


@pytest.mark.parametrize(
    ("body", "paths"),
    [
        ({"email": "not-an-email", "name": "V", "password": "long enough password"}, {"email"}),
        ({"email": "v@example.org", "name": "V", "password": "short"}, {"password"}),
        ({"email": 5, "name": ["V"], "password": 12345678}, {"email", "name", "password"}),
        ({"email": "v@example.org", "name": "", "password": "long enough password"}, {"name"}),
        ({**GOOD_SIGNUP, "role": "admin"}, {"role"}),  # nobody signs themselves up as admin
    ],
)
def test_signup_validation(api: TestClient, clean_redis: str, body: dict[str, Any], paths: set[str]) -> None:
    error = assert_error(api.post("/api/auth/signup", json=body), 422, "validation_error")
    assert {d["path"] for d in error["details"]} == paths
    assert keys_in(clean_redis) == set()


def test_wrong_methods_and_paths(api: TestClient) -> None:
    assert_error(api.get("/api/auth/signup"), 405, "method_not_allowed")
    assert_error(api.get("/api/does-not-exist"), 404, "not_found")
    assert_error(api.delete("/api/campaigns", headers=ADMIN), 405)


def test_bad_content_length(api: TestClient) -> None:
    r = api.post(
        "/api/auth/signup",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "99999999999"},
    )
    assert r.status_code in (400, 413)
