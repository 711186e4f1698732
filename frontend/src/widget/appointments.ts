// Appointments in the widget (docs/appointments.md): the free slots of a type in the visitor's time zone and a
// booking of one, over the /visitor socket. Every ack is parsed with its schema; the booking card (ui/Booking.tsx)
// is a chunk of its own, loaded when the visitor first opens it.
import * as v from "valibot";
import type { Ack } from "../shared/wire";

export const Slot = v.object({ start: v.string(), end: v.string() });
export type Slot = v.InferOutput<typeof Slot>;

export const Slots = v.object({
  type: v.object({
    id: v.string(),
    name: v.record(v.string(), v.string()),
    duration: v.number(),
    kind: v.string(),
  }),
  time_zone: v.string(),
  days: v.array(v.object({ date: v.string(), slots: v.array(Slot) })),
  next: v.string(),
});
export type Slots = v.InferOutput<typeof Slots>;

export const Booked = v.object({
  appointment: v.object({
    id: v.string(),
    title: v.record(v.string(), v.string()),
    kind: v.string(),
    start: v.string(),
    end: v.string(),
    location: v.string(),
    status: v.string(),
  }),
});
export type Booked = v.InferOutput<typeof Booked>;

/** The acks of appointments.ts (docs/protocol.md §13): here, not in wire.ts's ACKS, so that they load with the
 * panel, not with the widget's first load. */
export const BOOKING_ACKS: Readonly<Record<string, v.GenericSchema<unknown, unknown>>> = {
  "appointment.slots": Slots,
  "appointment.book": Booked,
};

/** The controller's socket call (WidgetController.ask). */
export type Ask = <T>(event: string, payload: object, schema: v.GenericSchema<unknown, T>) => Promise<Ack<T>>;

export interface Who {
  name: string;
  email: string;
  phone: string;
}

/** The visitor's IANA time zone as the browser knows it; UTC when it does not say. */
export function visitorZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** A type's slots on `days` of the visitor's dates from `from` (today when null); the call back's without a type. */
export function askSlots(ask: Ask, typeId: string | null, from: string | null, days = 7): Promise<Ack<Slots>> {
  const payload: Record<string, unknown> = { time_zone: visitorZone(), days };
  if (typeId) payload.type_id = typeId;
  if (from) payload.from = from;
  return ask("appointment.slots", payload, Slots);
}

export function book(
  ask: Ask,
  typeId: string,
  slot: Slot,
  who: Who,
  lang: string,
  conversationId: string | null,
): Promise<Ack<Booked>> {
  const payload: Record<string, unknown> = {
    type_id: typeId,
    start: slot.start,
    end: slot.end,
    time_zone: visitorZone(),
    name: who.name.trim(),
    email: who.email.trim(),
    lang,
  };
  if (who.phone.trim()) payload.phone = who.phone.trim();
  if (conversationId) payload.conversation_id = conversationId;
  return ask("appointment.book", payload, Booked);
}

/** A date of the visitor (`2026-06-15`) as a heading: "Monday, 15 June". */
export function dayLabel(date: string, lang: string): string {
  const noon = new Date(`${date}T12:00:00Z`);
  return new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(noon);
}

/** A type's or appointment's name in `lang` (English when it has none). */
export function named(names: Record<string, string>, lang: string): string {
  return names[lang] ?? names.en ?? "";
}

/** A slot's start as the visitor's clock shows it ("14:30"). */
export function timeLabel(instant: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", timeZone: visitorZone() }).format(
    new Date(instant),
  );
}

/** Whether the tenant offers a call back now (asked while nobody is online). */
export async function callbackOffered(ask: Ask): Promise<boolean> {
  return (await askSlots(ask, null, null, 1)).ok;
}
