"""The visitor's country from their IP address, looked up locally.

iptocc carries the regional internet registries' delegation tables inside the package: no request leaves
the server, and no third party learns who visits. Only the two-letter country code is kept, never a city.
"""

from __future__ import annotations

import iptocc


def country_of(address: str | None) -> str | None:
    """``"DE"`` for a German address; ``None`` for private, reserved, unknown or malformed addresses."""
    if not address:
        return None
    code = iptocc.country_code(address)
    return code if isinstance(code, str) and len(code) == 2 else None
