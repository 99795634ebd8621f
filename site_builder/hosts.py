"""The preview's address: checking --host and --port, and which Host headers it answers.

A page on another site can point a name of its own at 127.0.0.1 (DNS rebinding) and then
read the preview as if it were that site. Its requests still name that site in the Host
header, so the preview answers only requests that name the preview itself.
"""

from __future__ import annotations

import argparse
import ipaddress
import re

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
_PORT = re.compile(r"[0-9]{1,5}\Z")


def port_number(text: str) -> int:
    """--port: a whole number from 1 to 65535."""
    if not _PORT.match(text.strip()) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text[:20]}' is not a port: give a whole number from 1 to 65535")
    return int(text)


def host_name(text: str) -> str:
    """--host: an IP address (such as 127.0.0.1 or ::1) or a host name, without a port."""
    host = _normalise(text)
    if host is None:
        raise argparse.ArgumentTypeError(
            f"'{text[:40]}' is not an address to listen on: give an IP address such as 127.0.0.1, "
            "or a host name such as localhost, without a port")
    return host


def _normalise(text: str) -> str | None:
    """An IP address in its usual form, or a valid host name in lower case; None for anything else."""
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    name = text.lower()
    if len(name) > 253 or not all(_LABEL.match(label) for label in name.split(".")):
        return None
    return name


def _split(header: str) -> tuple[str, int] | None:
    """A Host header's host and port (80 when it names none); None if it is not one."""
    if header.startswith("["):
        host, _, rest = header[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("80" if not rest else "x")
    elif header.count(":") == 1:
        host, port = header.split(":")
    elif ":" not in header:
        host, port = header, "80"
    else:
        return None
    if not _PORT.match(port):
        return None
    normal = _normalise(host) if host else None
    return (normal, int(port)) if normal else None


def host_allowed(header: str | None, host: str, port: int) -> bool:
    """Does a request's Host header name the preview listening on host:port?

    Loopback names always do, and the name it was started with. Listening on every address
    (0.0.0.0 or ::), any IP address does too: a browser sends an address it did not look up,
    so no other site can have pointed its own name there.
    """
    split = _split(header) if header else None
    if split is None:
        return False
    name, asked_port = split
    if asked_port != port:
        return False
    bound = _normalise(host)
    if name in LOOPBACK_NAMES or name == bound:
        return True
    if bound in ("0.0.0.0", "::"):
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True
    return False


def origin_allowed(origin: str, host: str, port: int) -> bool:
    """Is a websocket's Origin (a page's scheme://host:port) the preview's own pages?"""
    scheme, _, rest = origin.partition("://")
    return scheme == "http" and "/" not in rest and host_allowed(rest, host, port)
