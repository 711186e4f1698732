"""Which message marks a transition's aftermath as done.

Every transition of a conversation is followed by its aftermath: events to the visitor and the consoles,
loads, routing, calls ended, and one system message. That message is written last, under a key of the
transition's own (``sys:assign:3``), and the key is stored with the transition (``marker``): a transition
whose marker message does not exist was interrupted (a process died, the database went away), and
housekeeping completes it (wschat.chat.repair). System messages are idempotent by key, so whoever
completes the aftermath, the conversation gets its message once.
"""

from __future__ import annotations

#: The key of the system message that each kind of transition ends with.
_KEYS = {"auto": "assign", "accept": "assign", "transfer": "transfer", "requeue": "requeue", "close": "close"}


def marker_key(kind: str, epoch: int) -> str:
    """The system message key of the transition ``kind`` that claims ``epoch``."""
    return f"{_KEYS[kind]}:{epoch}"


def marker(kind: str, epoch: int) -> str:
    """What the transition record stores: the marker message's ``client_id``."""
    return f"sys:{marker_key(kind, epoch)}"
