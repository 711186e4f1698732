// Typing indicators (docs/protocol.md §7.8), the same in both apps and both directions. The server relays
// `typing` and never ends a typing state by itself: the typist's side repeats `typing: true` while they type
// and sends `typing: false` when they stop; the receiving side drops an indicator that was not renewed.

/** A received indicator is dropped when no new `typing: true` came for this long (the typist may be gone). */
export const TYPING_STALE_MS = 6_000;

/**
 * While someone types, `typing: true` goes out again at most every TYPING_REPEAT_MS, and `typing: false`
 * after TYPING_PAUSE_MS without a keystroke. Someone who keeps typing sends their next `typing: true` at most
 * REPEAT + PAUSE (5.5 s) after the last one — a repeat, then a pause just short of PAUSE — which stays under
 * TYPING_STALE_MS, so the other side's indicator never flickers off mid-sentence (3 s + 4 s would exceed it).
 * Two events per 2.5 s are far below the server's limit of 5 per 2 s.
 */
export const TYPING_REPEAT_MS = 2_500;
export const TYPING_PAUSE_MS = 3_000;

export type SendTyping = (conversationId: string, typing: boolean) => void;

/** Turns the keystrokes in a composer into `typing` events, per conversation. */
export class TypingThrottle {
  /** When `typing: true` last went out, per conversation; absent while not typing. */
  private readonly sent = new Map<string, number>();
  private readonly pauses = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly send: SendTyping) {}

  /** The composer of `conversationId` changed; `hasText` says whether anything is left in it. */
  input(conversationId: string, hasText: boolean): void {
    if (!hasText) return this.stop(conversationId);
    const now = Date.now();
    const last = this.sent.get(conversationId);
    if (last === undefined || now - last >= TYPING_REPEAT_MS) {
      this.sent.set(conversationId, now);
      this.send(conversationId, true);
    }
    clearTimeout(this.pauses.get(conversationId));
    this.pauses.set(conversationId, setTimeout(() => this.stop(conversationId), TYPING_PAUSE_MS));
  }

  /** The message went out, the chat ended, or the typist paused: `typing: false`, if `true` was sent. */
  stop(conversationId: string): void {
    clearTimeout(this.pauses.get(conversationId));
    this.pauses.delete(conversationId);
    if (this.sent.delete(conversationId)) this.send(conversationId, false);
  }
}
