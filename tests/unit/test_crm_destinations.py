"""An organizer's OSDI server is reached only on the public internet (unless the operator allows private
networks), checked after DNS resolution on every request, and connected to at the address that was checked."""

from __future__ import annotations

import httpx
import pytest

from dialer.crm.connection import ConnectionInvalid, parse_connection
from dialer.crm.destinations import DestinationRefused, GuardedTransport, refusal
from dialer.crm.osdi import OsdiClient
from dialer.crm.port import CrmError, Outcome, OutcomeKind
from dialer.crm.requests import Planned, ResultEntry
from dialer.crm.runner import make_client
from dialer.settings import Settings

pytestmark = pytest.mark.anyio

PUBLIC = "93.184.215.14"  # a global address (no request leaves the test: the inner transport is a mock)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.9.9.9", "::1", "10.1.2.3", "172.16.0.9", "192.168.1.20", "169.254.169.254", "fe80::1",
     "fd00:ec2::254", "100.64.0.1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "192.0.2.5", "240.0.0.1"],
)  # fmt: skip
def test_addresses_off_the_public_internet_are_refused(address: str) -> None:
    reason = refusal(address, allow_private=False)
    assert reason is not None and "not on the public internet" in reason
    assert refusal(address, allow_private=True) is None  # the operator's choice


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "224.0.0.1", "ff02::1"])
def test_unspecified_and_multicast_are_refused_even_when_private_networks_are_allowed(address: str) -> None:
    assert refusal(address, allow_private=True) is not None


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(address, allow_private=False) is None


class Recorder:
    def __init__(self, answers: list[list[str]]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, int]] = []
        self.sent: list[httpx.Request] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return self.answers.pop(0)

    def transport(self, *, allow_private: bool = False) -> GuardedTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.sent.append(request)
            return httpx.Response(200, json={"_embedded": {"osdi:questions": []}, "_links": {}})

        return GuardedTransport(
            allow_private=allow_private, resolver=self.resolve, inner=httpx.MockTransport(handle)
        )


async def test_a_public_name_is_connected_at_the_address_checked_with_its_name_for_tls_and_host() -> None:
    dns = Recorder([[PUBLIC]])
    async with httpx.AsyncClient(transport=dns.transport()) as http:
        response = await http.get("https://osdi.example.org:8443/api/v1/questions")
    assert response.status_code == 200
    assert dns.asked == [("osdi.example.org", 8443)]
    (sent,) = dns.sent
    assert sent.url.host == PUBLIC and sent.url.port == 8443 and sent.url.path == "/api/v1/questions"
    assert sent.headers["host"] == "osdi.example.org:8443"
    assert sent.extensions["sni_hostname"] == "osdi.example.org"


@pytest.mark.parametrize("answer", [["127.0.0.1"], [PUBLIC, "10.0.0.7"], ["169.254.169.254"]])
async def test_a_name_resolving_to_any_refused_address_is_not_connected(answer: list[str]) -> None:
    dns = Recorder([answer])
    async with httpx.AsyncClient(transport=dns.transport()) as http:
        with pytest.raises(DestinationRefused) as caught:
            await http.get("http://crm.example.org/api/questions")
    assert "crm.example.org" in str(caught.value) and "DIALER_CRM_ALLOW_PRIVATE=1" in str(caught.value)
    assert dns.sent == []


async def test_each_request_is_checked_again_so_a_name_rebound_to_a_private_address_gets_nowhere() -> None:
    dns = Recorder([[PUBLIC], ["127.0.0.1"]])
    async with httpx.AsyncClient(transport=dns.transport()) as http:
        await http.get("http://crm.example.org/api/questions")
        with pytest.raises(DestinationRefused):
            await http.get("http://crm.example.org/api/tags")
    assert [r.url.host for r in dns.sent] == [PUBLIC]


async def test_an_address_in_the_url_is_checked_without_resolving() -> None:
    dns = Recorder([])
    async with httpx.AsyncClient(transport=dns.transport()) as http:
        with pytest.raises(DestinationRefused, match="169.254.169.254 is a link-local address"):
            await http.get("http://169.254.169.254/latest/meta-data/")
        with pytest.raises(DestinationRefused):
            await http.get("http://[::ffff:7f00:1]:6379/")
    assert dns.asked == [] and dns.sent == []


async def test_private_networks_are_reached_when_the_operator_allows_them() -> None:
    dns = Recorder([["10.0.0.7"]])
    async with httpx.AsyncClient(transport=dns.transport(allow_private=True)) as http:
        assert (await http.get("http://osdi.campaign.lan/api/questions")).status_code == 200
    assert dns.sent[0].url.host == "10.0.0.7"


async def test_the_osdi_client_says_why_when_its_server_is_refused() -> None:
    dns = Recorder([["192.168.1.20"], ["192.168.1.20"]])
    client = OsdiClient("http://osdi.office.example.org/api", "tok-123", transport=dns.transport())
    with pytest.raises(CrmError, match="192.168.1.20 is a private network address"):
        await client.check()
    planned = Planned("p-9", "contacted")
    entry = ResultEntry.from_fields("1-0", {"external_id": "p-9", "result": "contacted", "recorded_at": "0"})
    outcome = await client.send(planned, entry)
    await client.aclose()
    assert isinstance(outcome, Outcome) and outcome.kind is OutcomeKind.RETRY  # kept, sent once allowed
    assert "DIALER_CRM_ALLOW_PRIVATE=1" in outcome.message


def test_the_osdi_client_the_dialer_makes_is_guarded_and_the_setting_reaches_it() -> None:
    connection, _ = parse_connection(
        {"kind": "osdi", "base_url": "https://osdi.example.org/api", "api_token": "tok-123456789"}, 0
    )
    for allow in (False, True):
        client = make_client(Settings(crm_allow_private=allow), connection, "tok-123456789")
        transport = client._http._transport  # type: ignore[attr-defined]
        assert isinstance(transport, GuardedTransport) and transport._allow_private is allow
    assert Settings.from_env({"DIALER_CRM_ALLOW_PRIVATE": "1"}).crm_allow_private is True
    assert Settings.from_env({}).crm_allow_private is False


@pytest.mark.parametrize(
    "url",
    ["https://osdi.example.org/api#", "https://osdi.example.org/api?x=1", "https://osdi.example.org:99999/api",
     "https://:443/api", "gopher://osdi.example.org/"],
)  # fmt: skip
def test_a_base_url_with_a_fragment_query_bad_port_or_no_host_is_refused(url: str) -> None:
    with pytest.raises(ConnectionInvalid) as caught:
        parse_connection({"kind": "osdi", "base_url": url, "api_token": "tok-123456789"}, 0)
    assert [p["path"] for p in caught.value.problems] == ["base_url"]


def test_credentials_in_the_base_url_are_refused() -> None:
    with pytest.raises(ConnectionInvalid) as caught:
        body = {"kind": "osdi", "base_url": "https://u:p@osdi.example.org/", "api_token": "t" * 12}
        parse_connection(body, 0)
    assert "api_token" in caught.value.problems[0]["message"]
