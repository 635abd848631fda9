"""Where events may go: the URL checks made when an endpoint is saved, and again at delivery time.

At delivery time the host is resolved once, every address is checked, and the POST connects to the checked
address (with the URL's host in the `Host` header and as TLS SNI), so a DNS answer that changes between the
check and the connection (DNS rebinding) cannot steer a delivery into the private network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

import msgspec

from infra.problems import ProblemError
from infra.settings import Settings


class UrlRefused(ProblemError):
    """The endpoint URL is not one events may be sent to; the field at fault is `url`."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(422, "validation_error", vi, en, errors=[("url", code, vi, en)])


class Destination(msgspec.Struct, frozen=True):
    """A URL resolved and checked: connect to `address`, name `host`."""

    url: str  # the URL with the host replaced by the checked address
    host: str  # for the Host header and TLS SNI
    host_header: str  # host[:port] as the URL wrote it
    address: str


def _parts(url: str, settings: Settings) -> tuple[SplitResult, int]:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UrlRefused("invalid_url", "Địa chỉ URL không hợp lệ", "Not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("invalid_url", "Địa chỉ URL phải bắt đầu bằng https:// và có tên máy chủ",
                         "The URL must start with https:// and name a host")
    if parts.scheme != "https" and settings.env == "production":
        raise UrlRefused("https_required", "Địa chỉ URL phải dùng https", "The URL must use https")
    return parts, port


async def _checked_addresses(host: str, port: int, settings: Settings) -> list[ipaddress.IPv4Address
                                                                               | ipaddress.IPv6Address]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UrlRefused("unresolvable_host", "Không phân giải được tên máy chủ", "The host does not resolve") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global and not settings.webhooks_allow_private:
            raise UrlRefused("private_address",
                             "Địa chỉ URL trỏ tới mạng nội bộ (private, loopback hoặc link-local)",
                             "The URL points at a private, loopback or link-local address")
        addresses.append(address)
    return addresses


async def check_destination(url: str, settings: Settings) -> None:
    """Refuse URLs events must not go to: not http(s), plain http in production, and (unless the deployment
    allows them) hosts that resolve to a private, loopback, link-local or otherwise non-public address."""
    parts, port = _parts(url, settings)
    if not settings.webhooks_allow_private:
        await _checked_addresses(str(parts.hostname), port, settings)


async def resolve_destination(url: str, settings: Settings) -> Destination:
    """The URL checked as `check_destination` does, pinned to the first checked address."""
    parts, port = _parts(url, settings)
    host = str(parts.hostname)
    address = (await _checked_addresses(host, port, settings))[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    return Destination(url=parts._replace(netloc=netloc).geturl(), host=host,
                       host_header=parts.netloc.rpartition("@")[2], address=str(address))
