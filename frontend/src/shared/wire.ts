// Schemas for the objects both apps receive (docs/protocol.md §7.1). Every payload that comes from the
// server is parsed here before the UI sees it: a malformed event is dropped, never rendered half-way.
import type { Socket } from "socket.io-client";
import * as v from "valibot";

const Time = v.string();

export const ErrorBody = v.object({
  code: v.string(),
  message: v.string(),
  details: v.optional(v.record(v.string(), v.unknown())),
});
export type ErrorBody = v.InferOutput<typeof ErrorBody>;

export const Party = v.object({
  kind: v.picklist(["visitor", "agent", "system"]),
  id: v.nullable(v.string()),
  display_name: v.string(),
  photo_url: v.nullable(v.string()),
});
export type Party = v.InferOutput<typeof Party>;

export const Message = v.object({
  id: v.string(),
  conversation_id: v.string(),
  seq: v.number(),
  client_id: v.nullable(v.string()),
  sender: Party,
  kind: v.string(),
  text: v.string(),
  created_at: Time,
  visibility: v.picklist(["all", "agents"]),
  event: v.nullable(v.string()),
  data: v.record(v.string(), v.unknown()),
});
export type Message = v.InferOutput<typeof Message>;

export const AgentIdentity = v.object({
  id: v.string(),
  display_name: v.string(),
  photo_url: v.nullable(v.string()),
});
export type AgentIdentity = v.InferOutput<typeof AgentIdentity>;

/** The conversation as the visitor sees it; the agent view adds fields (see console/wire.ts). */
export const ConversationEntries = {
  id: v.string(),
  status: v.picklist(["queued", "active", "closed"]),
  created_at: Time,
  assigned_at: v.nullable(Time),
  closed_at: v.nullable(Time),
  closed_by: v.nullable(v.string()),
  agent: v.nullable(AgentIdentity),
  agent_read_seq: v.number(),
};
export const Conversation = v.object(ConversationEntries);
export type Conversation = v.InferOutput<typeof Conversation>;

/** An acknowledgement: `{ok: true, ...result}` or `{ok: false, error}` (docs/protocol.md §6.2). */
export type Ack<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const Failure = v.object({ ok: v.literal(false), error: ErrorBody });

export function parseAck<T>(raw: unknown, result: v.GenericSchema<unknown, T>): Ack<T> {
  const failed = v.safeParse(Failure, raw);
  if (failed.success) return { ok: false, error: failed.output.error };
  const parsed = v.safeParse(result, raw);
  if (parsed.success) return { ok: true, value: parsed.output };
  return { ok: false, error: { code: "BAD_ANSWER", message: "The server sent an answer this page does not understand." } };
}

const TIMEOUT = { code: "TIMEOUT", message: "The server did not answer." };

/** Emits `event` and resolves with its parsed ack, or `TIMEOUT` when none came within `timeoutMs`. */
export function emitAck<T>(socket: Socket, event: string, payload: object, result: v.GenericSchema<unknown, T>, timeoutMs: number): Promise<Ack<T>> {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err: Error | null, raw: unknown) => {
      resolve(err ? { ok: false, error: TIMEOUT } : parseAck(raw, result));
    });
  });
}

/** Parses an incoming event; `null` (and a console warning) when it does not match its schema. */
export function parseEvent<T>(name: string, raw: unknown, schema: v.GenericSchema<unknown, T>): T | null {
  const parsed = v.safeParse(schema, raw);
  if (parsed.success) return parsed.output;
  console.warn(`wsChat: ignored a malformed ${name} event`);
  return null;
}
