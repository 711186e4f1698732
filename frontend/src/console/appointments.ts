// Appointments in the console (docs/appointments.md, docs/protocol.md §13): the schemas of the REST answers,
// and the hours editor's text form of a day ("09:00-12:00, 13:00-17:00") both ways. The server checks the spans
// again (overlap, end before start) and says which is wrong.
import * as v from "valibot";

const Names = v.record(v.string(), v.string());

export const AppointmentType = v.object({
  id: v.string(),
  name: Names,
  duration: v.number(),
  kind: v.picklist(["video", "phone", "on_site"]),
  address: v.string(),
  buffer_before: v.number(),
  buffer_after: v.number(),
  min_notice: v.number(),
  horizon_days: v.number(),
  agent_ids: v.array(v.string()),
});
export type AppointmentType = v.InferOutput<typeof AppointmentType>;
export const TypesAnswer = v.object({ types: v.array(AppointmentType) });
export const TypeAnswer = v.object({ type: AppointmentType });

export const Appointment = v.object({
  id: v.string(),
  type_id: v.string(),
  title: Names,
  kind: v.string(),
  agent_id: v.string(),
  start: v.string(),
  end: v.string(),
  status: v.string(),
  name: v.string(),
  email: v.string(),
  phone: v.nullable(v.string()),
  location: v.string(),
  time_zone: v.string(),
  visitor_id: v.nullable(v.string()),
  conversation_id: v.nullable(v.string()),
  created_at: v.string(),
  cancelled_at: v.nullable(v.string()),
});
export type Appointment = v.InferOutput<typeof Appointment>;
export const AppointmentsAnswer = v.object({ appointments: v.array(Appointment) });
export const AppointmentAnswer = v.object({ appointment: Appointment });

/** `GET /api/appointments/{id}/slots`: the free times it can move to, by day (the tenant's zone). */
export const MoveSlotsAnswer = v.object({
  time_zone: v.string(),
  days: v.array(v.object({ date: v.string(), slots: v.array(v.object({ start: v.string(), end: v.string() })) })),
  next: v.string(),
});
export type MoveSlots = v.InferOutput<typeof MoveSlotsAnswer>;
/** `POST /api/appointments/{id}/conversation`: the chat with the visitor, opened for the agent. */
export const CallConversationAnswer = v.object({ conversation_id: v.string() });

const Span = v.tuple([v.string(), v.string()]);
export const Hours = v.object({
  agent_id: v.string(),
  week: v.record(v.string(), v.array(Span)),
  exceptions: v.array(v.object({ date: v.string(), hours: v.array(Span) })),
  email: v.nullable(v.string()),
});
export type Hours = v.InferOutput<typeof Hours>;
export const HoursAnswer = v.object({ hours: Hours });

export const AppointmentSettings = v.object({
  time_zone: v.string(),
  callback_offline: v.boolean(),
  reminder: v.boolean(),
  callback_type_id: v.nullable(v.string()),
});
export type AppointmentSettings = v.InferOutput<typeof AppointmentSettings>;
export const SettingsAnswer = v.object({ settings: AppointmentSettings });

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** A day's spans as the editor shows them: `09:00-12:00, 13:00-17:00`. */
export function spansText(spans: readonly (readonly [string, string])[]): string {
  return spans.map(([from, to]) => `${from}-${to}`).join(", ");
}

/** The editor's text as spans; null when a part is not `HH:MM-HH:MM`. An empty text is no hours. */
export function parseSpans(text: string): [string, string][] | null {
  const parts = text.split(",").map((part) => part.trim()).filter(Boolean);
  const spans: [string, string][] = [];
  for (const part of parts) {
    const found = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (!found) return null;
    spans.push([pad(found[1]!), pad(found[2]!)]);
  }
  return spans;
}

function pad(clock: string): string {
  return clock.length === 4 ? `0${clock}` : clock;
}

/** Exceptions as lines `2026-12-24: 09:00-12:00` (nothing after the colon: a day off), and back. */
export function exceptionsText(exceptions: Hours["exceptions"]): string {
  return exceptions.map((e) => `${e.date}: ${spansText(e.hours)}`).join("\n");
}

export function parseExceptions(text: string): Hours["exceptions"] | null {
  const out: Hours["exceptions"] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const found = /^(\d{4}-\d{2}-\d{2})\s*:?\s*(.*)$/.exec(line);
    const spans = found ? parseSpans(found[2]!) : null;
    if (!found || !spans) return null;
    out.push({ date: found[1]!, hours: spans });
  }
  return out;
}

/** An appointment's time as this browser shows it: "Mon 15 Jun, 09:00–09:30". */
export function whenText(a: Pick<Appointment, "start" | "end">, lang: string): string {
  const day = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short" }).format(new Date(a.start));
  const time = (s: string) => new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" }).format(new Date(s));
  return `${day}, ${time(a.start)}–${time(a.end)}`;
}
