"""The admin's video settings: ``GET``/``PATCH /api/tenant/video``. Secrets go in, never out."""

from __future__ import annotations

from quart import Blueprint, Response

from wschat.accounts.signed_in import current_principal
from wschat.boundary.http import json_response, read_json, service
from wschat.video.models import VideoSettingsPatch
from wschat.video.service import VideoSettingsService

blueprint = Blueprint("video", __name__, url_prefix="/api/tenant")


@blueprint.get("/video")
async def get_video() -> Response:
    video = await service(VideoSettingsService).for_admin(await current_principal())
    return json_response({"video": video.to_wire()})


@blueprint.patch("/video")
async def update_video() -> Response:
    principal = await current_principal()
    video = await service(VideoSettingsService).update(principal, await read_json(VideoSettingsPatch))
    return json_response({"video": video.to_wire()})
