// "Deutsch / English": the console's language, remembered on this computer; the page loads again in it.
import { lang, switchLanguage, type Lang } from "../language";
import { t } from "../strings";

const LANGS: readonly Lang[] = ["de", "en"];

export function LanguageSwitch() {
  return (
    <label class="language">
      <span class="visually-hidden">{t.language}</span>
      <select name="console-language" value={lang} onChange={(e) => switchLanguage(e.currentTarget.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l}>
            {t.languages[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
