"""``GET /api/me/data``: the signed-in user's own data as one JSON download (docs/protocol.md)."""

from __future__ import annotations

from quart import Blueprint, Response

from wschat.accounts.signed_in import current_principal
from wschat.agent_data.download import OwnData
from wschat.boundary.http import service

blueprint = Blueprint("agent_data", __name__, url_prefix="/api/me")


@blueprint.get("/data")
async def own_data() -> Response:
    """Everything stored about the user signed in, streamed as an attachment, never cached."""
    principal = await current_principal()
    response = Response(service(OwnData).stream(principal), content_type="application/json")
    name = f"wschat-my-data-{principal.tenant.slug}-{principal.user.login}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{_plain(name)}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _plain(name: str) -> str:
    """A file name fit for the header: logins may hold characters a quoted string must not."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.@") else "_" for c in name)
