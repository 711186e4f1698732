import { describe, expect, it } from "vitest";
import { exceptionsText, parseExceptions, parseSpans, spansText } from "./appointments";

describe("the hours editor's text", () => {
  it("reads spans and writes them back", () => {
    expect(parseSpans("9:00-12:00, 13:00 – 17:30")).toEqual([["09:00", "12:00"], ["13:00", "17:30"]]);
    expect(spansText([["09:00", "12:00"], ["13:00", "17:30"]])).toBe("09:00-12:00, 13:00-17:30");
    expect(parseSpans("")).toEqual([]);
  });

  it("refuses what is not a span", () => {
    expect(parseSpans("9-12")).toBeNull();
    expect(parseSpans("09:00-12:00; 13:00-14:00")).toBeNull();
  });

  it("reads exceptions: a day off and other hours", () => {
    const text = "2026-12-24:\n2026-12-27: 10:00-12:00";
    const parsed = parseExceptions(text);
    expect(parsed).toEqual([
      { date: "2026-12-24", hours: [] },
      { date: "2026-12-27", hours: [["10:00", "12:00"]] },
    ]);
    expect(exceptionsText(parsed!)).toBe("2026-12-24: \n2026-12-27: 10:00-12:00");
    expect(parseExceptions("christmas: 10:00-12:00")).toBeNull();
  });
});
