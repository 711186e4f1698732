import { describe, expect, it } from "vitest";
import { formatTime } from "./format";

describe("formatTime", () => {
  it("shows hours and minutes, and nothing for a broken time", () => {
    expect(formatTime("2026-11-29T08:05:00.000000+00:00", "de")).toMatch(/^\d\d:\d\d$/);
    expect(formatTime("not a time", "en")).toBe("");
  });
});
