"""No full client address in a log line.

uvicorn writes one line per WebSocket handshake (``<client ip:port> - "WebSocket /socket.io/…" [accepted]``)
on its ``uvicorn.error`` logger, whatever ``access_log`` says; behind a trusted proxy that is the visitor's
real address. The filter below rewrites every IP address in the arguments of those records to its
truncated form (IPv4 /24, IPv6 /48, as stored) before any handler formats them. wsChat's own code logs no
client address at all.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from wschat.privacy.ip import truncate_ip

#: The loggers of the ASGI server that mention clients.
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access")

# Candidates only; ipaddress decides. IPv6 may come bracketed (``[::1]:443``) or bare.
_CANDIDATE = re.compile(r"\[?([0-9A-Fa-f:]*:[0-9A-Fa-f:.]+|\d{1,3}(?:\.\d{1,3}){3})\]?")


def scrub(text: str) -> str:
    """Every IP address in ``text`` truncated; everything else unchanged."""
    return _CANDIDATE.sub(_truncated, text)


def _truncated(match: re.Match[str]) -> str:
    candidate = match.group(1)
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        # "::1]:8080" style tails and times like 12:30:05 land here: try without a trailing ":port".
        head, sep, port = candidate.rpartition(":")
        if sep and port.isdigit() and _is_ip(head):
            return match.group(0).replace(head, truncate_ip(head), 1)
        return match.group(0)
    return match.group(0).replace(candidate, truncate_ip(candidate), 1)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class AddressScrubber(logging.Filter):
    """Truncates the IP addresses in a record's arguments and message (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: scrub(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_address_scrubbing() -> None:
    """Attach the filter to the server's loggers, once per process (the loggers are process-wide)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, AddressScrubber) for f in logger.filters):
            logger.addFilter(AddressScrubber())
