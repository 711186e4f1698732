// The /visitor namespace's acks and events (docs/protocol.md §9.1, §10.1), as valibot schemas. Every payload
// from the server goes through one of these before the widget's state sees it.
import * as v from "valibot";
import { AgentIdentity, Conversation, Message } from "../shared/wire";

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

/** The page a visitor is on, for `page.view` (agents see the page trail). */
export interface PageView {
  url: string;
  title?: string;
  referrer?: string;
}

/**
 * A page view as the server stores it (docs/protocol.md §9.1): http(s) addresses without query, fragment and
 * credentials, which often carry personal data, so they never leave the browser. `null` for other schemes.
 */
export function pageView(url: string, title: string, referrer: string): PageView | null {
  const page = pageAddress(url);
  if (!page) return null;
  const view: PageView = { url: page };
  if (title.trim()) view.title = title.trim().slice(0, 300);
  const from = pageAddress(referrer);
  if (from) view.referrer = from;
  return view;
}

function pageAddress(raw: string): string | null {
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return (url.origin + url.pathname).slice(0, 2048);
  } catch {
    return null;
  }
}

/** The messages.sync page size; a full page means: ask again (docs/protocol.md §7.2). */
export const SYNC_LIMIT = 500;
