"""Finding 15: a JSON number of more than 4,300 digits answered 500 on every JSON route, sign-in and sign-up
included (anonymous): Python refuses to convert so long a digit string (CVE-2020-10735's limit) with a
plain ValueError, which the body parser did not catch. It is a 400 `invalid_json` now."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/signup"])
@pytest.mark.parametrize("number", [b"1" * 5000, b"-" + b"9" * 4301, b"[" + b"7" * 100_000 + b"]"])
def test_a_number_too_long_to_read_is_a_400(api: TestClient, path: str, number: bytes) -> None:
    r = api.post(path, content=b'{"email": ' + number + b', "password": "x"}', headers=JSON)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_json"
    assert "digits" in r.json()["error"]["message"]


def test_long_numbers_that_python_reads_are_not_refused(api: TestClient) -> None:
    r = api.post("/api/auth/login", content=b'{"email": ' + b"1" * 4300 + b"}", headers=JSON)
    assert r.status_code == 422  # read, then refused as no email, like any other wrong type
    r = api.post("/api/auth/login", content=b'{"email": 1.' + b"5" * 10_000 + b"}", headers=JSON)
    assert r.status_code == 422  # a long fraction is a float: no digit limit
