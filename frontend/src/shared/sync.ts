// The catch-up after every (re)connect (docs/protocol.md §7.2): `messages.sync` after the highest seq held
// when the connection came up, page after page, until a page comes back short. The widget and the console
// run this one loop; each says how it asks the server and what it keeps of an answer.
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
 * Brings one conversation up to date, from `from` (the highest seq held when the connection came up; by
 * default the highest held now) and then page after page from the last seq each page returned. Not from the
 * highest seq held at each step: a live `message.new` that arrived after the reconnect would move that past
 * the messages missed while away, and they would never be asked for. Stops at a short page; at a refusal or
 * a missing answer (the next (re)connect catches up again); when the conversation is no longer wanted; and at
 * a full page that does not move on (a server that repeats itself).
 *
 * Resolves true when it got everything (a short page): only then is the thread complete up to its newest
 * message. After a false, the next catch-up must start from the same `from` again, however many live
 * messages arrive meanwhile.
 */
export async function syncMessages<Page extends { messages: readonly Message[] }>(
  conversationId: string,
  syncing: Syncing<Page>,
  from?: number,
): Promise<boolean> {
  let after = from ?? syncing.lastSeq();
  for (;;) {
    if (after === null || syncing.lastSeq() === null) return false;
    const reply = await syncing.ask({ conversation_id: conversationId, after_seq: after, limit: SYNC_LIMIT });
    if (!reply.ok || syncing.lastSeq() === null) return false;
    syncing.keep(reply.value);
    const page = reply.value.messages;
    const last = page.at(-1)?.seq ?? after;
    if (page.length < SYNC_LIMIT) return true;
    if (last <= after) return false;
    after = last;
  }
}

/**
 * The catch-ups a client owes itself, per conversation, and the running of them (one at a time per
 * conversation). One is owed:
 * - after every (re)connect, from the highest seq held when the connection came up;
 * - for a chat just started, from its beginning (what was said before the ack);
 * - at a gap: a `message.new` more than one past the highest seq held means the messages between were
 *   missed (events can be lost without a reconnect: a server process that died between storing and
 *   delivering, or Redis away) — or, for a widget, that they are notes for agents only, which the sync
 *   then simply does not return.
 * A catch-up that does not finish leaves its point owed: the next one starts there again, however many live
 * messages arrived meanwhile (syncing from the highest seq held would step over what is missing).
 */
export class CatchUp {
  private readonly owed = new Map<string, number>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  /** Per conversation: the last pause before a retry, in seconds, and whether one is waiting. */
  private readonly retries = new Map<string, number>();
  private readonly waiting = new Set<string>();

  /** `sync(id, from)` brings `id` up to date from `from` (syncMessages) and says whether it finished. */
  constructor(private readonly sync: (id: string, from: number) => Promise<boolean>) {}

  /**
   * A catch-up is owed from each of these seqs (unless one is owed from earlier): at (re)connect, before any
   * later event is handled, from the seq each conversation holds; for a chat just started, from 0.
   */
  owe(held: ReadonlyMap<string, number>): void {
    for (const [id, seq] of held) if (!this.owed.has(id)) this.owed.set(id, seq);
  }

  /** Before a `message.new` of `seq` is kept in a thread whose highest seq is `held`: runs a catch-up if it
   * leaves a gap. */
  received(id: string, seq: number, held: number): void {
    if (seq <= held + 1) return;
    this.owe(new Map([[id, held]]));
    void this.run(id);
  }

  /** The point `id`'s next catch-up starts from, if one is owed. */
  from(id: string): number | undefined {
    return this.owed.get(id);
  }

  /**
   * Runs the catch-up owed for `id`, if any; once more if more was owed while it ran. One that did not finish
   * (no answer: a server busy or a socket away) is tried again after 2, 4, 8 … at most 30 s, while it is
   * owed: a reconnect may never come, and nothing else would bring what is missing.
   */
  async run(id: string): Promise<void> {
    if (this.running.has(id)) {
      this.again.add(id);
      return;
    }
    this.running.add(id);
    let finished = false;
    try {
      do {
        this.again.delete(id);
        const from = this.owed.get(id);
        if (from === undefined) return;
        finished = await this.sync(id, from);
        if (finished && !this.again.has(id)) this.owed.delete(id);
      } while (this.again.has(id));
    } finally {
      this.running.delete(id);
    }
    if (finished) this.retries.delete(id);
    else this.retryLater(id);
  }

  private retryLater(id: string): void {
    if (this.waiting.has(id)) return;
    const pause = Math.min(2 * (this.retries.get(id) ?? 1), 30);
    this.retries.set(id, pause);
    this.waiting.add(id);
    setTimeout(() => {
      this.waiting.delete(id);
      if (this.owed.has(id)) void this.run(id);
      else this.retries.delete(id);
    }, pause * 1000);
  }
}
