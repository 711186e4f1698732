// The console's ways to the server (docs/protocol.md §3, §4, §6): the REST client (answers parsed with a
// schema) and the /agent socket. Same origin only. widget/api.ts is its twin.
import { io, type Socket } from "socket.io-client";
import * as v from "valibot";
import type { ErrorBody } from "../shared/wire";
import { ErrorBody as ErrorSchema } from "../shared/wire";
import { SessionAnswer } from "./wire";

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorBody; status: number };

const ErrorEnvelope = v.object({ error: ErrorSchema });

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** Turns a Response into a Result: JSON body parsed with `schema`, or the error envelope. */
export async function readAnswer<T>(response: Response, schema: v.GenericSchema<unknown, T> | null): Promise<Result<T>> {
  let body: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false, status: response.status, error: { code: "BAD_ANSWER", message: "Not JSON" } };
    }
  }
  if (!response.ok) {
    const parsed = v.safeParse(ErrorEnvelope, body);
    const error = parsed.success ? parsed.output.error : { code: response.status >= 500 ? "INTERNAL" : "BAD_ANSWER", message: "" };
    return { ok: false, status: response.status, error };
  }
  if (schema === null) return { ok: true, value: undefined as T };
  const parsed = v.safeParse(schema, body);
  if (!parsed.success) return { ok: false, status: response.status, error: { code: "BAD_ANSWER", message: "" } };
  return { ok: true, value: parsed.output };
}

export class Api {
  token: string | null = null;
  /** Called once on a 401 to get a new access token (POST /api/auth/token); null when the session is over. */
  onExpired: (() => Promise<string | null>) | null = null;

  constructor(private readonly fetcher: Fetch = (i, init) => fetch(i, init)) {}

  async call<T>(method: string, path: string, schema: v.GenericSchema<unknown, T> | null, body?: unknown, retried = false): Promise<Result<T>> {
    const headers: Record<string, string> = {};
    if (this.token) headers["Authorization"] = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body instanceof Blob) {
      payload = body;
      headers["Content-Type"] = body.type || "application/octet-stream";
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
    }
    let response: Response;
    try {
      response = await this.fetcher(path, { method, headers, body: payload, credentials: "same-origin", cache: "no-store" });
    } catch {
      return { ok: false, status: 0, error: { code: "NETWORK", message: "" } };
    }
    const result = await readAnswer(response, schema);
    if (!result.ok && result.status === 401 && result.error.code === "AUTH_INVALID" && !retried && this.onExpired) {
      const token = await this.onExpired();
      if (token) return this.call(method, path, schema, body, true);
    }
    return result;
  }

  login(tenant: string, login: string, password: string): Promise<Result<SessionAnswer>> {
    return this.call("POST", "/api/auth/login", SessionAnswer, { tenant, login, password }, true);
  }

  /** Renews the access token from the HttpOnly session cookie; sends no Authorization header. */
  async renew(): Promise<Result<SessionAnswer>> {
    let response: Response;
    try {
      response = await this.fetcher("/api/auth/token", { method: "POST", credentials: "same-origin", cache: "no-store" });
    } catch {
      return { ok: false, status: 0, error: { code: "NETWORK", message: "" } };
    }
    return readAnswer(response, SessionAnswer);
  }

  async logout(): Promise<void> {
    try {
      await this.fetcher("/api/auth/logout", { method: "POST", credentials: "same-origin" });
    } catch {
      /* the cookie stays until it expires; nothing else to do */
    }
  }
}

/** When to renew an access token expiring at `expiresAt`: 5 minutes before, or at 80 % of a short lifetime. */
export function renewDelay(expiresAt: string, now: number): number {
  const left = Date.parse(expiresAt) - now;
  if (!Number.isFinite(left)) return 60_000;
  return Math.max(5_000, left > 25 * 60_000 ? left - 5 * 60_000 : left * 0.8);
}

/** The /agent socket; `auth` is asked at every (re)connect, so a renewed access token is used at once. */
export function connectAgent(auth: () => { token: string }): Socket {
  return io("/agent", { auth: (cb) => cb(auth()), reconnectionDelayMax: 5_000 });
}
