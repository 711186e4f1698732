from __future__ import annotations

from tests.chat.conftest import team

__all__ = ["team"]
