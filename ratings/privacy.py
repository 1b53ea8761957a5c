"""Who a voter is, without keeping who they are.

A voter is an HMAC keyed by the service's secret (RATINGS_SECRET or the file
RATINGS_SECRET_FILE, never in the database: secret.py) over the day's random
salt, the article, the IP prefix (/24 for IPv4, /48 for IPv6) and the user
agent. Without the secret, a copy of the database cannot be swept to find the
prefix behind a hash; once the day's salt is deleted (after the retention
period) not even the secret links the hashes to anybody. The raw address never
leaves this module.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress


def ip_prefix(address: str | None) -> str:
    """'203.0.113.7' -> '203.0.113.0/24'; IPv6 -> its /48; junk -> 'unknown'."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    bits = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def _mac(secret: bytes, *parts: str) -> str:
    if not secret:
        raise ValueError("the voter hashes need a secret (RATINGS_SECRET or RATINGS_SECRET_FILE)")
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def voter_id(secret: bytes, salt: bytes, slug: str, prefix: str, user_agent: str) -> str:
    """The voter of one article on one day (the salt is the day's)."""
    return _mac(secret, "voter", salt.hex(), slug, prefix, user_agent[:512])


def network_id(secret: bytes, salt: bytes, prefix: str) -> str:
    """The IP prefix as the caps see it, unlinkable once the salt is gone."""
    return _mac(secret, "network", salt.hex(), prefix)
