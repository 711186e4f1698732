import { describe, expect, it } from "vitest";
import { contrastRatio, meetsAA } from "../shared/contrast";
import { browserName, clock, dateTime, dayKey, dayLabel, decimal, duration, parseOrigins, withDays } from "./format";
import { strings } from "./strings";
import { renewDelay } from "./api";

describe("format", () => {
  it("formats waiting times", () => {
    expect(duration(0)).toBe("0:00");
    expect(duration(42_500)).toBe("0:42");
    expect(duration(12 * 60_000 + 5_000)).toBe("12:05");
    expect(duration(3_723_000)).toBe("1:02:03");
    expect(duration(-5)).toBe("0:00");
  });

  it("puts a separator before each new day", () => {
    const a = { id: "a", created_at: "2026-11-28T10:00:00.000000+00:00" };
    const b = { id: "b", created_at: "2026-11-28T10:05:00.000000+00:00" };
    const c = { id: "c", created_at: "2026-11-29T10:00:00.000000+00:00" };
    const items = withDays([a, b, c], Date.parse("2026-11-29T12:00:00Z"));
    expect(items.map((i) => i.kind)).toEqual(["day", "message", "message", "day", "message"]);
    expect(items[3]!.key).toBe(`day-${dayKey(c.created_at)}`);
  });

  it("writes times, dates, day separators and numbers the German way", () => {
    const afternoon = new Date(2026, 10, 29, 14, 5).toISOString(); // local time, whatever the time zone
    expect(clock(afternoon, "de-DE")).toBe("14:05");
    expect(dateTime(afternoon, "de-DE")).toBe("29.11.2026, 14:05");
    expect(clock(afternoon, "en-US")).toBe("02:05 PM");
    const now = new Date(2026, 10, 29, 18, 0).getTime();
    expect(dayLabel(afternoon, now, "de-DE", strings.de.days)).toBe("Heute");
    expect(dayLabel(new Date(2026, 10, 28, 9, 0).toISOString(), now, "de-DE", strings.de.days)).toBe("Gestern");
    expect(dayLabel(new Date(2026, 10, 20, 9, 0).toISOString(), now, "de-DE", strings.de.days)).toBe("Freitag, 20. November 2026");
    expect(decimal(4.5, 2, "de-DE")).toBe("4,50");
    expect(decimal(4.5, 2, "en-GB")).toBe("4.50");
  });

  it("computes WCAG contrast", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(meetsAA("#0b5fff", "#ffffff")).toBe(true);
    expect(meetsAA("#ffff00", "#ffffff")).toBe(false);
    expect(contrastRatio("#777777", "#ffffff")).toBeCloseTo(4.48, 2);
  });

  it("describes a browser", () => {
    expect(browserName("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")).toBe("Chrome on Windows");
    expect(browserName(null)).toBe("");
  });

  it("reads origins one per line", () => {
    expect(parseOrigins(" https://a.example/\n\nhttps://b.example:8443 ")).toEqual(["https://a.example", "https://b.example:8443"]);
  });

  it("renews a token 5 minutes before it expires, sooner for short tokens", () => {
    const now = Date.parse("2026-11-29T08:00:00Z");
    expect(renewDelay("2026-11-29T09:00:00.000000+00:00", now)).toBe(55 * 60_000);
    expect(renewDelay("2026-11-29T08:02:00.000000+00:00", now)).toBe(96_000);
    expect(renewDelay("2026-11-29T07:00:00.000000+00:00", now)).toBe(5_000);
    expect(renewDelay("garbage", now)).toBe(60_000);
  });
});
