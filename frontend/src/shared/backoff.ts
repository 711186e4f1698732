// Trying again later, by itself: a request that got no answer (a server busy or restarting, a socket away)
// may never be retried by a reconnect, because the socket may never drop.

/** Pauses of 2, 4, 8 … at most 30 s between tries; one try waiting at a time. */
export class Backoff {
  private pause = 1;
  private waiting: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly most = 30) {}

  /** Runs `again` after the next pause, unless a try is already waiting. */
  later(again: () => void): void {
    if (this.waiting !== undefined) return;
    this.pause = Math.min(this.pause * 2, this.most);
    this.waiting = setTimeout(() => {
      this.waiting = undefined;
      again();
    }, this.pause * 1000);
  }

  /** It worked: the next failure starts again from the shortest pause. */
  reset(): void {
    this.pause = 1;
  }

  /** Drops the waiting try (a reconnect does everything again anyway). */
  cancel(): void {
    clearTimeout(this.waiting);
    this.waiting = undefined;
  }
}
