"""The system messages a call leaves in its conversation: their text (English; clients word them from
``data`` in the visitor's language) and their data."""

from __future__ import annotations

from typing import Any

from wschat.signalling.models import Call, CallKind, EndReason


def message_data(call: Call) -> dict[str, Any]:
    return {
        "call_id": call.id,
        "kind": call.kind.value,
        "mode": call.mode.value,
        "duration": call.duration,
        "reason": call.end_reason.value if call.end_reason else None,
    }


def end_text(call: Call) -> str:
    what = "Screen sharing" if call.kind is CallKind.SCREEN else "The video call"
    if call.started_at is None:
        if call.end_reason is EndReason.DECLINED:
            return f"{what} was declined."
        if call.end_reason is EndReason.EXPIRED:
            return f"{what} was not answered."
        return f"{what} was cancelled."
    minutes, seconds = divmod(call.duration, 60)
    return f"{what} ended ({minutes}:{seconds:02d})."
