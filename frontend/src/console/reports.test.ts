import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { addDays, change, defaultPeriod, presetPeriod, formatNumber, formatSeconds, gridMax, heat, periodProblem, ReportAnswer, reportCsvPath, reportPath, scaleMax, stack } from "./reports";
import { de } from "./strings.de";

describe("a report's period", () => {
  it("defaults to the last 30 UTC days up to today", () => {
    expect(defaultPeriod(new Date("2026-03-02T23:30:00Z"))).toEqual({ from: "2026-02-01", to: "2026-03-02" });
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(presetPeriod("days7", new Date("2026-03-02T08:00:00Z"))).toEqual({ from: "2026-02-24", to: "2026-03-02" });
    expect(presetPeriod("days365", new Date("2026-03-02T08:00:00Z"))).toEqual({ from: "2025-03-03", to: "2026-03-02" });
  });

  it("is refused before it is sent as the server would: missing, reversed, over two years", () => {
    expect(periodProblem("", "2026-03-01")).toBe("missing");
    expect(periodProblem("2026-03-02", "2026-03-01")).toBe("reversed");
    expect(periodProblem("2024-01-01", "2026-01-02")).toBe("tooLong"); // 733 days
    expect(periodProblem("2024-01-01", "2026-01-01")).toBeNull(); // 732 days, both ends included
    expect(periodProblem("2026-03-01", "2026-03-01")).toBeNull();
  });

  it("goes to the server as from/to, a CSV with its table", () => {
    expect(reportPath("2026-03-01", "2026-03-31")).toBe("/api/reports?from=2026-03-01&to=2026-03-31");
    const params = new URL(reportCsvPath("2026-03-01", "2026-03-31", "agents"), "http://x").searchParams;
    expect([...params.entries()]).toEqual([["from", "2026-03-01"], ["to", "2026-03-31"], ["table", "agents"]]);
  });
});

describe("a report's figures", () => {
  it("compare with the previous period in whole percent, none against nothing", () => {
    expect(change(15, 10)).toBe(50);
    expect(change(5, 10)).toBe(-50);
    expect(change(3, 0)).toBeNull();
    expect(change(null, 4)).toBeNull();
  });

  it("are parsed from the server's answer, and a malformed one is refused", () => {
    const spread = { count: 0, median: null, p90: null };
    const summary = {
      chats: 0, answered: 0, missed: null, offline: null, wait: spread, first_response: spread, duration: spread,
      transfers: 0, calls: 0, call_minutes: 0, visitors: null, visitors_chatted: null,
    };
    const body = {
      scope: "agent", period: { from: "2026-03-01", to: "2026-03-01", days: 1 }, previous_period: { from: "2026-02-28", to: "2026-02-28", days: 1 },
      current: summary, previous: summary, days: [], hours: [[0]], agents: [], pages: [],
    };
    expect(v.safeParse(ReportAnswer, body).success).toBe(true);
    expect(v.safeParse(ReportAnswer, { ...body, scope: "everyone" }).success).toBe(false);
  });
});

describe("a report's charts", () => {
  it("end their scale at a round number above the tallest bar", () => {
    expect(scaleMax([])).toBe(1);
    expect(scaleMax([3])).toBe(5);
    expect(scaleMax([12])).toBe(20);
    expect(scaleMax([50])).toBe(50);
    expect(scaleMax([51])).toBe(100);
  });

  it("stack a day's answered, missed and offline chats bottom up", () => {
    const segments = stack({ day: "2026-03-02", answered: 3, missed: 1, offline: 0 }, 5, 100);
    expect(segments).toEqual([
      { key: "answered", y: 40, height: 60 },
      { key: "missed", y: 20, height: 20 },
    ]);
  });

  it("shade the heat map from none to the busiest hour", () => {
    expect(gridMax([[0, 2], [8, 1]])).toBe(8);
    expect([0, 1, 2, 5, 8].map((n) => heat(n, 8))).toEqual([0, 1, 1, 3, 4]);
    expect(heat(3, 0)).toBe(0);
  });
});

describe("a report's numbers and times", () => {
  const en = { seconds: (n: string) => `${n} s`, minutes: (m: string, s: string) => `${m} min ${s} s`, hours: (h: string, m: string) => `${h} h ${m} min` };

  it("read in the console's language", () => {
    expect(formatNumber(12345, "en-GB")).toBe("12,345");
    expect(formatNumber(12345, "de-DE")).toBe("12.345");
    expect(formatNumber(null, "de-DE")).toBe("—");
  });

  it("say seconds, minutes and hours as fit", () => {
    expect(formatSeconds(45, "en-GB", en)).toBe("45 s");
    expect(formatSeconds(125, "en-GB", en)).toBe("2 min 5 s");
    expect(formatSeconds(3780, "en-GB", en)).toBe("1 h 3 min");
    expect(formatSeconds(125, "de-DE", de.reports)).toBe("2 Min. 5 Sek.");
    expect(formatSeconds(null, "de-DE", de.reports)).toBe("—");
  });
});
