"""An agent without a photo gets their initials on a colour derived from the alias, drawn here.

Never a third-party avatar service: the picture is made by Pillow from the alias alone.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

#: Muted colours with enough contrast for white text (WCAG AA for large text).
PALETTE = ("#1f5fbf", "#2e7d32", "#8e24aa", "#c62828", "#00695c", "#5d4037", "#3949ab", "#ad1457")


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def colour(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def draw_initials(name: str, size: int) -> bytes:
    """A square WebP with the initials of ``name``. CPU-bound: call in a thread."""
    image = Image.new("RGB", (size, size), colour(name))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size * 0.42)
    draw.text((size / 2, size / 2), initials(name), fill="#ffffff", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=90)
    return buffer.getvalue()
