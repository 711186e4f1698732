// The Webhooks admin page's data (docs/webhooks.md, docs/protocol.md §4 "Webhooks"): the schemas of
// /api/webhooks answers, and the form of an endpoint as the POST/PATCH body.
import * as v from "valibot";

const str = v.nullable(v.string());

export const EVENTS = [
  "conversation.closed",
  "offline_message.created",
  "contact.submitted",
  "appointment.booked",
  "appointment.cancelled",
  "appointment.moved",
] as const;
export type WebhookEventName = (typeof EVENTS)[number];

export const Endpoint = v.object({
  id: v.string(),
  url: v.string(),
  events: v.array(v.string()),
  description: v.string(),
  enabled: v.boolean(),
  created_at: v.string(),
  updated_at: v.string(),
});
export type Endpoint = v.InferOutput<typeof Endpoint>;

export const Delivery = v.object({
  id: v.string(),
  endpoint_id: v.string(),
  event: v.string(),
  status: v.picklist(["pending", "delivered", "failed"]),
  attempts: v.number(),
  created_at: v.string(),
  next_attempt_at: str,
  last_attempt_at: str,
  delivered_at: str,
  response_status: v.nullable(v.number()),
  response_body: str,
  last_error: str,
});
export type Delivery = v.InferOutput<typeof Delivery>;

export const EndpointsAnswer = v.object({ endpoints: v.array(Endpoint), events: v.array(v.string()) });
/** POST, and PATCH with rotate_secret: the secret comes this once. */
export const EndpointAnswer = v.object({ endpoint: Endpoint, secret: v.optional(v.string()) });
export const DeliveriesAnswer = v.object({ deliveries: v.array(Delivery), next_before: str });
export const DeliveryAnswer = v.object({ delivery: Delivery });

export interface EndpointForm {
  url: string;
  description: string;
  events: readonly string[];
}

export const emptyForm = (): EndpointForm => ({ url: "", description: "", events: ["conversation.closed"] });

export function endpointBody(form: EndpointForm): { url: string; description: string; events: string[] } {
  return { url: form.url.trim(), description: form.description.trim(), events: [...form.events] };
}

/** The events ticked, in the order the server lists them. */
export function toggled(form: EndpointForm, event: string, on: boolean): EndpointForm {
  const chosen = new Set(form.events);
  if (on) chosen.add(event);
  else chosen.delete(event);
  return { ...form, events: EVENTS.filter((e) => chosen.has(e)) };
}

/** A delivery's answer, short: "204", "500 · database down", or the error without an answer. */
export function outcome(d: Delivery): string {
  if (d.response_status === null) return d.last_error ?? "";
  const body = (d.response_body ?? "").replace(/\s+/g, " ").trim();
  return body ? `${d.response_status} · ${body.slice(0, 120)}` : String(d.response_status);
}
