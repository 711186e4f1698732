// The widget's ways to the server (docs/protocol.md §4, §6): HTTP (configuration, visitor session) and the
// /visitor socket. Both go to the wsChat origin taken from the script's own `src`; fetches send no cookies.
// console/api.ts is its twin.
import * as v from "valibot";
import { io, type Socket } from "socket.io-client";
import { emitAck, type Ack } from "../shared/wire";
import { WidgetConfig } from "./config";
import { Session } from "./wire";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

async function getJson(url: string, init: RequestInit): Promise<unknown> {
  const reply = await fetch(url, { ...init, credentials: "omit", cache: "no-store" });
  const body: unknown = await reply.json().catch(() => null);
  if (!reply.ok) {
    const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
    throw new HttpError(reply.status, typeof code === "string" ? code : "HTTP_" + reply.status);
  }
  return body;
}

/**
 * Runs `attempt` until it succeeds, at most `tries` times. Network errors (fetch's TypeError) and server errors
 * (HTTP 5xx) are tried again after 1, 2, 4 … seconds, at most a minute apart; anything else (a refusal, an
 * answer that does not parse) is final.
 */
export async function retrying<T>(attempt: () => Promise<T>, tries: number, wait = sleep): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      const transient = e instanceof HttpError ? e.status >= 500 : e instanceof TypeError;
      if (!transient || n >= tries) throw e;
      await wait(Math.min(60_000, 1000 * 2 ** (n - 1)));
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function fetchConfig(origin: string, tenant: string): Promise<WidgetConfig> {
  const body = await getJson(`${origin}/api/widget/${encodeURIComponent(tenant)}`, { method: "GET" });
  return v.parse(WidgetConfig, body);
}

/** Resumes the visitor `token` stands for, or starts a new visitor (docs/protocol.md §4). */
export async function openSession(origin: string, tenant: string, token: string | null): Promise<string> {
  const body = await getJson(`${origin}/api/widget/${encodeURIComponent(tenant)}/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  return v.parse(Session, body).token;
}

export function connectVisitor(
  origin: string,
  auth: () => { tenant: string; token: string; appointment?: string },
): Socket {
  return io(origin + "/visitor", {
    auth: (cb) => cb(auth()),
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    withCredentials: false,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10_000,
  });
}

const OFFLINE = { code: "OFFLINE", message: "Not connected." };

/**
 * Emits `event` and resolves with its parsed ack. Never buffers: while disconnected it fails at once with
 * `OFFLINE` (the caller resends after the reconnect, with the same `client_id`).
 */
export function call<T>(
  socket: Socket,
  event: string,
  payload: object,
  result: v.GenericSchema<unknown, T>,
  timeoutMs = 10_000,
): Promise<Ack<T>> {
  if (!socket.connected) return Promise.resolve({ ok: false, error: OFFLINE });
  return emitAck(socket, event, payload, result, timeoutMs);
}
