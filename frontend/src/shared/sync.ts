// The catch-up after every (re)connect (docs/protocol.md §7.2): `messages.sync` after the highest seq held,
// page after page, until a page comes back short. The widget and the console run this one loop; each says
// how it asks the server and what it keeps of an answer.
import type { Ack, Message } from "./wire";

/** The messages.sync page size; a full page means: ask again. */
export const SYNC_LIMIT = 500;

export interface SyncRequest {
  conversation_id: string;
  after_seq: number;
  limit: number;
}

export interface Syncing<Page extends { messages: readonly Message[] }> {
  /** The highest seq held for the conversation now; null once it is no longer wanted (the loop stops). */
  lastSeq(): number | null;
  /** Sends `messages.sync` and resolves with its parsed ack. */
  ask(request: SyncRequest): Promise<Ack<Page>>;
  /** Merges an answer into the app's state (it moves `lastSeq` on). */
  keep(page: Page): void;
}

/**
 * Brings one conversation up to date. Stops at a short page; at a refusal or a missing answer (the next
 * (re)connect catches up again); when the conversation is no longer wanted; and at a full page that did not
 * move the highest seq held on: asking after the same seq would only bring the same page again, forever
 * (messages the app does not keep, or a server that repeats itself).
 */
export async function syncMessages<Page extends { messages: readonly Message[] }>(
  conversationId: string,
  syncing: Syncing<Page>,
): Promise<void> {
  for (;;) {
    const after = syncing.lastSeq();
    if (after === null) return;
    const reply = await syncing.ask({ conversation_id: conversationId, after_seq: after, limit: SYNC_LIMIT });
    if (!reply.ok || syncing.lastSeq() === null) return;
    syncing.keep(reply.value);
    const held = syncing.lastSeq();
    if (reply.value.messages.length < SYNC_LIMIT || held === null || held <= after) return;
  }
}
