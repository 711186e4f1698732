import { describe, expect, it, vi } from "vitest";
import * as v from "valibot";
import { fixture } from "./fixtures";
import { CatchUp, SYNC_LIMIT, syncMessages, type SyncRequest, type Syncing } from "./sync";
import { emptyThread, mergeMessages, type Thread } from "./thread";
import { Message, type Ack } from "./wire";

const sample = v.parse(Message, (fixture("server/visitor/message.new.json").payload as { message: unknown }).message);
const at = (seq: number): Message => ({ ...sample, id: `msg_${seq}`, seq });
type Page = { messages: Message[] };

/** A conversation of `stored` messages on a server that answers like §7.2, and an app that keeps a thread. */
function app(stored: number, answer?: (request: SyncRequest) => Ack<Page>) {
  const asked: SyncRequest[] = [];
  let thread: Thread = emptyThread;
  let wanted = true;
  const serve = (r: SyncRequest): Ack<Page> => {
    const messages = [];
    for (let seq = r.after_seq + 1; seq <= Math.min(stored, r.after_seq + r.limit); seq++) messages.push(at(seq));
    return { ok: true, value: { messages } };
  };
  const syncing: Syncing<Page> = {
    lastSeq: () => (wanted ? thread.lastSeq : null),
    ask: async (request) => {
      asked.push(request);
      return (answer ?? serve)(request);
    },
    keep: (page) => {
      thread = mergeMessages(thread, page.messages);
    },
  };
  return {
    syncing,
    asked,
    thread: () => thread,
    forget: () => {
      wanted = false;
    },
  };
}

describe("syncMessages", () => {
  it("asks page after page, after the highest seq held, until a page comes back short", async () => {
    const a = app(2 * SYNC_LIMIT + 1);
    await syncMessages("cnv_1", a.syncing);
    expect(a.asked).toEqual([
      { conversation_id: "cnv_1", after_seq: 0, limit: SYNC_LIMIT },
      { conversation_id: "cnv_1", after_seq: SYNC_LIMIT, limit: SYNC_LIMIT },
      { conversation_id: "cnv_1", after_seq: 2 * SYNC_LIMIT, limit: SYNC_LIMIT },
    ]);
    expect(a.thread().lastSeq).toBe(2 * SYNC_LIMIT + 1);
    expect(a.thread().messages).toHaveLength(2 * SYNC_LIMIT + 1);
  });

  it("asks once when nothing was missed, and once more after an exactly full page", async () => {
    const none = app(0);
    await syncMessages("cnv_1", none.syncing);
    expect(none.asked).toHaveLength(1);
    const full = app(SYNC_LIMIT);
    await syncMessages("cnv_1", full.syncing);
    expect(full.asked.map((r) => r.after_seq)).toEqual([0, SYNC_LIMIT]);
  });

  it("stops at a full page that does not move the highest seq held on, instead of asking forever", async () => {
    // A server that answers every request with the same full page of messages the app already holds.
    const same = { messages: Array.from({ length: SYNC_LIMIT }, (_, i) => at(i + 1)) };
    const a = app(0, () => ({ ok: true, value: same }));
    a.syncing.keep(same);
    await syncMessages("cnv_1", a.syncing);
    expect(a.asked.map((r) => r.after_seq)).toEqual([SYNC_LIMIT]);
  });

  it("pages on by the seqs the server returned, also through messages the app does not keep", async () => {
    const a = app(3 * SYNC_LIMIT);
    const syncing = { ...a.syncing, keep: () => {} };
    await syncMessages("cnv_1", syncing);
    expect(a.asked.map((r) => r.after_seq)).toEqual([0, SYNC_LIMIT, 2 * SYNC_LIMIT, 3 * SYNC_LIMIT]);
  });

  it("asks after the seq held when the connection came up, though a live message has moved the thread on", async () => {
    // Held 1–3 when the connection dropped; 4–6 were sent meanwhile; 7 arrived live before the catch-up.
    const a = app(7);
    a.syncing.keep({ messages: [at(1), at(2), at(3), at(7)] });
    await syncMessages("cnv_1", a.syncing, 3);
    expect(a.asked.map((r) => r.after_seq)).toEqual([3]);
    expect(a.thread().messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("stops at a refusal or a missing answer; the next connect catches up", async () => {
    const a = app(10, () => ({ ok: false, error: { code: "TIMEOUT", message: "" } }));
    await syncMessages("cnv_1", a.syncing);
    expect(a.asked).toHaveLength(1);
    expect(a.thread()).toBe(emptyThread);
  });

  it("asks nothing for a conversation no longer wanted, and keeps no answer that comes after it left", async () => {
    const gone = app(10);
    gone.forget();
    await syncMessages("cnv_1", gone.syncing);
    expect(gone.asked).toEqual([]);

    const late = app(10);
    const ask = late.syncing.ask;
    await syncMessages("cnv_1", {
      ...late.syncing,
      ask: async (request) => {
        const reply = await ask(request);
        late.forget(); // the visitor started a new chat while the answer was on its way
        return reply;
      },
    });
    expect(late.asked).toHaveLength(1);
    expect(late.thread()).toBe(emptyThread);
  });
});

describe("CatchUp", () => {
  /** A catch-up whose syncs are recorded and answered by `answers` in turn (true: finished). */
  function catchUp(...answers: boolean[]) {
    const asked: Array<[string, number]> = [];
    const runs = new CatchUp(async (id, from) => {
      asked.push([id, from]);
      return answers.shift() ?? true;
    });
    return { runs, asked };
  }

  it("syncs from the seq held at the connect, and again from there after a catch-up that did not finish", async () => {
    const { runs, asked } = catchUp(false, true, true);
    runs.owe(new Map([["cnv_1", 3]]));
    await runs.run("cnv_1");
    // That catch-up got no answer; live messages brought the thread to 9; the socket dropped and came back.
    runs.owe(new Map([["cnv_1", 9]]));
    await runs.run("cnv_1");
    expect(asked).toEqual([["cnv_1", 3], ["cnv_1", 3]]);
    runs.owe(new Map([["cnv_1", 9]]));
    await runs.run("cnv_1");
    expect(asked.at(-1)).toEqual(["cnv_1", 9]);
  });

  it("syncs at a gap from the highest seq held before it, and not for the next seq", async () => {
    const { runs, asked } = catchUp();
    runs.received("cnv_1", 6, 5);
    runs.received("cnv_1", 9, 6);
    await Promise.resolve();
    expect(asked).toEqual([["cnv_1", 6]]);
    expect(runs.from("cnv_1")).toBeUndefined();
  });

  it("runs one catch-up at a time per conversation, and once more if a gap came meanwhile", async () => {
    let release = (_: boolean): void => {};
    const asked: number[] = [];
    const runs = new CatchUp(
      (_id, from) =>
        new Promise<boolean>((resolve) => {
          asked.push(from);
          release = resolve;
        }),
    );
    runs.received("cnv_1", 5, 2); // owes from 2, starts
    runs.received("cnv_1", 9, 7); // a second gap while the first runs: still owed from 2
    expect(asked).toEqual([2]);
    release(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(asked).toEqual([2, 2]);
    release(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(runs.from("cnv_1")).toBeUndefined();
  });

  it("tries a catch-up that did not finish again by itself, after a pause", async () => {
    vi.useFakeTimers();
    try {
      const { runs, asked } = catchUp(false, true);
      runs.owe(new Map([["cnv_1", 4]]));
      await runs.run("cnv_1");
      expect(asked).toEqual([["cnv_1", 4]]);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(asked).toEqual([["cnv_1", 4], ["cnv_1", 4]]);
      expect(runs.from("cnv_1")).toBeUndefined();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(asked).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it("says whether a sync got everything: true at a short page, false at a refusal", async () => {
    expect(await syncMessages("cnv_1", app(3).syncing)).toBe(true);
    const refused = app(3, () => ({ ok: false, error: { code: "TIMEOUT", message: "" } }));
    expect(await syncMessages("cnv_1", refused.syncing)).toBe(false);
  });
});
