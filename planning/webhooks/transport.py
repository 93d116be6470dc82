"""Sending one webhook request: only to vetted addresses, never following a redirect.

A subscription's host is resolved when it is created and again at every delivery, and the request
goes to the very address that was checked (no second lookup that DNS rebinding could change).
Private, loopback, link-local (the cloud metadata address 169.254.169.254), shared, multicast and
reserved addresses are refused unless the deployment sets `WEBHOOK_ALLOW_PRIVATE_TARGETS`.
What went wrong is told generically ("HTTP 503", "connection failed"): a subscriber learns nothing
about the network behind takt.
"""

import contextlib
import http.client
import ipaddress
import logging
import socket
import ssl
import threading
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(Exception):
    """A webhook URL whose host is not a public address."""


class UnresolvedHost(TargetRefused):
    """A webhook URL whose host resolves to no address."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def target_addresses(url: str, *, allow_private: bool) -> list[str]:
    """The addresses the host of `url` resolves to; raise `TargetRefused` if any is not public."""
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnresolvedHost(f"host {parts.hostname!r} does not resolve") from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private and not all(_is_public(address) for address in addresses):
        raise TargetRefused(
            f"host {parts.hostname!r} is a private, loopback, link-local or reserved address; "
            "webhooks go to public addresses only"
        )
    return addresses


def post(url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool) -> str | None:
    """POST `body` to `url`; None on a 2xx answer, else a generic reason ("HTTP 302", "connection failed")."""
    try:
        address = target_addresses(url, allow_private=allow_private)[0]
    except UnresolvedHost:
        return "connection failed"
    except TargetRefused:
        return "target not allowed"
    parts = urlsplit(url)
    connection = _connection(parts, address, timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # `timeout` bounds each socket operation; this bounds the whole exchange (a receiver answering a byte
    # at a time would otherwise hold the delivery job, and every other receiver's deliveries, for hours)
    deadline = threading.Timer(timeout, _cut, args=(connection,))
    deadline.start()
    try:
        connection.request("POST", path, body=body, headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException):  # refused, timed out, TLS, a malformed answer
        log.info("webhook to %s failed", parts.hostname, exc_info=True)
        return "connection failed"
    finally:
        deadline.cancel()
        connection.close()
    return None if 200 <= status < 300 else f"HTTP {status}"  # a redirect is an answer, not followed


def _cut(connection: http.client.HTTPConnection) -> None:
    """End an exchange that overran its deadline: a blocked read returns at once, as a failure."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _connection(parts, address: str, timeout: float) -> http.client.HTTPConnection:
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if parts.scheme == "https":
        return _PinnedHTTPSConnection(parts.hostname, port, address=address, timeout=timeout)
    return _PinnedHTTPConnection(parts.hostname, port, address=address, timeout=timeout)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to an address checked beforehand; the Host header keeps the URL's name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address checked beforehand; the certificate is verified against the URL's name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
