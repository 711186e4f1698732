// Formatting helpers (times, waiting times, day separators, numbers). Pure functions; dates and numbers follow
// the console's locale unless one is given.
import { locale as pageLocale } from "./language";
import { t, type Strings } from "./strings";

export function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/** "0:42", "12:05", "1:02:03": a live waiting time. */
export function duration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

export function clock(iso: string, locale = pageLocale): string {
  const ms = parseTime(iso);
  if (ms === null) return "";
  return new Date(ms).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

export function dateTime(iso: string | null | undefined, locale = pageLocale): string {
  const ms = parseTime(iso);
  if (ms === null) return "";
  return new Date(ms).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

/** The local calendar day of a timestamp, as a key ("2026-11-29"). */
export function dayKey(iso: string): string {
  const d = new Date(parseTime(iso) ?? 0);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** "Today", "Yesterday" or a date, for the separators between days in a conversation. */
export function dayLabel(iso: string, now: number, locale = pageLocale, days: Strings["days"] = t.days): string {
  const key = dayKey(iso);
  if (key === dayKey(new Date(now).toISOString())) return days.today;
  if (key === dayKey(new Date(now - 86_400_000).toISOString())) return days.yesterday;
  return new Date(parseTime(iso) ?? 0).toLocaleDateString(locale, { dateStyle: "full" });
}

/** "4.50" or "4,50": a number with a fixed count of decimals. */
export function decimal(value: number, digits: number, locale = pageLocale): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export interface Item<M> {
  kind: "day" | "message";
  key: string;
  label?: string;
  message?: M;
}

/** Interleaves day separators with messages (sorted by seq already). */
export function withDays<M extends { created_at: string; id: string }>(messages: readonly M[], now: number): Item<M>[] {
  const items: Item<M>[] = [];
  let last = "";
  for (const message of messages) {
    const key = dayKey(message.created_at);
    if (key !== last) {
      items.push({ kind: "day", key: `day-${key}`, label: dayLabel(message.created_at, now) });
      last = key;
    }
    items.push({ kind: "message", key: message.id, message });
  }
  return items;
}

/** A short browser description from a user agent string ("Firefox on Windows"). */
export function browserName(ua: string | null | undefined): string {
  if (!ua) return "";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "";
  const os = /Windows/.test(ua) ? "Windows" : /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || ua.slice(0, 60);
}

/** Origins from a textarea: one per line, blanks dropped, trailing slash removed. */
export function parseOrigins(text: string): string[] {
  return text
    .split(/\s+/)
    .map((s) => s.trim().replace(/\/$/, ""))
    .filter(Boolean);
}
