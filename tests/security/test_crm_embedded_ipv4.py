"""Finding (attacker's probe): the CRM destination check (dialer/crm/destinations.py) unwrapped IPv4-mapped
addresses (::ffff:a.b.c.d) but not the other IPv6 forms that carry an IPv4 address, which Python 3.11's
`is_global` calls global: NAT64 (64:ff9b::a.b.c.d; on an IPv6-only host with NAT64 this reaches the IPv4
address itself, the cloud's metadata service or the private network), the local-use NAT64 prefix
64:ff9b:1::/48, 6to4 (2002:aabb:ccdd::) and IPv4-compatible ::a.b.c.d. An organizer could point the CRM
connection at any of them. The IPv4 address inside is now judged (the local-use prefix is never global), so
a public CRM behind NAT64 still works."""

from __future__ import annotations

import pytest

from dialer.crm.destinations import refusal


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254 (cloud metadata)
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a01:203",  # NAT64 of 10.1.2.3
        "64:ff9b:1::a01:203",  # the local-use NAT64 prefix
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2002:c0a8:114::1",  # 6to4 of 192.168.1.20
        "::127.0.0.1",  # IPv4-compatible
        "::a9fe:a9fe",
    ],
)
def test_ipv4_addresses_inside_ipv6_ones_are_judged_as_themselves(address: str) -> None:
    reason = refusal(address, allow_private=False)
    assert reason is not None and "not on the public internet" in reason
    assert refusal(address, allow_private=True) is None  # the operator's choice, as for the plain forms


@pytest.mark.parametrize("address", ["64:ff9b::5db8:d70e", "2002:5db8:d70e::1"])
def test_a_public_ipv4_address_behind_nat64_or_6to4_is_allowed(address: str) -> None:
    assert refusal(address, allow_private=False) is None  # 93.184.215.14
