"""The rules of a deleted agent's records (wschat/agent_data/former.py), on documents: the agent is found by
id, never by name, so a colleague of the same name keeps every copy of theirs."""

from __future__ import annotations

from datetime import UTC, datetime

from wschat.agent_data.former import FORMER_AGENT, mentions, message_changes, record_changes
from wschat.agent_data.store import Change, ConversationRecords
from wschat.chat.models import SYSTEM, Message, MessageKind, Party, SenderKind

AT = datetime(2026, 5, 1, tzinfo=UTC)
GONE = Party(SenderKind.AGENT, "usr_gone", "Anna", "/media/photos/pho_1-256.webp").to_doc()
NAMESAKE = Party(SenderKind.AGENT, "usr_namesake", "Anna", "/media/initials/t/usr_namesake-256.webp").to_doc()


def _message(seq: int, sender: dict[str, object], text: str, **system: object) -> Message:
    kind = MessageKind.SYSTEM if system else MessageKind.TEXT
    client_id = str(system.pop("client_id", f"c{seq}"))
    return Message(
        f"msg_{seq}",
        "ten_1",
        "cnv_1",
        seq,
        client_id,
        Party.from_doc(sender),
        kind,
        text,
        AT,
        **system,  # type: ignore[arg-type]
    )


def _records() -> ConversationRecords:
    transitions = [
        {
            "_id": "cnv_1:1",
            "epoch": 1,
            "kind": "auto",
            "state": {"agent_id": "usr_gone"},
            "by": GONE,
            "marker": "sys:assign:1",
        },
        {
            "_id": "cnv_1:2",
            "epoch": 2,
            "kind": "transfer",
            "state": {"agent_id": "usr_namesake"},
            "by": GONE,
            "from_agent_id": "usr_gone",
            "to_agent_id": "usr_namesake",
            "marker": "sys:transfer:2",
        },
        {
            "_id": "cnv_1:3",
            "epoch": 3,
            "kind": "close",
            "state": {"closed_by": NAMESAKE},
            "by": NAMESAKE,
            "from_agent_id": "usr_namesake",
            "text": "Anna closed the chat.",
            "marker": "sys:close:3",
        },
    ]
    conversation = {"_id": "cnv_1", "closed_by": NAMESAKE}
    return ConversationRecords(conversation, transitions)


def test_only_the_deleted_agents_copies_lose_the_name_never_a_namesakes() -> None:
    records = _records()
    messages = [
        _message(
            1,
            SYSTEM.to_doc(),
            "Anna joined the chat.",
            event="assigned",
            data={"agent": "Anna"},
            client_id="sys:assign:1",
        ),
        _message(2, GONE, "Hello"),
        _message(
            3,
            SYSTEM.to_doc(),
            "Anna has taken over the chat.",
            event="transferred",
            data={"from": "Anna", "to": "Anna"},
            client_id="sys:transfer:2",
        ),
        _message(4, NAMESAKE, "Anna here, hello"),
        _message(
            5,
            SYSTEM.to_doc(),
            "Anna closed the chat.",
            event="closed_by_agent",
            data={"agent": "Anna"},
            client_id="sys:close:3",
        ),
    ]

    changed = {
        c.record_id: c.fields for c in message_changes("usr_gone", mentions("usr_gone", records), messages)
    }

    assert changed == {
        "msg_1": {"data": {"agent": ""}, "text": f"{FORMER_AGENT} joined the chat."},
        "msg_2": {"sender": {**GONE, "display_name": "", "photo_url": None}},
        "msg_3": {"data": {"from": "", "to": "Anna"}},  # the text names the namesake, who took it over
    }
    assert record_changes("usr_gone", records) == [
        Change("transitions", "cnv_1:1", {"by": {**GONE, "display_name": "", "photo_url": None}}),
        Change("transitions", "cnv_1:2", {"by": {**GONE, "display_name": "", "photo_url": None}}),
    ]


def test_records_without_the_name_change_nothing_again() -> None:
    records = _records()
    unnamed = {**GONE, "display_name": "", "photo_url": None}
    done = ConversationRecords(
        records.conversation, [{**t, "by": unnamed} if t["by"] == GONE else t for t in records.transitions]
    )
    again = [
        _message(
            1,
            SYSTEM.to_doc(),
            f"{FORMER_AGENT} joined the chat.",
            event="assigned",
            data={"agent": ""},
            client_id="sys:assign:1",
        ),
        _message(2, unnamed, "Hello"),
    ]
    assert record_changes("usr_gone", done) == []
    assert message_changes("usr_gone", mentions("usr_gone", done), again) == []
