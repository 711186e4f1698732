// The widget's language: a `data-lang` on its <script>, else the tenant's setting, else the page's own
// `<html lang>`, else English. Chosen once when the widget mounts.
import { languageOf, type Lang } from "../shared/language";

/** `setting` is the tenant's `language` ("auto", "en", "de"); `override` the script's `data-lang`. */
export function chooseLanguage(setting: string, pageLang: string, override?: string | null): Lang {
  return languageOf(override) ?? languageOf(setting) ?? languageOf(pageLang) ?? "en";
}
