"""Which URLs a webhook may be sent to (server-side request forgery).

An endpoint's URL is checked when it is saved and again before every send
(the name may resolve elsewhere by then): http or https only (https only
when ``WEBHOOKS_REQUIRE_HTTPS``, production), and every address the host
resolves to must be a public one. Private (10/8, 172.16/12, 192.168/16,
fc00::/7), loopback, link-local (169.254/16 with the cloud metadata
service, fe80::/10), unspecified (0.0.0.0, ::), multicast and reserved
addresses are refused, IPv4-mapped IPv6 ones by their IPv4 address;
loopback is allowed only with ``WEBHOOKS_ALLOW_LOOPBACK`` (dev and tests).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def _refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    if address.is_loopback:
        return None if settings.WEBHOOKS_ALLOW_LOOPBACK else "a loopback address"
    if address.is_link_local:
        return "a link-local address (the cloud metadata service among them)"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private or not address.is_global:
        return "a private or reserved address"
    if address.is_multicast:
        return "a multicast address"
    return None


def check_url(url: str) -> None:
    """ValidationError on ``url`` when a webhook may not be sent to it."""
    parts = urlsplit(url)
    allowed = ("https",) if settings.WEBHOOKS_REQUIRE_HTTPS else ("http", "https")
    if parts.scheme not in allowed:
        raise ValidationError({"url": [f"Only {' or '.join(allowed)} URLs are accepted."]})
    host = parts.hostname
    if not host:
        raise ValidationError({"url": ["The URL names no host."]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise ValidationError({"url": [f"The host {host!r} cannot be resolved."]})
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        reason = _refused(address)
        if reason:
            raise ValidationError(
                {"url": [f"The host {host!r} resolves to {address}, {reason}: refused."]}
            )
