"""wsChat: self-hosted, privacy-first live chat for company websites, human to human."""

from __future__ import annotations

__version__ = "0.1.0"
