"""Reading ``WSCHAT_*`` values: the reader that names the variable in every error, and the parsers of
values that are not secrets (those stay beside :class:`~wschat.config.Secret` in ``config.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from wschat.errors import ConfigError
from wschat.proxies import parse_networks
from wschat.secret import Secret

T = TypeVar("T")

LOG_LEVELS = ("debug", "info", "warning", "error")
DB_NAME = re.compile(r"^[A-Za-z0-9_-]{1,63}$")


class Reader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def get(self, name: str, default: T, parse: Callable[[str], T]) -> T:
        raw = self._env.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            return parse(raw.strip())
        except ValueError as e:
            raise ConfigError(name, str(e)) from None

    def choice(self, name: str, choices: tuple[str, ...]) -> str:
        """One of ``choices`` (case-insensitive); the first when unset."""
        value = self.get(name, choices[0], str.lower)
        if value not in choices:
            raise ConfigError(name, "must be " + " or ".join(choices))
        return value


def parse_host(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:_-]+", value):
        raise ValueError("not a host name or IP address")
    return value


def parse_port(value: str) -> int:
    return int_range(0, 65535)(value)


def parse_address(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:9100`` for an IPv6 address) into its host and port."""
    host, colon, port = value.rpartition(":")
    if not colon or not host:
        raise ValueError("must be host:port, such as 10.0.0.5:9100")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return parse_host(host), parse_port(port)


def int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        if not re.fullmatch(r"\d+", value):
            raise ValueError(f"must be a whole number from {low} to {high}, got {value!r}")
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"must be from {low} to {high}, got {number}")
        return number

    return parse


def parse_public_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("must be an http:// or https:// URL such as https://chat.example.com")
    return value.rstrip("/")


def parse_trusted_proxies(value: str) -> str:
    return ",".join(str(network) for network in parse_networks(value))


def parse_synchronous(value: str) -> str:
    if value.upper() not in ("FULL", "NORMAL"):
        raise ValueError("must be FULL (the default: a commit survives power loss) or NORMAL")
    return value.upper()


def parse_db_name(value: str) -> str:
    if not DB_NAME.fullmatch(value):
        raise ValueError("letters, digits, '_' and '-' only, at most 63 characters")
    return value


def parse_dir(value: str) -> Path:
    return Path(value).expanduser().resolve()


def parse_log_level(value: str) -> str:
    level = value.lower()
    if level not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return level


def parse_switch(value: str) -> bool:
    """``on`` or ``off`` (also ``true``/``false``, ``1``/``0``, ``yes``/``no``)."""
    lowered = value.strip().lower()
    if lowered in ("on", "true", "1", "yes"):
        return True
    if lowered in ("off", "false", "0", "no"):
        return False
    raise ValueError("must be on or off")


def parse_delays(value: str) -> tuple[int, ...]:
    """Seconds, comma-separated: ``30,120,600``; 1 to 20 of them, each from 1 s to 2 days."""
    parts = [part.strip() for part in value.split(",")]
    if not 1 <= len(parts) <= 20:
        raise ValueError("must list 1 to 20 delays in seconds, such as 30,120,600")
    return tuple(int_range(1, 2 * 86400)(part) for part in parts)


def parse_mongodb_uri(value: str) -> Secret:
    if not value.startswith(("mongodb://", "mongodb+srv://")):
        raise ValueError("must start with mongodb:// or mongodb+srv://")
    return Secret(value)


def parse_redis_url(value: str) -> Secret:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("must start with redis://, rediss:// or unix://")
    return Secret(value)


def default_public_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - display only
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"
