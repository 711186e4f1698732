import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Backoff } from "./backoff";

describe("Backoff", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("waits 2, 4, 8 … at most 30 s, and from 2 again after a reset", () => {
    const tries: number[] = [];
    const backoff = new Backoff();
    const fail = () => backoff.later(() => tries.push(Date.now()));
    const start = Date.now();
    for (const pause of [2, 4, 8, 16, 30, 30]) {
      fail();
      vi.advanceTimersByTime(pause * 1000 - 1);
      const before = tries.length;
      vi.advanceTimersByTime(1);
      expect(tries.length).toBe(before + 1);
    }
    expect(tries.at(-1)! - start).toBe((2 + 4 + 8 + 16 + 30 + 30) * 1000);
    backoff.reset();
    fail();
    vi.advanceTimersByTime(2000);
    expect(tries).toHaveLength(7);
  });

  it("keeps one try waiting however often asked, and none after a cancel", () => {
    let tries = 0;
    const backoff = new Backoff();
    backoff.later(() => tries++);
    backoff.later(() => tries++);
    vi.advanceTimersByTime(60_000);
    expect(tries).toBe(1);
    backoff.later(() => tries++);
    backoff.cancel();
    vi.advanceTimersByTime(60_000);
    expect(tries).toBe(1);
  });
});
