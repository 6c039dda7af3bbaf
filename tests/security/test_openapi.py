"""The published description (`GET /api/openapi.json`): a valid OpenAPI 3.1 document that describes every
route of the app, and nothing the app does not serve."""

from __future__ import annotations

import re

from openapi_spec_validator import validate
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.testclient import TestClient

from dialer.app import route_table
from dialer.web.openapi import document

_PARAM = re.compile(r"\{([^}:]+)(:[^}]+)?\}")


def _served() -> tuple[set[tuple[str, str]], set[str]]:
    operations: set[tuple[str, str]] = set()
    sockets: set[str] = set()
    for route in route_table():
        if isinstance(route, Route):
            for method in route.methods or ():
                if method != "HEAD":
                    operations.add((_PARAM.sub(r"{\1}", route.path), method.lower()))
        elif isinstance(route, WebSocketRoute):
            sockets.add(route.path)
        else:
            assert isinstance(route, Mount) and route.path == "/static", route
    return operations, sockets


def _described() -> set[tuple[str, str]]:
    return {(path, method) for path, item in document()["paths"].items() for method in item}


def test_the_description_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_route_is_described_and_every_description_is_served() -> None:
    operations, sockets = _served()
    described = _described()
    assert operations - described == set(), "routes missing from the description"
    assert described - operations == set(), "described but not served"
    assert set(document()["x-websockets"]) == sockets


def test_every_operation_has_schemas_and_the_error_shape() -> None:
    for path, item in document()["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation["operationId"] and operation["responses"], where
            errors = [r for status, r in operation["responses"].items() if status.startswith("4")]
            assert errors or path == "/favicon.ico", where
            if path.startswith("/api/"):
                assert all(
                    r["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
                    for r in errors
                ), where
            ok = [r for status, r in operation["responses"].items() if status[0] in "23"]
            assert ok, where
            body = operation.get("requestBody")
            if body is not None:
                assert all("schema" in media for media in body["content"].values()), where


def test_it_is_served(api: TestClient) -> None:
    r = api.get("/api/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == document()


TIME_NAME = re.compile(r"(^at|_at|^since|^last_seen|until)$")


def _time_properties(node: object, where: str = "") -> list[tuple[str, object]]:
    """Every schema property named like a time (`*_at`, `at`, `since`, `last_seen`, `*until`), and where."""
    found: list[tuple[str, object]] = []
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            found += [(f"{where}/{name}", s) for name, s in properties.items() if TIME_NAME.search(name)]
        for key, value in node.items():
            found += _time_properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            found += _time_properties(value, f"{where}[{n}]")
    return found


def _types(schema: object, components: dict[str, object]) -> set[str]:
    """The JSON types a schema allows, through `$ref`, `anyOf` and `oneOf` (an untyped schema: `any`)."""
    if not isinstance(schema, dict):
        return {"any"}
    if "$ref" in schema:
        return _types(components[str(schema["$ref"]).rsplit("/", 1)[1]], components)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return set().union(*(_types(b, components) for b in branches))
    kind = schema.get("type")
    return {"any"} if kind is None else set(kind) if isinstance(kind, list) else {str(kind)}


def test_every_time_is_an_iso_8601_string_never_a_number(api: TestClient) -> None:
    """API.md: "Times are ISO 8601 with offset (UTC)". A time answered as Unix epoch seconds (as `last_seen`,
    recordings' `created_at` and voicemail's `uploaded_at` once were) is refused here, in the published
    description; the routes' tests check the values themselves."""
    doc = api.get("/api/openapi.json").json()
    components = doc["components"]["schemas"]
    found = _time_properties(doc)
    assert len(found) > 20, "the walk found the description's times"
    wrong = {
        where: sorted(_types(s, components))
        for where, s in found
        if _types(s, components) - {"string", "null"}
    }
    assert wrong == {}, "times must be ISO 8601 strings (dialer.times.iso), not numbers"
