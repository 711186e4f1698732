// The /visitor namespace's acks and events (docs/protocol.md §9.1, §10.1), as valibot schemas. Every payload
// from the server goes through one of these before the widget's state sees it.
import * as v from "valibot";
import { CALL_ACKS, CALL_EVENTS } from "../shared/call/schemas";
import { AgentIdentity, Conversation, Message } from "../shared/wire";

/** `POST /api/widget/{tenant}/session` (docs/protocol.md §4). */
export const Session = v.object({ visitor_id: v.string(), token: v.string() });

export const Okay = v.object({ ok: v.literal(true) });
export const CurrentResult = v.object({ conversation: v.nullable(Conversation), online: v.boolean() });
export const ConversationResult = v.object({ conversation: Conversation });
export const SyncResult = v.object({ conversation: Conversation, messages: v.array(Message) });
export const MessageResult = v.object({ message: Message });
const Nullable = v.nullable(v.string());
export const ContactResult = v.object({
  visitor: v.object({
    display_name: v.string(),
    contact: v.object({ name: Nullable, email: Nullable, phone: Nullable }),
  }),
});

export const OfflineResult = v.object({ id: v.string() });
export const TranscriptResult = v.object({ remaining: v.number() });
export const PresenceEvent = v.object({ online: v.boolean() });
export const MessageNewEvent = v.object({ message: Message });
export const TypingEvent = v.object({
  conversation_id: v.string(),
  typing: v.boolean(),
  by: v.object({ display_name: v.string() }),
});
export const ReadEvent = v.object({
  conversation_id: v.string(),
  by: v.picklist(["agent", "visitor"]),
  seq: v.number(),
});
export const AssignedEvent = v.object({ conversation_id: v.string(), agent: v.nullable(AgentIdentity) });
export const EndedEvent = v.object({
  conversation_id: v.string(),
  by: v.picklist(["visitor", "agent", "system"]),
});

/** The schema of each ack the widget reads, by event name (the protocol fixtures are checked against them). */
export const ACKS: Readonly<Record<string, v.GenericSchema<unknown, unknown>>> = {
  "chat.current": CurrentResult,
  "chat.start": ConversationResult,
  "chat.end": ConversationResult,
  "message.send": MessageResult,
  "messages.sync": SyncResult,
  "messages.read": Okay,
  "typing": Okay,
  "contact.submit": ContactResult,
  "page.view": Okay,
  "offline.leave": OfflineResult,
  "transcript.request": TranscriptResult,
  // Calls (docs/protocol.md §12): shared/call/schemas.ts, used by shared/call/client.ts.
  ...CALL_ACKS,
};

/** The schema of each server event the widget reads, by event name. */
export const EVENTS: Readonly<Record<string, v.GenericSchema<unknown, unknown>>> = {
  presence: PresenceEvent,
  "message.new": MessageNewEvent,
  typing: TypingEvent,
  "messages.read": ReadEvent,
  "chat.assigned": AssignedEvent,
  "chat.ended": EndedEvent,
  ...CALL_EVENTS,
};
