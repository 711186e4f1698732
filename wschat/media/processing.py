"""Turning an uploaded image into the two WebP variants wsChat serves. Pure Pillow, no I/O: run in a thread.

Only JPEG, PNG and WebP are decoded (``Image.open(formats=…)``); the size is checked from the header
before any pixel is decoded (decompression bombs, 1×100000 strips); the EXIF orientation is applied and then
every piece of metadata is left behind (EXIF, GPS, XMP, comments; an ICC profile is converted to sRGB); the
image is centre-cropped to a square and encoded as WebP at 256 and 64 pixels. The original is never kept.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from wschat.errors import ErrorCode, WsChatError

FORMATS = ("JPEG", "PNG", "WEBP")
SIZES = (256, 64)
MAX_VARIANT_BYTES = 100 * 1024
#: No side may be longer than this, whatever the pixel count (a 1×100000 strip is no photo).
MAX_SIDE = 12_000


class UnsupportedImage(WsChatError):
    code = ErrorCode.UNSUPPORTED_IMAGE
    status = 400
    default_message = "Please upload a JPEG, PNG or WebP image."


class ImageTooLarge(WsChatError):
    code = ErrorCode.IMAGE_TOO_LARGE
    status = 400
    default_message = "The image has too many pixels. Please upload a smaller one."


@dataclass(frozen=True)
class Processed:
    variants: dict[int, bytes]
    content_hash: str


def process_photo(data: bytes, *, max_pixels: int) -> Processed:
    """Raises UnsupportedImage, ImageTooLarge."""
    image = _open(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image = ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError, struct.error) as e:  # a broken EXIF block
        raise UnsupportedImage() from e
    image = _to_srgb(image)
    image = _flatten(image)
    square = ImageOps.fit(image, (SIZES[0], SIZES[0]), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
    variants = {
        size: _webp(square if size == SIZES[0] else square.resize((size, size), Image.Resampling.LANCZOS))
        for size in SIZES
    }
    digest = hashlib.sha256(b"".join(variants[size] for size in SIZES)).hexdigest()
    return Processed(variants, digest)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    if not data:
        raise UnsupportedImage()
    try:
        with warnings.catch_warnings():
            # Pillow warns about damage it can live with (a corrupt EXIF block); only a bomb is an error,
            # whatever the process-wide warning filters say.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = image.size  # from the header: nothing is decoded yet
            if width * height > max_pixels or max(width, height) > MAX_SIDE:
                raise ImageTooLarge()
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)  # animated WebP: the first frame is the photo
            image.load()
    except ImageTooLarge:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as e:
        raise ImageTooLarge() from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as e:
        raise UnsupportedImage() from e
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") else "RGB"
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(
            image.convert(mode), source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError):
        return image.convert(mode)  # a broken profile is dropped, the pixels are kept as they are
    return converted or image


def _flatten(image: Image.Image) -> Image.Image:
    """Transparency onto white (the widget's panel background); everything else to RGB."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _webp(image: Image.Image) -> bytes:
    """A fresh image (no info carried over) encoded as WebP, within MAX_VARIANT_BYTES."""
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    for quality in (85, 75, 60, 45, 30):
        buffer = io.BytesIO()
        clean.save(buffer, "WEBP", quality=quality, method=4)
        if buffer.tell() <= MAX_VARIANT_BYTES:
            return buffer.getvalue()
    raise UnsupportedImage("The image could not be encoded small enough.")
