// A conversation's messages in seq order, without duplicates: the same message may arrive as an ack, as a
// `message.new` and again in `messages.sync` after a reconnect (docs/protocol.md §7.2). Pure data, no DOM.
import type { Message } from "./wire";

export interface Thread {
  readonly messages: readonly Message[];
  /** The highest seq seen: what `messages.sync` asks after. */
  readonly lastSeq: number;
}

export const emptyThread: Thread = { messages: [], lastSeq: 0 };

/** Returns a thread with `incoming` merged in; the same object when nothing new arrived. */
export function mergeMessages(thread: Thread, incoming: readonly Message[]): Thread {
  const known = new Set(thread.messages.map((m) => m.seq));
  const fresh = incoming.filter((m) => !known.has(m.seq) && known.add(m.seq));
  if (fresh.length === 0) return thread;
  const messages = [...thread.messages, ...fresh].sort((a, b) => a.seq - b.seq);
  return { messages, lastSeq: Math.max(thread.lastSeq, ...fresh.map((m) => m.seq)) };
}
