// Times as the widget shows them, in the visitor's time zone and language.
import type { Lang } from "../shared/language";

/** "14:05"; nothing for a time that does not parse. */
export function formatTime(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const locale = lang === "de" ? "de-DE" : "en-GB";
  return new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" }).format(date);
}
