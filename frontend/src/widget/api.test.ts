import { describe, expect, it } from "vitest";
import { HttpError, retrying } from "./api";

/** An attempt that fails with each of `failures` in turn, then answers "config". */
function flaky(failures: unknown[]) {
  let calls = 0;
  const attempt = () => {
    const failure = failures[calls++];
    return failure === undefined ? Promise.resolve("config") : Promise.reject(failure);
  };
  return { attempt, calls: () => calls };
}

describe("retrying", () => {
  it("tries again after network errors and server errors, waiting longer each time", async () => {
    const waits: number[] = [];
    const { attempt, calls } = flaky([new TypeError("Failed to fetch"), new HttpError(503, "HTTP_503"), new HttpError(500, "INTERNAL")]);
    await expect(retrying(attempt, Infinity, async (ms) => void waits.push(ms))).resolves.toBe("config");
    expect(calls()).toBe(4);
    expect(waits).toEqual([1000, 2000, 4000]);
  });

  it("waits at most a minute between attempts", async () => {
    const waits: number[] = [];
    const { attempt } = flaky(Array.from({ length: 9 }, () => new TypeError("Failed to fetch")));
    await retrying(attempt, Infinity, async (ms) => void waits.push(ms));
    expect(waits.slice(-3)).toEqual([60_000, 60_000, 60_000]);
  });

  it("gives up on a refusal at once", async () => {
    const { attempt, calls } = flaky([new HttpError(404, "NOT_FOUND")]);
    await expect(retrying(attempt, Infinity, async () => undefined)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(calls()).toBe(1);
  });

  it("gives up on an answer that does not parse", async () => {
    const { attempt, calls } = flaky([new Error("Invalid type: Expected boolean")]);
    await expect(retrying(attempt, Infinity, async () => undefined)).rejects.toThrow("Invalid type");
    expect(calls()).toBe(1);
  });

  it("stops after the given number of tries", async () => {
    const { attempt, calls } = flaky([new TypeError("a"), new TypeError("b"), new TypeError("c")]);
    await expect(retrying(attempt, 2, async () => undefined)).rejects.toThrow("b");
    expect(calls()).toBe(2);
  });
});
