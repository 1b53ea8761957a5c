"""Which address a vote comes from: the peer, or what a trusted proxy says it saw.

The caps count votes per network, so the address must be one the voter cannot
choose. ``X-Forwarded-For`` is written by whoever sends the request, so it is
believed only when the peer (the TCP connection) is a proxy the operator named
in RATINGS_TRUSTED_PROXIES (default: none), and then only as far as the
trusted proxies vouch for it: walking the header from the right, trusted
proxies are skipped and the first address that is not one of them is the
client. Whatever a client wrote further left is never read.

uvicorn's own proxy-header handling is switched off (``__main__.serve``), so
this is the one rule.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from .config import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_HOPS = 32  # a longer chain of our own proxies is not a deployment, it is junk


def trusted_networks(entries: Iterable[str], name: str = "RATINGS_TRUSTED_PROXIES") -> tuple[Network, ...]:
    """'127.0.0.1', '::1', '10.0.0.0/8' -> networks; anything else is a ConfigError naming the fix."""
    if isinstance(entries, str):
        entries = entries.split(",")
    networks = []
    for entry in entries:
        text = entry.strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ConfigError(f"ratings: {name} entry {text!r} is not an IP address or network; "
                              f"use addresses or CIDR networks separated by commas, e.g. "
                              f"{name}=127.0.0.1,10.0.0.0/8 (or leave it empty to trust no proxy)") from None
        networks.append(network)
    return tuple(networks)


def parse_address(text: str) -> IPAddress | None:
    """'203.0.113.7', '203.0.113.7:5000', '[2001:db8::1]:443', 'fe80::1%eth0' -> the address; junk -> None."""
    text = text.strip().strip('"')
    port = ""
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else "0"
    elif text.count(":") == 1:  # IPv4:port
        text, _, port = text.partition(":")
    if port and not (port.isascii() and port.isdigit() and len(port) <= 5):
        return None
    text = text.split("%", 1)[0]
    if not text or len(text) > 45:
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def _trusted(ip: IPAddress, networks: tuple[Network, ...]) -> bool:
    return any(ip.version == net.version and ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str | None:
    """The address the caps count: the peer unless it is a trusted proxy, else the
    rightmost X-Forwarded-For hop that is not itself a trusted proxy.

    ``forwarded_for`` is every X-Forwarded-For header, in order (several headers
    are one comma-separated list). A hop that is not an address ends the walk:
    the last hop a trusted proxy vouched for is used, never anything to its left.
    """
    peer_ip = parse_address(peer) if peer else None
    if peer_ip is None or not trusted or not _trusted(peer_ip, trusted):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    client = peer_ip
    for hop in reversed(hops[-MAX_HOPS:]):
        ip = parse_address(hop)
        if ip is None:
            break
        client = ip
        if not _trusted(ip, trusted):
            break
    return str(client)


def client_from_scope(scope: dict, trusted: tuple[Network, ...]) -> str | None:
    """``client_address`` fed from an ASGI scope (its ``client`` and its raw headers)."""
    peer = scope.get("client")
    values = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == b"x-forwarded-for"]
    return client_address(peer[0] if peer else None, values, trusted)
