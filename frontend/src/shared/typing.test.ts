import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TYPING_PAUSE_MS, TYPING_REPEAT_MS, TYPING_STALE_MS, TypingThrottle } from "./typing";

let sent: [string, boolean][];
let typist: TypingThrottle;

beforeEach(() => {
  vi.useFakeTimers();
  sent = [];
  typist = new TypingThrottle((id, typing) => sent.push([id, typing]));
});

afterEach(() => {
  vi.useRealTimers();
});

/** A keystroke every `every` ms for `ms` ms. */
function typeFor(ms: number, every = 100, id = "cnv_1"): void {
  for (let at = 0; at < ms; at += every) {
    typist.input(id, true);
    vi.advanceTimersByTime(every);
  }
}

describe("TypingThrottle", () => {
  it("sends typing: true at the first keystroke, then at most every TYPING_REPEAT_MS", () => {
    typist.input("cnv_1", true);
    expect(sent).toEqual([["cnv_1", true]]);
    typeFor(TYPING_REPEAT_MS - 100);
    expect(sent).toHaveLength(1);
    typeFor(3 * TYPING_REPEAT_MS);
    expect(sent).toEqual([
      ["cnv_1", true],
      ["cnv_1", true],
      ["cnv_1", true],
      ["cnv_1", true],
    ]);
  });

  it("sends typing: false after a pause of TYPING_PAUSE_MS, and only then", () => {
    typist.input("cnv_1", true);
    vi.advanceTimersByTime(TYPING_PAUSE_MS - 1);
    expect(sent).toEqual([["cnv_1", true]]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([
      ["cnv_1", true],
      ["cnv_1", false],
    ]);
    vi.advanceTimersByTime(10 * TYPING_PAUSE_MS);
    expect(sent).toHaveLength(2);
  });

  it("sends typing: false at once when the composer is emptied or the message goes out, never twice", () => {
    typist.input("cnv_1", true);
    typist.input("cnv_1", false);
    typist.stop("cnv_1");
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    expect(sent).toEqual([
      ["cnv_1", true],
      ["cnv_1", false],
    ]);
  });

  it("sends nothing for a stop or an empty composer when typing: true never went out", () => {
    typist.stop("cnv_1");
    typist.input("cnv_1", false);
    expect(sent).toEqual([]);
  });

  it("starts over after a stop: the next keystroke sends typing: true at once", () => {
    typist.input("cnv_1", true);
    typist.stop("cnv_1");
    typist.input("cnv_1", true);
    expect(sent.map(([, typing]) => typing)).toEqual([true, false, true]);
  });

  it("keeps conversations apart (an agent types in two chats)", () => {
    typist.input("cnv_1", true);
    typist.input("cnv_2", true);
    typist.stop("cnv_1");
    vi.advanceTimersByTime(TYPING_PAUSE_MS);
    expect(sent).toEqual([
      ["cnv_1", true],
      ["cnv_2", true],
      ["cnv_1", false],
      ["cnv_2", false],
    ]);
  });

  it("renews the indicator before the other side drops it, however the typist pauses short of the pause", () => {
    const at: number[] = [];
    typist = new TypingThrottle((_, typing) => typing && at.push(Date.now()));
    const start = Date.now();
    // Types until just before a repeat is due, pauses just short of TYPING_PAUSE_MS, types again.
    for (let round = 0; round < 4; round++) {
      typeFor(TYPING_REPEAT_MS - 10, 10);
      vi.advanceTimersByTime(TYPING_PAUSE_MS - 10);
    }
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    expect(gaps.length).toBeGreaterThan(2);
    expect(Math.max(...gaps)).toBeLessThan(TYPING_STALE_MS);
    expect(at[0]).toBe(start);
  });

  it("stays far below the server's limit of 5 typing events per 2 s while someone types and pauses", () => {
    const times: number[] = [];
    typist = new TypingThrottle(() => times.push(Date.now()));
    for (let round = 0; round < 20; round++) {
      typeFor(200 + ((round * 977) % 4000), 37);
      vi.advanceTimersByTime(1000 + ((round * 613) % 4000)); // sometimes past TYPING_PAUSE_MS, sometimes not
    }
    expect(times.length).toBeGreaterThan(20);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 2000).length).toBeLessThanOrEqual(3);
  });
});
