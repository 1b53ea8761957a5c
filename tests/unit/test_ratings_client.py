"""ratings/client.py: which address the caps count (X-Forwarded-For only from a trusted proxy's hop)."""

from __future__ import annotations

import pytest

from ratings.client import client_address, client_from_scope, parse_address, trusted_networks
from ratings.config import ConfigError

pytestmark = pytest.mark.hostile

LOCAL = trusted_networks(["127.0.0.1", "::1"])
CHAIN = trusted_networks(["127.0.0.1", "10.0.0.0/8"])


def test_no_trusted_proxy_means_the_header_is_never_read():
    assert client_address("127.0.0.1", ["198.51.100.7"], ()) == "127.0.0.1"
    assert client_address("203.0.113.5", ["198.51.100.7"], ()) == "203.0.113.5"


def test_a_peer_that_is_not_a_trusted_proxy_is_the_client():
    assert client_address("203.0.113.5", ["198.51.100.7"], LOCAL) == "203.0.113.5"
    assert client_address(None, ["198.51.100.7"], LOCAL) is None


def test_the_rightmost_hop_that_is_not_a_trusted_proxy():
    assert client_address("127.0.0.1", ["198.51.100.7"], LOCAL) == "198.51.100.7"
    # whatever the client wrote on the left is ignored
    assert client_address("127.0.0.1", ["1.2.3.4, 5.6.7.8, 198.51.100.7"], LOCAL) == "198.51.100.7"
    # our own proxies are skipped, from the right
    assert client_address("127.0.0.1", ["1.2.3.4, 192.0.2.4, 10.1.2.3, 10.9.9.9"], CHAIN) == "192.0.2.4"
    # several headers are one list, in order
    assert client_address("127.0.0.1", ["1.2.3.4", "192.0.2.4, 10.1.2.3"], CHAIN) == "192.0.2.4"
    # nothing but trusted proxies: the farthest of them
    assert client_address("127.0.0.1", ["10.0.0.2, 10.0.0.3"], CHAIN) == "10.0.0.2"


def test_no_or_junk_header_from_a_trusted_proxy_is_the_proxy_itself():
    assert client_address("127.0.0.1", [], LOCAL) == "127.0.0.1"
    assert client_address("127.0.0.1", [""], LOCAL) == "127.0.0.1"
    assert client_address("127.0.0.1", ["unknown"], LOCAL) == "127.0.0.1"
    # a junk hop ends the walk: nothing to its left is believed
    assert client_address("127.0.0.1", ["198.51.100.7, junk"], LOCAL) == "127.0.0.1"
    assert client_address("127.0.0.1", ["198.51.100.7, junk, 10.0.0.1"], CHAIN) == "10.0.0.1"
    assert client_address("127.0.0.1", ["1" * 5000], LOCAL) == "127.0.0.1"


def test_ipv6_and_mapped_and_ports():
    assert client_address("::1", ["2001:db8::7"], LOCAL) == "2001:db8::7"
    assert client_address("::ffff:127.0.0.1", ["198.51.100.7"], LOCAL) == "198.51.100.7"
    assert parse_address("[2001:db8::1]:443") == parse_address("2001:db8::1")
    assert str(parse_address("203.0.113.7:5000")) == "203.0.113.7"
    assert str(parse_address("fe80::1%eth0")) == "fe80::1"
    assert str(parse_address("::ffff:203.0.113.7")) == "203.0.113.7"
    for junk in ("", "unknown", "999.1.1.1", "[2001:db8::1", "1.2.3", "é", "_hidden", "a:b:c"):
        assert parse_address(junk) is None, junk


def test_fed_from_the_asgi_scope():
    scope = {"client": ("127.0.0.1", 5000),
             "headers": [(b"x-forwarded-for", b"1.2.3.4"), (b"host", b"x"), (b"X-Forwarded-For", b"198.51.100.7")]}
    assert client_from_scope(scope, LOCAL) == "198.51.100.7"
    assert client_from_scope(scope, ()) == "127.0.0.1"
    assert client_from_scope({"headers": []}, LOCAL) is None
    assert client_from_scope({"client": ("127.0.0.1", 1), "headers": [(b"x-forwarded-for", b"\xff\xfe")]},
                             LOCAL) == "127.0.0.1"


def test_trusted_networks_accept_addresses_and_cidr_and_refuse_the_rest():
    nets = trusted_networks(["127.0.0.1", " 10.0.0.0/8 ", "", "::1", "192.168.1.9/24"])
    assert [str(n) for n in nets] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "192.168.1.0/24"]
    for bad in ("localhost", "10.0.0.0/33", "*", "10.0.0.1-10.0.0.9"):
        with pytest.raises(ConfigError) as err:
            trusted_networks([bad])
        assert "RATINGS_TRUSTED_PROXIES" in str(err.value) and repr(bad) in str(err.value)
        assert "10.0.0.0/8" in str(err.value)  # the example of the fix
