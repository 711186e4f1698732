// The Reports page's data (docs/reports.md, docs/protocol.md §4 "Reports"): the answer of GET /api/reports,
// the period's checks (the server's, said before asking), the CSV paths, and the charts' geometry. Pure
// functions; the page (ui/Reports.tsx) draws what these compute.
import * as v from "valibot";

/** The longest period the server reports on (two years). */
export const LONGEST_DAYS = 366 * 2;
export const TABLES = ["summary", "days", "hours", "agents", "pages"] as const;
export type ReportTable = (typeof TABLES)[number];

const count = v.nullable(v.number());
const Spread = v.object({ count: v.number(), median: count, p90: count });
export type Spread = v.InferOutput<typeof Spread>;
const Summary = v.object({
  chats: v.number(),
  answered: v.number(),
  missed: count,
  offline: count,
  wait: Spread,
  first_response: Spread,
  duration: Spread,
  transfers: v.number(),
  calls: v.number(),
  call_minutes: v.number(),
  visitors: count,
  visitors_chatted: count,
});
export type Summary = v.InferOutput<typeof Summary>;
const Period = v.object({ from: v.string(), to: v.string(), days: v.number() });
export const ReportAnswer = v.object({
  scope: v.picklist(["tenant", "agent"]),
  period: Period,
  previous_period: Period,
  current: Summary,
  previous: Summary,
  days: v.array(v.object({ day: v.string(), answered: v.number(), missed: v.number(), offline: v.number() })),
  hours: v.array(v.array(v.number())),
  agents: v.array(
    v.object({ agent_id: v.string(), name: v.nullable(v.string()), answered: v.number(), response_median: count, transfers: v.number() }),
  ),
  pages: v.array(v.object({ path: v.string(), chats: v.number() })),
});
export type Report = v.InferOutput<typeof ReportAnswer>;

export type PeriodProblem = "missing" | "reversed" | "tooLong";

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** A day as "yyyy-mm-dd", `days` after (or before) another. */
export function addDays(day: string, days: number): string {
  return new Date((dayNumber(day) + days) * 86_400_000).toISOString().slice(0, 10);
}

export const PRESETS = ["days7", "days30", "days90", "days365"] as const;
export type Preset = (typeof PRESETS)[number];

/** The last 7, 30, 90 or 365 days up to today (UTC days, as the server counts them). */
export function presetPeriod(preset: Preset, now: Date): { from: string; to: string } {
  const today = now.toISOString().slice(0, 10);
  return { from: addDays(today, 1 - Number(preset.slice(4))), to: today };
}

/** The last 30 days up to today. */
export function defaultPeriod(now: Date): { from: string; to: string } {
  return presetPeriod("days30", now);
}

/** What is wrong with a period before it is sent, as the server would say it; null if nothing. */
export function periodProblem(from: string, to: string): PeriodProblem | null {
  if (!from || !to || Number.isNaN(dayNumber(from)) || Number.isNaN(dayNumber(to))) return "missing";
  if (dayNumber(to) < dayNumber(from)) return "reversed";
  return dayNumber(to) - dayNumber(from) + 1 > LONGEST_DAYS ? "tooLong" : null;
}

export function reportPath(from: string, to: string): string {
  return `/api/reports?${new URLSearchParams({ from, to }).toString()}`;
}

export function reportCsvPath(from: string, to: string, table: ReportTable): string {
  return `/api/reports.csv?${new URLSearchParams({ from, to, table }).toString()}`;
}

/** The change from the previous period in whole percent; null without a previous value to compare with. */
export function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return Math.round(((current - previous) / previous) * 100);
}

/** The tallest bar's value rounded up to a "nice" scale end (1, 2, 5 × 10ⁿ), at least 1. */
export function scaleMax(values: readonly number[]): number {
  const top = Math.max(1, ...values);
  const step = 10 ** Math.floor(Math.log10(top));
  return ([1, 2, 5, 10].map((m) => m * step).find((end) => end >= top) ?? top) as number;
}

export interface Segment {
  key: "answered" | "missed" | "offline";
  y: number;
  height: number;
}

/** Stacked bar segments of one day, bottom up, in a chart `height` high whose top stands for `max`. */
export function stack(day: Report["days"][number], max: number, height: number): Segment[] {
  const out: Segment[] = [];
  let top = height;
  for (const key of ["answered", "missed", "offline"] as const) {
    const h = (day[key] / max) * height;
    if (h <= 0) continue;
    top -= h;
    out.push({ key, y: top, height: h });
  }
  return out;
}

/** A heat map cell's shade from 0 (no chat) to 4 (the busiest hour). */
export function heat(value: number, max: number): number {
  if (value <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((value / max) * 4)));
}

/** The busiest hour's count of a weekday × hour grid. */
export function gridMax(grid: readonly (readonly number[])[]): number {
  return Math.max(0, ...grid.map((row) => Math.max(0, ...row)));
}

/** A count in the console's language ("1,234" / "1.234"); "—" for none. */
export function formatNumber(n: number | null, locale: string): string {
  return n === null ? "—" : new Intl.NumberFormat(locale).format(n);
}

export interface TimeWords {
  seconds: (n: string) => string;
  minutes: (m: string, s: string) => string;
  hours: (h: string, m: string) => string;
}

/** Whole seconds as "45 s", "2 min 5 s", "1 h 3 min" in the console's language; "—" for none. */
export function formatSeconds(value: number | null, locale: string, words: TimeWords): string {
  if (value === null) return "—";
  const n = (x: number) => formatNumber(x, locale);
  if (value < 60) return words.seconds(n(value));
  if (value < 3600) return words.minutes(n(Math.floor(value / 60)), n(value % 60));
  return words.hours(n(Math.floor(value / 3600)), n(Math.floor((value % 3600) / 60)));
}
