"""The People, Teams and Do-not-call pages are served to the roles they are for (others get the 403 page,
with nothing of the lists), and the join link's QR code is an SVG that encodes the link."""

from __future__ import annotations

from starlette.testclient import TestClient

from dialer.queue import keys
from dialer.web.join_qr import join_qr_svg
from tests.integration.organizer_support import fixed_api, staff
from tests.stores import open_store

__all__ = ["fixed_api"]


def test_pages_by_role(fixed_api: TestClient) -> None:
    roles = staff(fixed_api)
    expected = {
        "/people": {"volunteer": 403, "leader": 403, "organizer": 200, "admin": 200},
        "/dnc": {"volunteer": 403, "leader": 403, "organizer": 200, "admin": 200},
        "/teams": {"volunteer": 403, "leader": 200, "organizer": 200, "admin": 200},
    }
    for path, by_role in expected.items():
        r = fixed_api.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/signin")
        for role, status in by_role.items():
            r = fixed_api.get(path, headers=roles[role][1])
            assert r.status_code == status, (path, role)
            if status == 403:
                assert "volunteer@example.org" not in r.text and "page-data" not in r.text


def test_the_join_link_as_a_qr_code(fixed_api: TestClient, clean_redis: str) -> None:
    roles = staff(fixed_api)
    org = roles["organizer"][1]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    body = {"id": "qr", "name": "QR day", "script_id": "s", "caller_id": "+13125550199"}
    assert fixed_api.post("/api/campaigns", json=body, headers=org).status_code == 201
    r = fixed_api.get("/campaigns/qr/join.svg", headers=org)
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert 'xmlns="http://www.w3.org/2000/svg"' in r.text and "http://testserver/join/qr" in r.text
    assert fixed_api.get("/campaigns/qr/join.svg", headers=roles["volunteer"][1]).status_code == 403
    page = fixed_api.get("/campaigns/qr/dashboard", headers=org).text
    assert join_qr_svg("http://testserver/join/qr", scale=5) in page
    assert 'data-copy="join-link"' in page
    listing = fixed_api.get("/campaigns", headers=org).text
    assert 'data-duplicate="qr"' in listing and "/campaigns/qr/join.svg" in listing
    assert 'data-duplicate="qr"' not in fixed_api.get("/campaigns", headers=roles["volunteer"][1]).text


def test_the_campaign_page_filters(fixed_api: TestClient, clean_redis: str) -> None:
    org = staff(fixed_api)["organizer"][1]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    for cid, name in (("one", "Alpha calls"), ("two", "Beta calls")):
        body = {"id": cid, "name": name, "script_id": "s", "caller_id": "+13125550199"}
        assert fixed_api.post("/api/campaigns", json=body, headers=org).status_code == 201
    fixed_api.patch("/api/campaigns/two", json={"archived": True}, headers=org)
    page = fixed_api.get("/campaigns", headers=org).text
    assert 'id="campaign-one"' in page and 'id="campaign-two"' not in page
    filters = {"archived": "all", "q": "beta", "status": "", "mode": ""}  # as the form sends "any"
    page = fixed_api.get("/campaigns", params=filters, headers=org).text
    assert 'id="campaign-one"' not in page and 'id="campaign-two"' in page
    page = fixed_api.get("/campaigns", params={"status": "bogus"}, headers=org)  # a hand-edited address
    assert page.status_code == 200 and 'id="campaign-one"' in page.text
