// The Audit log page's data: its filter as the query string of GET /api/audit and /api/audit.csv
// (docs/protocol.md §4 "The audit log"), and an entry's who, what and counts as text.
import { dayAfter } from "./archive";

export interface AuditFilter {
  /** One action ("subject.erased"), a family ("subject.*"), or empty for all. */
  action: string;
  actorId: string;
  targetId: string;
  from: string; // yyyy-mm-dd, or empty
  to: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilter = { action: "", actorId: "", targetId: "", from: "", to: "" };

/** Every action the server records, by family, in the order the filter offers them. */
export const ACTIONS: Readonly<Record<string, readonly string[]>> = {
  archive: ["archive.viewed", "archive.exported"],
  transcript: ["transcript.forwarded", "transcript.sent_to_visitor"],
  offline: ["offline.answered"],
  subject: [
    "subject.request_logged",
    "subject.request_done",
    "subject.exported",
    "subject.rectified",
    "subject.restricted",
    "subject.unrestricted",
    "subject.anonymised",
    "subject.erased",
  ],
  agent: ["agent.deleted"],
  contract: ["contract.contract", "contract.terminate", "contract.hold", "contract.release"],
  lifecycle: ["lifecycle.demo_ends_soon", "lifecycle.demo_expired", "lifecycle.contract_ended"],
  webhook: ["webhook.created", "webhook.changed", "webhook.deleted"],
  appointment: [
    "appointment.type_saved",
    "appointment.type_deleted",
    "appointment.hours_saved",
    "appointment.settings_saved",
    "appointment.cancelled",
    "appointment.moved",
  ],
};

/** The filter's non-empty fields as query parameters (`to` is inclusive on the page: the day after is sent). */
export function auditParams(filter: AuditFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.action) params.set("action", filter.action);
  if (filter.actorId.trim()) params.set("actor_id", filter.actorId.trim());
  if (filter.targetId.trim()) params.set("target_id", filter.targetId.trim());
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", dayAfter(filter.to));
  return params;
}

export function auditPath(filter: AuditFilter, cursor: string | null): string {
  const params = auditParams(filter);
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return query ? `/api/audit?${query}` : "/api/audit";
}

export function auditCsvPath(filter: AuditFilter): string {
  const query = auditParams(filter).toString();
  return query ? `/api/audit.csv?${query}` : "/api/audit.csv";
}

/** An entry's details as one line: "rows: 3 · format: csv"; a nested value (an export's filter, the counts of
 * an erasure) as its keys and values too. Details hold counts and names of fields, never content. */
export function detailsText(details: Readonly<Record<string, unknown>>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join(" · ");
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(", ");
  if (value && typeof value === "object") {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k} ${valueText(v)}`);
    return inner.length ? `(${inner.join(", ")})` : "—";
  }
  return value === null || value === undefined ? "—" : String(value);
}
