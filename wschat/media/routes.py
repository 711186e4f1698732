"""Photo upload for the console, and serving photos and initials to everybody (they are public)."""

from __future__ import annotations

import io
from typing import IO

from quart import Blueprint, Response, request
from quart.formparser import FormDataParser
from quart.wrappers.request import Body

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, service
from wschat.config import Settings
from wschat.errors import NotFound, TooLarge, ValidationFailed
from wschat.media.service import PhotoService

blueprint = Blueprint("media", __name__)

#: Served images never change under their URL (a new photo gets a new id).
IMMUTABLE = "public, max-age=31536000, immutable"
#: What a multipart form may add to the image: boundaries, part headers, a file name.
FORM_OVERHEAD = 64 * 1024
#: One file is expected; a few more parts are parsed to say so, a flood is refused.
MAX_FORM_PARTS = 4


@blueprint.put("/api/agents/<user_id>/photo")
async def upload(user_id: str) -> Response:
    """The image as the body, or as the single file of a multipart form."""
    principal = await current_principal()
    data = await _read_image()
    user = await service(PhotoService).set_photo(principal, user_id, data)
    return json_response({"agent": user.to_wire()})


@blueprint.delete("/api/agents/<user_id>/photo")
async def remove(user_id: str) -> Response:
    user = await service(PhotoService).delete_photo(await current_principal(), user_id)
    return json_response({"agent": user.to_wire()})


@blueprint.get("/media/photos/<photo_id>-<int:size>.webp")
async def photo(photo_id: str, size: int) -> Response:
    found = await service(PhotoService).variant(photo_id, size)
    if found is None:
        raise NotFound()
    return _image(*found, cache=IMMUTABLE)


@blueprint.get("/media/initials/<tenant_id>/<user_id>-<int:size>.webp")
async def initials(tenant_id: str, user_id: str, size: int) -> Response:
    found = await service(PhotoService).initials(tenant_id, user_id, size)
    if found is None:
        raise NotFound()
    return _image(*found, cache="public, max-age=300")  # the alias may change


async def _read_image() -> bytes:
    limit = service(Settings).media.max_upload_bytes
    # Refused from the header alone: the body is never read.
    if request.content_length is not None and request.content_length > limit + FORM_OVERHEAD:
        raise _too_large(limit)
    if request.mimetype != "multipart/form-data":
        data = await _read_capped(limit)
    else:
        data = await _single_file(await _read_capped(limit + FORM_OVERHEAD), limit)
    if len(data) > limit:
        raise _too_large(limit)
    return data


async def _read_capped(limit: int) -> bytes:
    """The body, refused as soon as more than ``limit`` bytes arrived: a chunked upload (no length
    announced) is cut off there, never read to its end or spooled to disk."""
    received = bytearray()
    async for chunk in request.body:
        received += chunk
        if len(received) > limit:
            raise _too_large(service(Settings).media.max_upload_bytes)
    return bytes(received)


async def _single_file(raw: bytes, limit: int) -> bytes:
    """The one file of a multipart body that was read already (and so is bounded); at most
    MAX_FORM_PARTS parts are parsed (Werkzeug CVE-2023-25577: a flood of parts is refused with 413)."""
    body = Body(len(raw), None)
    body.set_result(raw)
    parser = FormDataParser(
        max_form_parts=MAX_FORM_PARTS,
        max_form_memory_size=FORM_OVERHEAD,
        stream_factory=_in_memory,  # the body is in memory already, and bounded: no temporary files
    )
    form, files = await parser.parse(body, request.mimetype, len(raw), request.mimetype_params)
    if sum(len(files.getlist(key)) for key in files) != 1 or len(form) != 0:
        raise ValidationFailed("Send exactly one file.")
    data: bytes = next(iter(files.values())).read(limit + 1)
    return data


def _in_memory(
    total_content_length: int | None,
    content_type: str | None,
    filename: str | None,
    content_length: int | None = None,
) -> IO[bytes]:
    return io.BytesIO()


def _too_large(limit: int) -> TooLarge:
    shown = f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return TooLarge(f"The image may have at most {shown}.")


def _image(data: bytes, etag: str, *, cache: str) -> Response:
    headers = {
        "ETag": etag,
        "Cache-Control": cache,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        return Response(b"", status=304, headers=headers)
    return Response(data, status=200, content_type="image/webp", headers=headers)
