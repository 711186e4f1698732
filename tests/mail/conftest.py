"""Fixtures of the mail tests: a real SMTP server (aiosmtpd) on 127.0.0.1, running or down."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.mail.smtpd import SmtpServer


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    """A running SMTP server."""
    server = SmtpServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def smtp_down() -> AsyncIterator[SmtpServer]:
    """An SMTP server that is not running yet (nothing listens on its port until the test starts it)."""
    server = SmtpServer()
    yield server
    await server.stop()
