// "Deutsch / English": the console's language, remembered on this computer; the page loads again in it.
import type { Lang } from "../../shared/language";
import { lang, switchLanguage } from "../language";
import { t } from "../strings";

// German first, as the menu reads "Deutsch / English".
const CHOICES: readonly Lang[] = ["de", "en"];

export function LanguageSwitch() {
  return (
    <label class="language">
      <span class="visually-hidden">{t.language}</span>
      <select name="console-language" value={lang} onChange={(e) => switchLanguage(e.currentTarget.value as Lang)}>
        {CHOICES.map((l) => (
          <option key={l} value={l} lang={l}>
            {t.languages[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
