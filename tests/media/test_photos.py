"""Profile photos: only real JPEG/PNG/WebP, metadata gone, bombs refused fast, served safely."""

from __future__ import annotations

import asyncio
import contextlib
import io
import time
from typing import Any

import pytest
from PIL import Image

from tests.chat.conftest import Team
from tests.media import images
from tests.support import Reply


async def _put(team: Team, user_id: str, body: bytes, token: str, content_type: str = "image/jpeg") -> Reply:
    data: Any = io.BytesIO(body) if len(body) > 1024 * 1024 else body  # aiohttp streams large bodies
    return await team.server.request(
        "PUT", f"/api/agents/{user_id}/photo", data=data, token=token, headers={"Content-Type": content_type}
    )


async def _put_files(team: Team, files: list[tuple[str, bytes]]) -> tuple[int, Any]:
    """A multipart upload of Bert's photo with the given (field name, image) files."""
    import aiohttp

    form = aiohttp.FormData()
    for n, (field, body) in enumerate(files):
        form.add_field(field, body, filename=f"{n}.jpg", content_type="image/jpeg")
    async with team.server.http.put(
        f"{team.server.url}/api/agents/{team.bert.id}/photo",
        data=form,
        headers={"Authorization": f"Bearer {team.tokens['bert']}"},
    ) as reply:
        return reply.status, await reply.json()


async def _fetch(team: Team, url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
    async with team.server.http.get(team.server.url + url, headers=headers or {}) as reply:
        return reply.status, await reply.read(), reply.headers


async def _photo_count(team: Team) -> int:
    return await team.server.app.runtime.db.count("photos")


async def test_upload_serves_two_clean_webp_variants(team: Team) -> None:
    reply = await _put(team, team.bert.id, images.jpeg((800, 600)), team.tokens["bert"])
    assert reply.status == 200, reply.body
    url = reply.body["agent"]["photo_url"]
    assert url.startswith("/media/photos/pho_")
    assert url.endswith("-256.webp")
    status, body, headers = await _fetch(team, url)
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'"
    assert "immutable" in headers["Cache-Control"]
    served = Image.open(io.BytesIO(body))
    assert (served.format, served.size) == ("WEBP", (256, 256))
    small = await _fetch(team, url.replace("-256.webp", "-64.webp"))
    assert Image.open(io.BytesIO(small[1])).size == (64, 64)
    assert len(body) < 100 * 1024
    again = await _fetch(team, url, {"If-None-Match": headers["ETag"]})
    assert (again[0], again[1]) == (304, b"")
    assert (await _fetch(team, url.replace("-256.webp", "-128.webp")))[0] == 404


async def test_exif_orientation_is_applied(team: Team) -> None:
    reply = await _put(team, team.bert.id, images.rotated_jpeg(), team.tokens["bert"])
    _, body, _ = await _fetch(team, reply.body["agent"]["photo_url"])
    served = Image.open(io.BytesIO(body)).convert("L")
    # Rotated 90° clockwise, the black left half of the stored image is on top.
    assert served.getpixel((128, 10)) < 60
    assert served.getpixel((128, 245)) > 200


async def test_gps_and_all_exif_are_gone(team: Team) -> None:
    original = Image.open(io.BytesIO(images.gps_jpeg()))
    assert original.getexif().get_ifd(0x8825), "the test image must carry GPS data"
    reply = await _put(team, team.bert.id, images.gps_jpeg(), team.tokens["bert"])
    for size in (256, 64):
        _, body, _ = await _fetch(team, reply.body["agent"]["photo_url"].replace("-256", f"-{size}"))
        served = Image.open(io.BytesIO(body))
        assert len(served.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(served.info)
        assert b"PhoneMaker" not in body


async def test_transparency_is_flattened_onto_white(team: Team) -> None:
    reply = await _put(team, team.bert.id, images.transparent_png(), team.tokens["bert"], "image/png")
    _, body, _ = await _fetch(team, reply.body["agent"]["photo_url"])
    served = Image.open(io.BytesIO(body)).convert("RGB")
    assert served.mode == "RGB"
    corner, centre = served.getpixel((5, 5)), served.getpixel((128, 128))
    assert all(c > 240 for c in corner)  # type: ignore[union-attr]
    assert centre[0] > 200  # type: ignore[index]
    assert centre[1] < 60  # type: ignore[index]


async def test_multipart_upload_with_one_file(team: Team) -> None:
    assert (await _put_files(team, [("photo", images.jpeg())]))[0] == 200
    status, body = await _put_files(team, [("a", images.jpeg()), ("b", images.jpeg())])
    assert (status, body["error"]["code"]) == (400, "VALIDATION_FAILED")


async def test_replacing_deletes_the_old_photo_and_delete_removes_it(team: Team) -> None:
    first = await _put(team, team.bert.id, images.jpeg(colour="red"), team.tokens["bert"])
    second = await _put(team, team.bert.id, images.jpeg(colour="green"), team.tokens["bert"])
    assert first.body["agent"]["photo_url"] != second.body["agent"]["photo_url"]
    assert (await _fetch(team, first.body["agent"]["photo_url"]))[0] == 404
    assert await _photo_count(team) == 1
    removed = await team.server.request(
        "DELETE", f"/api/agents/{team.bert.id}/photo", token=team.tokens["bert"]
    )
    assert removed.body["agent"]["photo_url"].startswith("/media/initials/")
    assert await _photo_count(team) == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (images.SVG, "image/svg+xml"),
        (images.HTML, "text/html"),
        (images.PDF, "application/pdf"),
        (images.gif(), "image/gif"),
        (images.TEXT_AS_PNG, "image/png"),
        (images.PNG_HTML_POLYGLOT, "image/png"),
        (images.jpeg()[:600], "image/jpeg"),
        (b"", "image/jpeg"),
    ],
    ids=["svg", "html", "pdf", "gif", "text-as-png", "png-html-polyglot", "truncated-jpeg", "empty"],
)
async def test_anything_but_a_real_photo_is_refused(team: Team, body: bytes, content_type: str) -> None:
    reply = await _put(team, team.bert.id, body, team.tokens["bert"], content_type)
    assert (reply.status, reply.code) == (400, "UNSUPPORTED_IMAGE")
    assert await _photo_count(team) == 0
    assert (await team.server.request("GET", "/healthz")).status == 200


@pytest.mark.parametrize("body", [images.png_bomb(), images.strip_png()], ids=["bomb", "1x100000"])
async def test_huge_images_are_refused_quickly(team: Team, body: bytes) -> None:
    started = time.perf_counter()
    reply = await _put(team, team.bert.id, body, team.tokens["bert"], "image/png")
    assert (reply.status, reply.code) == (400, "IMAGE_TOO_LARGE")
    assert time.perf_counter() - started < 2
    assert await _photo_count(team) == 0


async def test_oversized_body_is_refused_without_being_read(team: Team) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", int(team.server.url.rsplit(":", 1)[1]))
    # Announce 50 MB, send nothing of it: the answer must come from the headers alone.
    writer.write(
        (
            f"PUT /api/agents/{team.bert.id}/photo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {team.tokens['bert']}\r\nContent-Type: image/jpeg\r\n"
            f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    assert b" 413 " in status_line
    big = await _put(team, team.bert.id, b"\xff" * (5 * 1024 * 1024 + 1), team.tokens["bert"])
    assert (big.status, big.code) == (413, "TOO_LARGE")
    assert await _photo_count(team) == 0


async def test_twenty_concurrent_uploads_and_the_server_keeps_answering(team: Team) -> None:
    photo = images.jpeg((2000, 1500), quality=95)
    uploads = [asyncio.create_task(_put(team, team.bert.id, photo, team.tokens["bert"])) for _ in range(20)]
    health = []
    while not all(task.done() for task in uploads):
        health.append((await team.server.request("GET", "/healthz")).status)
        await asyncio.sleep(0.01)
    replies = [task.result() for task in uploads]
    assert all(reply.status == 200 for reply in replies)
    assert health
    assert set(health) == {200}
    assert await _photo_count(team) == 1, "each replacement deleted its predecessor"


async def test_who_may_set_whose_photo(team: Team) -> None:
    agent_on_other = await _put(team, team.carl.id, images.jpeg(), team.tokens["bert"])
    assert (agent_on_other.status, agent_on_other.code) == (403, "FORBIDDEN")
    admin = await _put(team, team.carl.id, images.jpeg(), team.tokens["anna"])
    assert admin.status == 200
    other = await team.server.make_tenant("globex")
    gina = await team.server.make_user(other, "gina")
    foreign = await _put(team, gina.id, images.jpeg(), team.tokens["anna"])
    assert (foreign.status, foreign.code) == (404, "NOT_FOUND")
    assert await _photo_count(team) == 1
    deleted = await team.server.request(
        "DELETE", f"/api/agents/{team.carl.id}/photo", token=team.tokens["bert"]
    )
    assert deleted.code == "FORBIDDEN"


async def test_initials_are_drawn_locally_from_the_alias(team: Team) -> None:
    status, body, headers = await _fetch(team, team.bert.photo_url)
    assert status == 200
    assert headers["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(body)).size == (256, 256)
    assert (await _fetch(team, f"/media/initials/{team.tenant.id}/usr_000000000000000000000000-256.webp"))[
        0
    ] == 404
    other = await team.server.make_tenant("globex")
    assert (await _fetch(team, f"/media/initials/{other.id}/{team.bert.id}-256.webp"))[0] == 404


async def test_visitors_see_the_alias_and_photo_only(team: Team) -> None:
    reply = await _put(team, team.bert.id, images.jpeg(), team.tokens["bert"])
    photo_url = reply.body["agent"]["photo_url"]
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    await visitor.ok("chat.start")
    assigned = await visitor.wait("chat.assigned")
    assert assigned["agent"] == {"id": team.bert.id, "display_name": "Bert", "photo_url": photo_url}
    cid = assigned["conversation_id"]
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": "Hi"})
    message = await visitor.wait("message.new", lambda d: d["message"]["client_id"] == "a1")
    assert "bert" not in str(message).replace("Bert", "")
    assert "bert" not in str(visitor.events).replace("Bert", "")


async def test_a_broken_exif_block_does_not_break_the_upload(team: Team) -> None:
    """Pillow lives with a corrupt EXIF block; the photo is kept, and none of the block survives."""
    good = images.gps_jpeg()
    start = good.index(b"Exif\x00\x00")
    broken = good[: start + 10] + b"\xff" * 16 + good[start + 26 :]
    reply = await _put(team, team.bert.id, broken, team.tokens["bert"])
    assert reply.status == 200, reply.body
    _, body, _ = await _fetch(team, reply.body["agent"]["photo_url"])
    assert len(Image.open(io.BytesIO(body)).getexif()) == 0


async def test_two_files_under_one_field_are_refused(team: Team) -> None:
    status, body = await _put_files(team, [("photo", images.jpeg()), ("photo", images.jpeg())])
    assert (status, body["error"]["code"]) == (400, "VALIDATION_FAILED")
    assert await _photo_count(team) == 0


async def test_deleting_an_agent_deletes_the_photo(team: Team) -> None:
    reply = await _put(team, team.carl.id, images.jpeg(), team.tokens["anna"])
    url = reply.body["agent"]["photo_url"]
    assert (
        await team.server.request("DELETE", f"/api/agents/{team.carl.id}", token=team.tokens["anna"])
    ).status == 204
    assert await _photo_count(team) == 0
    assert (await _fetch(team, url))[0] == 404


async def test_messages_carry_the_agent_s_photo(team: Team) -> None:
    reply = await _put(team, team.bert.id, images.jpeg(), team.tokens["bert"])
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    await visitor.ok("chat.start")
    cid = (await visitor.wait("chat.assigned"))["conversation_id"]
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "p1", "text": "Hello"})
    message = await visitor.wait("message.new", lambda d: d["message"]["client_id"] == "p1")
    assert message["message"]["sender"]["photo_url"] == reply.body["agent"]["photo_url"]


async def _stream_until_answered(
    team: Team, content_type: str, first: bytes, filler: bytes
) -> tuple[bytes, int]:
    """A chunked upload (no length announced) that would send 64 MB; returns the status line and how many
    bytes had been sent when it came. The server must answer long before the end."""
    reader, writer = await asyncio.open_connection("127.0.0.1", int(team.server.url.rsplit(":", 1)[1]))
    writer.write(
        (
            f"PUT /api/agents/{team.bert.id}/photo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {team.tokens['bert']}\r\nContent-Type: {content_type}\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
    )
    sent = 0

    async def send() -> None:
        nonlocal sent
        for chunk in [first] + [filler] * (64 * 1024 * 1024 // len(filler)):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            sent += len(chunk)

    sender = asyncio.create_task(send())
    try:
        status_line = await asyncio.wait_for(reader.readline(), 30)
        return status_line, sent
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, OSError):
            await sender
        writer.transport.abort()  # the server stopped reading: nothing left to flush
        with contextlib.suppress(OSError):
            await writer.wait_closed()


@pytest.mark.parametrize("multipart", [True, False], ids=["multipart", "raw"])
async def test_a_chunked_upload_is_cut_off_at_the_limit(team: Team, multipart: bool) -> None:
    """No Content-Length to refuse from: the body is counted as it arrives and never read (or spooled to
    disk) past the limit."""
    if multipart:
        content_type = "multipart/form-data; boundary=xyz"
        first = b'--xyz\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'
    else:
        content_type, first = "image/jpeg", b"\xff\xd8"
    status_line, sent = await _stream_until_answered(team, content_type, first, b"\0" * 65536)
    assert b" 413 " in status_line
    assert sent < 32 * 1024 * 1024, "the server read far past the limit before it answered"
    assert await _photo_count(team) == 0
    assert (await team.server.request("GET", "/healthz")).status == 200


async def test_a_flood_of_form_parts_is_refused(team: Team) -> None:
    """Werkzeug CVE-2023-25577: thousands of tiny parts cost a parser dearly; a few are all a photo needs."""
    parts = b"".join(
        b'--xyz\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i for i in range(5000)
    )
    reply = await team.server.request(
        "PUT",
        f"/api/agents/{team.bert.id}/photo",
        data=parts + b"--xyz--\r\n",
        token=team.tokens["bert"],
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert (reply.status, reply.code) == (413, "TOO_LARGE")
    assert await _photo_count(team) == 0
