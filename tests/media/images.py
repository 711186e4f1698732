"""Test images made on the fly with Pillow (and a few hand-crafted byte strings)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def jpeg(size: tuple[int, int] = (400, 300), colour: str = "red", **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", **save)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def rotated_jpeg() -> bytes:
    """Stored landscape (300×100, left half black), EXIF orientation 6: shown rotated 90° clockwise."""
    image = Image.new("RGB", (300, 100), "white")
    image.paste((0, 0, 0), (0, 0, 150, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 18.0)
    return jpeg((320, 320), "blue", exif=exif.tobytes())


def transparent_png() -> bytes:
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    image.paste((255, 0, 0, 255), (50, 50, 150, 150))
    return png(image)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims width×height pixels, with a tiny compressed body: a decompression bomb."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 10_000, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def strip_png() -> bytes:
    return png(Image.new("L", (1, 100_000), 128))


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (20, 20)).save(buffer, "GIF")
    return buffer.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
TEXT_AS_PNG = b"this is just text in a file named photo.png\n"
PNG_HTML_POLYGLOT = b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>"
