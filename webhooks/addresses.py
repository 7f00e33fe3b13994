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

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection


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


def check_url(url: str) -> list[str]:
    """ValidationError on ``url`` when a webhook may not be sent to it; else
    the addresses its host resolves to, every one of them allowed."""
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
    addresses = [info[4][0].split("%", 1)[0] for info in infos]
    for address in addresses:
        reason = _refused(ipaddress.ip_address(address))
        if reason:
            raise ValidationError(
                {"url": [f"The host {host!r} resolves to {address}, {reason}: refused."]}
            )
    if not addresses:
        raise ValidationError({"url": [f"The host {host!r} cannot be resolved."]})
    return addresses


def resolve_checked(url: str) -> str:
    """The address a webhook to ``url`` connects to: one the host resolves to
    now, all of which passed the check. The request is then pinned to it
    (``pinned_session``), so a name that resolves elsewhere a moment later
    (DNS rebinding) cannot send it to an address that was never checked."""
    return check_url(url)[0]


class _PinnedConnection:
    """An urllib3 connection to ``pinned_address`` whatever its host name
    resolves to; the name still goes in the Host header, the TLS server
    name and the certificate check."""

    pinned_address = ""

    def _new_conn(self):
        try:
            return urllib3_connection.create_connection(
                (self.pinned_address, self.port),
                self.timeout,
                source_address=self.source_address,
                socket_options=self.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
        except OSError as error:
            raise NewConnectionError(
                self, f"Failed to establish a new connection: {error}"
            ) from error


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, address: str):
        self._address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        pinned = {"pinned_address": self._address}
        http = type("PinnedHTTPConnection", (_PinnedConnection, HTTPConnection), pinned)
        https = type("PinnedHTTPSConnection", (_PinnedConnection, HTTPSConnection), pinned)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }


def pinned_session(address: str) -> requests.Session:
    """A requests session whose every connection goes to ``address``."""
    session = requests.Session()
    adapter = _PinnedAdapter(address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
