// The sign-up pages' side of the API (docs/protocol.md §4, "Demo sign-up"): every answer parsed with a schema,
// and which text an error shows where. Data only; main.ts wires it to the server-rendered forms.
import * as v from "valibot";
import { ErrorBody } from "../shared/wire";

export const SignupAnswer = v.object({ status: v.literal("confirmation_sent") });
export const ConfirmAnswer = v.object({ tenant: v.string(), login: v.string(), sign_in: v.string() });
export type ConfirmAnswer = v.InferOutput<typeof ConfirmAnswer>;

const ErrorEnvelope = v.object({ error: ErrorBody });
const FieldErrors = v.object({ fields: v.array(v.object({ field: v.string(), message: v.string() })) });

export type Failure = { code: string; message: string; fields: { field: string; message: string }[] };
export type Answer<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** An answer's status and body (already read as JSON, or null) as the value `schema` describes, or a failure. */
export function readAnswer<T>(ok: boolean, body: unknown, schema: v.GenericSchema<unknown, T>): Answer<T> {
  if (ok) {
    const parsed = v.safeParse(schema, body);
    if (parsed.success) return { ok: true, value: parsed.output };
    return { ok: false, failure: { code: "BAD_ANSWER", message: "", fields: [] } };
  }
  const parsed = v.safeParse(ErrorEnvelope, body);
  if (!parsed.success) return { ok: false, failure: { code: "BAD_ANSWER", message: "", fields: [] } };
  const details = v.safeParse(FieldErrors, parsed.output.error.details);
  const { code, message } = parsed.output.error;
  return { ok: false, failure: { code, message, fields: details.success ? details.output.fields : [] } };
}

/** The form's message for a failure: the page's own words for its code (German), else the server's message,
 * else the page's general one. */
export function shownMessage(failure: Failure, words: Record<string, string>, fallback: string): string {
  return words[failure.code] ?? (failure.message || fallback);
}

/** What to show under a refused field: the page's words for that field, else the server's message without
 * the validator's prefix. */
export function fieldMessage(field: string, message: string, words: Record<string, string>): string {
  return words[field] ?? message.replace(/^Value error, /, "");
}

/** The page's words per error code or field, from a form's `data-errors` or `data-field-errors` (a JSON
 * object of strings). */
export function parseWords(raw: string | undefined): Record<string, string> {
  try {
    const parsed = v.safeParse(v.record(v.string(), v.string()), JSON.parse(raw ?? "{}"));
    return parsed.success ? parsed.output : {};
  } catch {
    return {};
  }
}
