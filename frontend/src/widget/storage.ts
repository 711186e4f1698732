// What the widget keeps in the visitor's browser, and when (docs/widget.md): nothing at all until the visitor
// opens the widget. After that, localStorage `wschat:<tenant>` holds the visitor token and how far they have
// read, and sessionStorage `wschat:<tenant>:open` remembers an open panel for the tab's next page.
import * as v from "valibot";
import type { Seen } from "./state";

const Record = v.object({
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  seen: v.fallback(v.object({ conversationId: v.nullable(v.string()), seq: v.number() }), {
    conversationId: null,
    seq: 0,
  }),
});
export type Stored = v.InferOutput<typeof Record>;

/** Storage may be missing or throw (privacy modes, sandboxed frames): the widget then simply forgets. */
function area(kind: "localStorage" | "sessionStorage"): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

export class VisitorStorage {
  constructor(
    readonly tenant: string,
    private readonly local: Storage | null = area("localStorage"),
    private readonly session: Storage | null = area("sessionStorage"),
  ) {}

  get key(): string {
    return `wschat:${this.tenant}`;
  }

  load(): Stored | null {
    try {
      const raw = this.local?.getItem(this.key);
      if (!raw) return null;
      const parsed = v.safeParse(Record, JSON.parse(raw));
      return parsed.success ? parsed.output : null;
    } catch {
      return null;
    }
  }

  save(token: string, seen: Seen): void {
    const value: Stored = { token, seen };
    try {
      this.local?.setItem(this.key, JSON.stringify(value));
    } catch {
      // Full or forbidden: the chat still works for this page.
    }
  }

  /** The visitor deleted their data: nothing of it stays in the browser either. */
  forget(): void {
    try {
      this.local?.removeItem(this.key);
      this.session?.removeItem(`${this.key}:open`);
    } catch {
      // as above
    }
  }

  wasOpen(): boolean {
    try {
      return this.session?.getItem(`${this.key}:open`) === "1";
    } catch {
      return false;
    }
  }

  setOpen(open: boolean): void {
    try {
      if (open) this.session?.setItem(`${this.key}:open`, "1");
      else this.session?.removeItem(`${this.key}:open`);
    } catch {
      // as above
    }
  }
}
