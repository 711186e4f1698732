// The console's language: the agent's own choice on this computer, else the browser's preferred languages,
// else English. It is chosen once when the page loads; switching stores the choice and loads the page again.

import { languageOf, type Lang } from "../shared/language";

export const LANGUAGE_KEY = "wschat.console.language";

/** The stored choice wins, then the first supported browser language, then English. */
export function chooseLanguage(stored: string | null, preferred: readonly string[]): Lang {
  if (stored === "de" || stored === "en") return stored;
  for (const tag of preferred) {
    const lang = languageOf(tag);
    if (lang) return lang;
  }
  return "en";
}

/** The locale for dates and numbers: the browser's own variant of `lang` (de-AT, en-US), else de-DE / en-GB. */
export function localeFor(lang: Lang, preferred: readonly string[]): string {
  for (const tag of preferred) {
    if (languageOf(tag) !== lang) continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical) return canonical;
    } catch {
      // not a valid BCP 47 tag: try the next one
    }
  }
  return lang === "de" ? "de-DE" : "en-GB";
}

function browserLanguages(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null; // no storage (private mode, tests): the browser's languages decide
  }
}

export const lang: Lang = chooseLanguage(storedLanguage(), browserLanguages());
export const locale: string = localeFor(lang, browserLanguages());

/** Remembers `next` on this computer and loads the page again in it. */
export function switchLanguage(next: Lang): void {
  try {
    localStorage.setItem(LANGUAGE_KEY, next);
  } catch {
    return; // without storage the choice would not survive the reload
  }
  location.reload();
}
