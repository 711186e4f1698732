// The archive page's data: its filter as the query string of GET /api/archive and /api/archive/export
// (docs/protocol.md §4 "The archive"), and a download of an export.

export interface ArchiveFilter {
  from: string; // yyyy-mm-dd, or empty
  to: string;
  outcome: "" | "answered" | "missed" | "offline";
  agentId: string;
  country: string;
  visitor: string;
  q: string;
}

export const EMPTY_FILTER: ArchiveFilter = { from: "", to: "", outcome: "", agentId: "", country: "", visitor: "", q: "" };

/** The filter's non-empty fields as query parameters (`to` is inclusive on the page: the day after is sent). */
export function filterParams(filter: ArchiveFilter): URLSearchParams {
  const params = new URLSearchParams();
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", dayAfter(filter.to));
  if (filter.outcome) params.set("outcome", filter.outcome);
  if (filter.agentId) params.set("agent_id", filter.agentId);
  if (filter.country.trim()) params.set("country", filter.country.trim());
  if (filter.visitor.trim()) params.set("visitor", filter.visitor.trim());
  if (filter.q.trim()) params.set("q", filter.q.trim());
  return params;
}

export function dayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return day;
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

export function archivePath(filter: ArchiveFilter, cursor: string | null): string {
  const params = filterParams(filter);
  if (cursor) params.set("cursor", cursor);
  const query = params.toString();
  return query ? `/api/archive?${query}` : "/api/archive";
}

export function exportPath(filter: ArchiveFilter, format: "csv" | "jsonl"): string {
  const params = filterParams(filter);
  params.set("format", format);
  return `/api/archive/export?${params.toString()}`;
}

/** Seconds as "m:ss" or "h:mm:ss". */
export function duration(seconds: number | null): string {
  if (seconds === null || seconds < 0) return "—";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
