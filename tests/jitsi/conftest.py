"""The call fixtures of tests/signalling, for Jitsi calls too."""

from __future__ import annotations

from tests.chat.conftest import team  # noqa: F401 - fixtures
from tests.signalling.conftest import chat  # noqa: F401
