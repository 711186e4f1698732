// The Video admin page's form model: built from GET /api/tenant/video, turned back into a PATCH body that
// carries only the changed fields (docs/protocol.md §4 "Video settings"). Secrets are write-only.
import type { VideoSettings } from "./wire";

export interface VideoForm {
  stun: string;
  turn: string;
  turnSecret: string;
  removeTurnSecret: boolean;
  turnTtl: number;
  visitorCalls: boolean;
  visitorScreen: boolean;
  inviteTimeout: number;
  domain: string;
  appId: string;
  jitsiSecret: string;
  removeJitsiSecret: boolean;
  audience: string;
  sub: string;
  tokenTtl: number;
}

export function toForm(s: VideoSettings): VideoForm {
  return {
    stun: s.stun_urls.join("\n"),
    turn: s.turn_urls.join("\n"),
    turnSecret: "",
    removeTurnSecret: false,
    turnTtl: s.turn_ttl_seconds,
    visitorCalls: s.allow_visitor_calls,
    visitorScreen: s.allow_visitor_screen_share,
    inviteTimeout: s.invite_timeout_seconds,
    domain: s.jitsi.domain ?? "",
    appId: s.jitsi.app_id ?? "",
    jitsiSecret: "",
    removeJitsiSecret: false,
    audience: s.jitsi.audience,
    sub: s.jitsi.sub,
    tokenTtl: s.jitsi.token_ttl_seconds,
  };
}

/** One URL per line; blank lines and surrounding spaces dropped. */
export function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A secret field: removed → null, typed → the text, else left out (kept). */
function secret(removed: boolean, typed: string, wasSet: boolean): string | null | undefined {
  if (removed) return wasSet ? null : undefined;
  return typed ? typed : undefined;
}

/** An optional text (domain, app id): emptied → null (cleared), changed → the trimmed text. */
function optional(typed: string, was: string | null): string | null | undefined {
  const value = typed.trim() || null;
  return value === was ? undefined : value;
}

/** The PATCH body with only what differs from `saved`; `{}` when nothing changed. */
export function videoPatch(saved: VideoSettings, f: VideoForm): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const stun = lines(f.stun);
  const turn = lines(f.turn);
  if (!sameList(stun, saved.stun_urls)) body["stun_urls"] = stun;
  if (!sameList(turn, saved.turn_urls)) body["turn_urls"] = turn;
  const turnSecret = secret(f.removeTurnSecret, f.turnSecret, saved.turn_secret_set);
  if (turnSecret !== undefined) body["turn_secret"] = turnSecret;
  if (f.turnTtl !== saved.turn_ttl_seconds) body["turn_ttl_seconds"] = f.turnTtl;
  if (f.visitorCalls !== saved.allow_visitor_calls) body["allow_visitor_calls"] = f.visitorCalls;
  const screen = f.visitorCalls && f.visitorScreen;
  if (screen !== saved.allow_visitor_screen_share) body["allow_visitor_screen_share"] = screen;
  if (f.inviteTimeout !== saved.invite_timeout_seconds) body["invite_timeout_seconds"] = f.inviteTimeout;

  const j = saved.jitsi;
  const jitsi: Record<string, unknown> = {};
  const domain = optional(f.domain, j.domain);
  if (domain !== undefined) jitsi["domain"] = domain;
  const appId = optional(f.appId, j.app_id);
  if (appId !== undefined) jitsi["app_id"] = appId;
  const jitsiSecret = secret(f.removeJitsiSecret, f.jitsiSecret, j.secret_set);
  if (jitsiSecret !== undefined) jitsi["secret"] = jitsiSecret;
  const audience = f.audience.trim();
  if (audience && audience !== j.audience) jitsi["audience"] = audience;
  const sub = f.sub.trim();
  if (sub && sub !== j.sub) jitsi["sub"] = sub;
  if (f.tokenTtl !== j.token_ttl_seconds) jitsi["token_ttl_seconds"] = f.tokenTtl;
  if (Object.keys(jitsi).length) body["jitsi"] = jitsi;
  return body;
}

/** VALIDATION_FAILED details as `{form field: message}`: "stun_urls.0" → "stun_urls", "jitsi.secret" stays. */
export function fieldErrors(details: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const fields = details?.["fields"];
  if (!Array.isArray(fields)) return out;
  for (const item of fields) {
    if (!item || typeof item !== "object") continue;
    const { field, message } = item as Record<string, unknown>;
    if (typeof field !== "string") continue;
    const parts = field.split(".");
    const key = parts[0] === "jitsi" && parts[1] ? `jitsi.${parts[1]}` : (parts[0] ?? field);
    out[key] ??= String(message ?? "");
  }
  return out;
}
