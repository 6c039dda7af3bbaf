"""Where an organizer's OSDI server may be: the public internet, unless the operator allows private networks.

An organizer names the OSDI server (its base URL); the worker and the web process then send it requests that
carry the campaign's CRM token and read its answers. Unchecked, that URL reaches whatever the server can: the
cloud's metadata service (169.254.169.254), Redis or an admin page on localhost, a database on the private
network (server-side request forgery). So every request's host is resolved here, each of its addresses is
checked (`refusal`, pure), and the connection is made to the address that was checked: a name that resolves
to a public address for the check and a private one a moment later (DNS rebinding) gets nowhere. TLS still
checks the certificate against the name (`sni_hostname`) and the Host header stays the name.

A CRM on the campaign's own network (a self-hosted OSDI server at 10.x or on localhost) is allowed by the
operator with DIALER_CRM_ALLOW_PRIVATE=1; unspecified and multicast addresses are refused always. VAN's base
URL is the operator's (VAN_API_BASE_URL), not an organizer's, and is not checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]

ALLOW_HINT = "an operator can allow CRMs on private networks with DIALER_CRM_ALLOW_PRIVATE=1"


class DestinationRefused(httpx.TransportError):
    """The CRM's address is not one the dialer may reach; the message says which and why."""


IP = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052's well-known prefix: the last 32 bits are IPv4
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: a network's own translators, never global
COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible ::a.b.c.d (:: and ::1 are in it)


def carried_ipv4(ip: IP) -> IP:
    """The IPv4 address an IPv6 one carries to (IPv4-mapped, NAT64, 6to4, IPv4-compatible), else `ip`.
    Python 3.11 calls 64:ff9b::a9fe:a9fe, 2002:a9fe:a9fe:: and ::a9fe:a9fe global; each leads to
    169.254.169.254 where a translator or the kernel carries it."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64 or (ip in COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def refusal(address: str, *, allow_private: bool) -> str | None:
    """Why the dialer may not connect to `address` (an IP address), or None when it may."""
    ip = carried_ipv4(ipaddress.ip_address(address))
    if ip.is_unspecified or ip.is_multicast:
        return f"{ip} is not an address a server can have"
    if (ip.is_global and ip not in NAT64_LOCAL) or allow_private:
        return None
    if ip.is_loopback:
        kind = "this machine's own (loopback)"
    elif ip.is_link_local:
        kind = "a link-local address (where cloud metadata services answer)"
    elif ip.is_private:
        kind = "a private network address"
    else:
        kind = "a reserved address"
    return f"{ip} is {kind}, not on the public internet"


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (in the resolver's order, without repeats)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpx.ConnectError(f"{host} cannot be resolved ({exc.strerror or exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only to allowed addresses, pinned to the address it checked."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        resolver: Resolver = resolve,
        inner: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._allow_private = allow_private
        self._resolve = resolver
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host = url.host
        if _is_ip(host):
            addresses = [host]
        else:
            port = url.port or (443 if url.scheme == "https" else 80)
            addresses = await self._resolve(host, port)
            if not addresses:
                raise DestinationRefused(f"{host} has no address", request=request)
        for address in addresses:
            reason = refusal(address, allow_private=self._allow_private)
            if reason is not None:
                hint = "" if self._allow_private else f" ({ALLOW_HINT})"
                named = "" if address == host else f"{host}: "
                message = f"the CRM's address is refused: {named}{reason}{hint}"
                raise DestinationRefused(message, request=request)
        if addresses[0] != host:
            request.url = url.copy_with(host=addresses[0])
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
