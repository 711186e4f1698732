// The Settings page's retention card: its form from GET /api/tenant/retention, and the PATCH body back with
// only what changed (docs/protocol.md §4 "Retention"). A number outside its category's bounds is caught here
// first; the server checks again.
import type { RetentionSettings } from "./wire";

export type IpAction = RetentionSettings["ip_action"];

export interface RetentionForm {
  /** Per category the days as typed; empty: back to the operator's maximum. */
  days: Record<string, string>;
  ipAction: IpAction;
}

/** Categories in the order the server lists them (chat, ip, mail, and any it adds later). */
export function categoryNames(s: RetentionSettings): string[] {
  return Object.keys(s.categories);
}

export function toRetentionForm(s: RetentionSettings): RetentionForm {
  const days: Record<string, string> = {};
  for (const [name, category] of Object.entries(s.categories)) days[name] = String(category.days);
  return { days, ipAction: s.ip_action };
}

export type OutOfBounds = { name: string; min: number; max: number };

/** The PATCH body; or, if any category's days are not a whole number within its bounds, those categories
 * and an empty body (nothing is sent then). */
export function retentionPatch(saved: RetentionSettings, form: RetentionForm): { body: Record<string, unknown>; invalid: OutOfBounds[] } {
  const days: Record<string, number | null> = {};
  const invalid: OutOfBounds[] = [];
  for (const [name, category] of Object.entries(saved.categories)) {
    const typed = (form.days[name] ?? "").trim();
    if (typed === "") {
      if (category.chosen) days[name] = null;
      continue;
    }
    const value = /^\d+$/.test(typed) ? Number(typed) : NaN;
    if (!(value >= category.min_days && value <= category.max_days)) {
      invalid.push({ name, min: category.min_days, max: category.max_days });
      continue;
    }
    if (value !== category.days) days[name] = value;
  }
  const body: Record<string, unknown> = {};
  if (invalid.length) return { body, invalid };
  if (Object.keys(days).length) body["days"] = days;
  if (form.ipAction !== saved.ip_action) body["ip_action"] = form.ipAction;
  return { body, invalid };
}
