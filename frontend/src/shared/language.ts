// The languages wsChat speaks, for both apps: every text exists in each of them (widget/strings*.ts,
// console/strings*.ts). How an app picks one differs (widget/language.ts, console/language.ts); this is what
// both share.

export type Lang = "en" | "de";

export const LANGS: readonly Lang[] = ["en", "de"];

/** The language a tag such as "de-AT", "DE_ch" or "en" names, if wsChat speaks it; else null. */
export function languageOf(tag: string | null | undefined): Lang | null {
  const base = (tag ?? "").trim().toLowerCase().split(/[-_]/)[0];
  return base === "de" || base === "en" ? base : null;
}
