import { describe, expect, it } from "vitest";
import { archivePath, dayAfter, duration, EMPTY_FILTER, exportPath } from "./archive";

describe("archive filter", () => {
  it("sends only the fields set, the end day inclusive", () => {
    expect(archivePath(EMPTY_FILTER, null)).toBe("/api/archive");
    const path = archivePath({ ...EMPTY_FILTER, from: "2026-01-01", to: "2026-01-31", q: ' "NEAR" AND ', outcome: "missed" }, "abc.def");
    const params = new URL(path, "http://x").searchParams;
    expect(params.get("from")).toBe("2026-01-01");
    expect(params.get("to")).toBe("2026-02-01");
    expect(params.get("q")).toBe('"NEAR" AND');
    expect(params.get("outcome")).toBe("missed");
    expect(params.get("cursor")).toBe("abc.def");
  });

  it("exports the same filter in a format", () => {
    const params = new URL(exportPath({ ...EMPTY_FILTER, country: "de" }, "jsonl"), "http://x").searchParams;
    expect(params.get("format")).toBe("jsonl");
    expect(params.get("country")).toBe("de");
  });

  it("counts days across a month and formats durations", () => {
    expect(dayAfter("2026-02-28")).toBe("2026-03-01");
    expect(duration(65)).toBe("1:05");
    expect(duration(3725)).toBe("1:02:05");
    expect(duration(null)).toBe("—");
  });
});
