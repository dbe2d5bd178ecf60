"""Fetching a page by URL for the service, safely (no SSRF).

Rules, applied to the first URL and to every redirect hop:

- only ``http``/``https``, no credentials in the URL;
- when an allow-list is set, the host must be on it (``example.com`` or
  ``*.example.com``); an allow-listed host is trusted, even on a loopback or
  private address (that is how tests point at a local server);
- otherwise the host is resolved and **every** address it resolves to must
  be globally routable: private, loopback, link-local, multicast, reserved,
  unspecified, shared (CGNAT) and IPv4-mapped/translated forms of those are
  refused;
- the connection goes to the very address that was checked (the URL is
  rewritten to the IP, with ``Host`` and TLS SNI/certificate checks kept on
  the name), so a second DNS answer cannot rebind it;
- at most `max_redirects` redirects, at most `max_bytes` of body, and one
  wall-clock deadline over the whole chain; no proxies from the environment.

Errors are `FetchError`s with a stable ``code`` and an HTTP ``status`` for
the service to return.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: async (host, port) -> addresses; replaceable in tests.
Resolver = Callable[[str, int], Awaitable[list[str]]]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
USER_AGENT = "copydesk-serve/0.1 (+https://pypi.org/project/copydesk/)"


class FetchError(Exception):
    """A URL could not or may not be fetched."""

    def __init__(self, code: str, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class FetchResult:
    """The fetched body (bytes, undecoded) and what is known about it."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str | None
    charset: str | None
    redirects: list[str] = field(default_factory=list)


def is_public_address(ip: str | IPAddress) -> bool:
    """True only for addresses that are globally routable unicast."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        # ::ffff:a.b.c.d, 64:ff9b::a.b.c.d (NAT64) and 6to4 embed an IPv4 address: judge that one too.
        if addr.ipv4_mapped is not None:
            return is_public_address(addr.ipv4_mapped)
        if addr in ipaddress.ip_network("64:ff9b::/96"):
            return is_public_address(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
        if addr.sixtofour is not None and not is_public_address(addr.sixtofour):
            return False
        if addr.teredo is not None:
            return False
        if addr.scope_id:
            return False
    bad = (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
    )
    if isinstance(addr, ipaddress.IPv4Address) and addr in ipaddress.ip_network("100.64.0.0/10"):
        bad = True  # shared address space (carrier-grade NAT)
    return not bad and addr.is_global


def host_allowed(host: str, allow: tuple[str, ...]) -> bool:
    """Whether `host` matches the allow-list (exact, or ``*.suffix``)."""
    host = host.lower().rstrip(".")
    for entry in allow:
        entry = entry.lower().rstrip(".")
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and host != entry[2:]:
                return True
        elif host == entry:
            return True
    return False


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the system resolver (in a thread), TCP addresses only."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone; such addresses are refused anyway
        if ip not in seen:
            seen.append(ip)
    return seen


@dataclass
class Fetcher:
    """Fetches one URL under the rules in this module's docstring."""

    allow: tuple[str, ...] = ()
    max_bytes: int = 5 * 1024 * 1024
    timeout: float = 10.0
    max_redirects: int = 5
    resolver: Resolver = system_resolver
    #: Given to httpx as its transport; tests may pass a MockTransport.
    transport: httpx.AsyncBaseTransport | None = None

    async def fetch(self, url: str) -> FetchResult:
        """Fetch `url`, following checked redirects; raises `FetchError`."""
        try:
            return await asyncio.wait_for(self._fetch(url), self.timeout)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            raise FetchError("fetch_timeout", f"fetching took longer than {self.timeout:g} s", 504) from None

    async def _fetch(self, url: str) -> FetchResult:
        deadline = time.monotonic() + self.timeout
        current = url
        redirects: list[str] = []
        async with httpx.AsyncClient(
            transport=self.transport,
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"},
        ) as client:
            while True:
                host, port, target = await self._checked_target(current)
                remaining = max(deadline - time.monotonic(), 0.001)
                request = client.build_request(
                    "GET",
                    target,
                    headers={"Host": _host_header(current)},
                    extensions={"sni_hostname": host, "timeout": httpx.Timeout(remaining).as_dict()},
                )
                try:
                    response = await client.send(request, stream=True)
                except httpx.TimeoutException:
                    raise
                except httpx.HTTPError as exc:
                    raise FetchError("fetch_failed", f"could not fetch {current}: {type(exc).__name__}") from None
                try:
                    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                        if len(redirects) >= self.max_redirects:
                            raise FetchError("fetch_too_many_redirects", f"more than {self.max_redirects} redirects")
                        redirects.append(current)
                        current = urljoin(current, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchError("fetch_failed", f"{current} answered HTTP {response.status_code}")
                    content_type, charset = _content_type(response.headers.get("content-type"))
                    if content_type and not content_type.startswith(ACCEPTED_TYPES):
                        raise FetchError("fetch_unsupported_type", f"{current} is {content_type}, not HTML or text", 415)
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > self.max_bytes:
                        raise FetchError("fetch_too_large", f"{current} is larger than {self.max_bytes} bytes")
                    body = bytearray()
                    # aiter_bytes undoes Content-Encoding chunk by chunk, so the
                    # cap holds for the decompressed size too (no zip bombs).
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise FetchError("fetch_too_large", f"{current} is larger than {self.max_bytes} bytes")
                    return FetchResult(url, current, response.status_code, bytes(body), content_type, charset, redirects)
                except httpx.TimeoutException:
                    raise
                except httpx.HTTPError as exc:
                    raise FetchError("fetch_failed", f"could not read {current}: {type(exc).__name__}") from None
                finally:
                    await response.aclose()

    async def _checked_target(self, url: str) -> tuple[str, int, str]:
        """Check `url` and return (host, port, the URL rewritten to the checked IP)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError("invalid_url", f"not a valid URL: {exc}", 422) from None
        if parts.scheme not in ("http", "https"):
            raise FetchError("invalid_url", "only http and https URLs can be fetched", 422)
        if parts.username is not None or parts.password is not None:
            raise FetchError("fetch_refused", "URLs with credentials are not fetched", 403)
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise FetchError("invalid_url", "the URL has no host", 422)
        port = port or (443 if parts.scheme == "https" else 80)
        if self.allow and not host_allowed(host, self.allow):
            raise FetchError("fetch_refused", f"host {host!r} is not on the fetch allow-list", 403)
        try:
            literal: IPAddress | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [str(literal)]
        else:
            try:
                addresses = await self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchError("fetch_failed", f"could not resolve {host!r}: {exc}") from None
            if not addresses:
                raise FetchError("fetch_failed", f"{host!r} has no address")
        if not self.allow:
            blocked = [a for a in addresses if not is_public_address(a)]
            if blocked:
                raise FetchError("fetch_refused", f"{host!r} resolves to a non-public address", 403)
        ip = ipaddress.ip_address(addresses[0])
        netloc = f"[{ip}]" if ip.version == 6 else str(ip)
        netloc = f"{netloc}:{port}"
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return host, port, target


def _host_header(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    default = 443 if parts.scheme == "https" else 80
    return host if parts.port in (None, default) else f"{host}:{parts.port}"


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    main, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').strip("'") or None
    return main.strip().lower(), charset
