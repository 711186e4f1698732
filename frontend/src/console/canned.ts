// Canned replies in the composer (docs/console.md "Canned replies"): where a "/" query starts, which replies
// it finds (shortcut and title, accent- and case-insensitive; an agent's own reply hides a shared one of the
// same shortcut), the text in the visitor's language and its placeholders filled in. No UI here.
import type { Lang } from "../shared/language";
import type { CannedReply } from "./wire";

export const PLACEHOLDERS = ["visitor_name", "agent_name"] as const;
const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g;
/** What a reply says for a visitor who gave no name, per language: never a literal `{visitor_name}`. */
const NEUTRAL_VISITOR: Record<Lang, string> = { de: "Sie", en: "there" };

/** Lower case without accents: "Grüße" and "GRUSSE" become "grusse" and "grusse". */
export function fold(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").replace(/ß/g, "ss").toLowerCase();
}

export interface SlashQuery {
  /** Index of the "/" in the input. */
  start: number;
  /** What follows it up to the cursor. */
  query: string;
}

/** The "/" query the cursor is in: a "/" at the start of the input or after whitespace, no space since. */
export function slashQuery(text: string, cursor: number): SlashQuery | null {
  const before = text.slice(0, cursor);
  const match = /(^|\s)\/([^\s/]*)$/.exec(before);
  if (!match) return null;
  return { start: before.length - match[2]!.length - 1, query: match[2]! };
}

/** The replies the agent can use: their own, and each shared one whose shortcut they have not taken. */
export function usable(replies: readonly CannedReply[]): CannedReply[] {
  const own = new Set(replies.filter((r) => r.scope === "personal").map((r) => r.shortcut));
  return replies.filter((r) => r.scope === "personal" || !own.has(r.shortcut));
}

/** The usable replies that match `query`: shortcut prefix first, then shortcut or title containing it. */
export function filterReplies(replies: readonly CannedReply[], query: string, limit = 8): CannedReply[] {
  const q = fold(query.trim());
  const scored: { reply: CannedReply; rank: number }[] = [];
  for (const reply of usable(replies)) {
    const shortcut = fold(reply.shortcut);
    const title = fold(reply.title);
    const rank = shortcut.startsWith(q) ? 0 : shortcut.includes(q) ? 1 : title.includes(q) ? 2 : -1;
    if (rank >= 0) scored.push({ reply, rank });
  }
  scored.sort((a, b) => a.rank - b.rank || a.reply.shortcut.localeCompare(b.reply.shortcut));
  return scored.slice(0, limit).map((s) => s.reply);
}

/** The language a reply is taken in: the widget's, when the tenant fixed it to German or English (its
 * visitors then read that language), otherwise the console's. wsChat does not record a visitor's language. */
export function replyLanguage(widget: string | undefined | null, consoleLang: Lang): Lang {
  return widget === "de" || widget === "en" ? widget : consoleLang;
}

/** The reply's text in `lang`, or in the other language when it has none in this one. */
export function replyText(reply: CannedReply, lang: Lang): { text: string; lang: Lang } {
  const other: Lang = lang === "de" ? "en" : "de";
  const text = reply.text[lang];
  if (text) return { text, lang };
  return { text: reply.text[other] ?? "", lang: other };
}

export interface Names {
  /** The visitor's name or alias; null for an anonymous visitor. */
  visitor: string | null;
  agent: string;
}

/** `{visitor_name}` and `{agent_name}` filled in; any other `{word}` stays as typed. */
export function fillPlaceholders(text: string, names: Names, lang: Lang): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (name === "visitor_name") return names.visitor?.trim() || NEUTRAL_VISITOR[lang];
    if (name === "agent_name") return names.agent;
    return whole;
  });
}

/** `{words}` the console does not fill in: the management form flags them. */
export function unknownPlaceholders(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) found.add(m[1]!);
  return [...found].sort();
}

/** The input with the "/query" replaced by `insertion`, and where the cursor goes after it. */
export function insertReply(text: string, at: SlashQuery, cursor: number, insertion: string): { text: string; cursor: number } {
  const next = text.slice(0, at.start) + insertion + text.slice(cursor);
  return { text: next, cursor: at.start + insertion.length };
}

/** The filled-in text of `reply` for a chat. */
export function composeReply(reply: CannedReply, lang: Lang, names: Names): string {
  const chosen = replyText(reply, lang);
  return fillPlaceholders(chosen.text, names, chosen.lang);
}
