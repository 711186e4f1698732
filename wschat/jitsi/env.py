"""The docker-jitsi-meet ``.env`` lines that match a tenant's Jitsi settings (``wschat jitsi env``).

The rest of the deployment (no Jibri, recording off, own STUN) is in ``jitsi-config/.env.example``; these
lines are the ones that must agree with what wsChat puts into its tokens.
"""

from __future__ import annotations

from wschat.video.models import JitsiSettings

HIDDEN = "<hidden: run again with --show-secret>"


def env_lines(slug: str, jitsi: JitsiSettings, *, show_secret: bool) -> list[str]:
    """``KEY=value`` lines (and comments); the secret only with ``show_secret``."""
    if not jitsi.configured or jitsi.secret is None:
        raise ValueError(f"tenant {slug} has no complete Jitsi settings (domain, app id, secret)")
    secret = jitsi.secret.reveal() if show_secret else HIDDEN
    lines = [
        f"# docker-jitsi-meet settings for wsChat tenant {slug}",
        f"PUBLIC_URL=https://{jitsi.domain}",
        "ENABLE_AUTH=1",
        "AUTH_TYPE=jwt",
        "ENABLE_GUESTS=0",
        "JWT_ALLOW_EMPTY=0",
        f"JWT_APP_ID={jitsi.app_id}",
        f"JWT_APP_SECRET={secret}",
        f"JWT_ACCEPTED_ISSUERS={jitsi.app_id}",
        f"JWT_ACCEPTED_AUDIENCES={jitsi.audience}",
    ]
    if jitsi.sub != "meet.jitsi":
        lines.append(
            f"# tokens carry sub={jitsi.sub}; with JWT_ENABLE_DOMAIN_VERIFICATION=1 it must be XMPP_DOMAIN"
        )
    return lines
