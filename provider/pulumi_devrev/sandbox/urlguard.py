"""Where the sandbox may deliver: loopback only, unless remote delivery was allowed.

Decided from the URL's text alone, *before* any name lookup or connection.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a literal loopback address (127.0.0.0/8, ::1); no name lookup."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def remote_delivery_problem(url: str) -> str | None:
    """Why ``url`` may not be contacted while remote delivery is off, or None if it may."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return "the URL cannot be parsed"
    if host and is_loopback_host(host):
        return None
    return (
        f"remote delivery is disabled: {host or 'the host'} is not a loopback address "
        "(127.0.0.0/8, ::1 or localhost); the sandbox only delivers to this machine"
    )
