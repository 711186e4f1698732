"""Photo upload for the console, and serving photos and initials to everybody (they are public)."""

from __future__ import annotations

from quart import Blueprint, Response, request

from wschat.errors import NotFound, TooLarge, ValidationFailed
from wschat.http import current_principal, json_response, runtime

blueprint = Blueprint("media", __name__)

#: Served images never change under their URL (a new photo gets a new id).
IMMUTABLE = "public, max-age=31536000, immutable"


@blueprint.put("/api/agents/<user_id>/photo")
async def upload(user_id: str) -> Response:
    """The image as the body, or as the single file of a multipart form."""
    principal = await current_principal()
    data = await _read_image()
    user = await runtime().photos.set_photo(principal, user_id, data)
    return json_response({"agent": user.to_wire()})


@blueprint.delete("/api/agents/<user_id>/photo")
async def remove(user_id: str) -> Response:
    user = await runtime().photos.delete_photo(await current_principal(), user_id)
    return json_response({"agent": user.to_wire()})


@blueprint.get("/media/photos/<photo_id>-<int:size>.webp")
async def photo(photo_id: str, size: int) -> Response:
    found = await runtime().photos.variant(photo_id, size)
    if found is None:
        raise NotFound()
    return _image(*found, cache=IMMUTABLE)


@blueprint.get("/media/initials/<tenant_id>/<user_id>-<int:size>.webp")
async def initials(tenant_id: str, user_id: str, size: int) -> Response:
    found = await runtime().photos.initials(tenant_id, user_id, size)
    if found is None:
        raise NotFound()
    return _image(*found, cache="public, max-age=300")  # the alias may change


async def _read_image() -> bytes:
    limit = runtime().settings.media.max_upload_bytes
    # Refused from the header alone: the body is never read.
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    if request.mimetype == "multipart/form-data":
        request.max_form_parts = 4
        files = await request.files
        form = await request.form
        if sum(len(files.getlist(key)) for key in files) != 1 or len(form) != 0:
            raise ValidationFailed("Send exactly one file.")
        data: bytes = next(iter(files.values())).read(limit + 1)
    else:
        received = bytearray()
        async for chunk in request.body:
            received += chunk
            if len(received) > limit:
                raise _too_large(limit)
        data = bytes(received)
    if len(data) > limit:
        raise _too_large(limit)
    return data


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
