// Admin: widget branding with a live preview of the launcher and the panel, and a WCAG AA contrast warning.
import { useEffect, useState } from "preact/hooks";
import { LANGS, type Lang } from "../../shared/language";
import { contrast, fromWidget, patchBody, problems, TEXT_FIELDS, TEXT_LIMITS, type Branding as Model } from "../branding";
import { controller } from "../controller";
import { decimal } from "../format";
import { lang as consoleLang } from "../language";
import type { State } from "../state";
import { errorText, t } from "../strings";
import { TenantAnswer, WidgetConfig } from "../wire";
import { sameOriginPath } from "./Avatar";

function Preview({ b, lang }: { b: Model; lang: Lang }) {
  const texts = b.texts[lang];
  const logo = sameOriginPath(b.logo_url);
  const style = { background: b.primary_color, color: b.text_color };
  return (
    <div class={`preview-site pos-${b.position}`} aria-label={t.branding.preview} role="img" data-testid="branding-preview">
      <div class="preview-panel">
        <div class="preview-head" style={style}>
          {logo ? <img src={logo} alt="" class="preview-logo" /> : b.logo_url ? <span class="preview-logo-ph" title={b.logo_url}>▢</span> : null}
          <span class="preview-title">{texts.title}</span>
        </div>
        <div class="preview-body">
          <p class="preview-bubble">{texts.greeting}</p>
          <p class="preview-note">{texts.queued}</p>
          <p class="preview-note">{texts.offline}</p>
        </div>
      </div>
      <div class="preview-launcher" style={style}>
        <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" fill="currentColor">
          <path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" />
        </svg>
      </div>
    </div>
  );
}

export function Branding({ state }: { state: State }) {
  const [b, setB] = useState<Model | null>(null);
  const [lang, setLang] = useState<Lang>(consoleLang);
  const [feedback, setFeedback] = useState<{ text: string; kind: "info" | "error" } | null>(null);
  const slug = state.tenant?.slug ?? "";

  useEffect(() => {
    void (async () => {
      const [widget, tenant] = await Promise.all([
        controller.api.call("GET", `/api/widget/${encodeURIComponent(slug)}`, WidgetConfig),
        controller.api.call("GET", "/api/tenant", TenantAnswer),
      ]);
      setB(fromWidget(widget.ok ? widget.value : null, tenant.ok ? tenant.value.tenant.branding : null));
    })();
  }, [slug]);

  if (!b) return <section class="page" aria-busy="true" />;
  const set = (patch: Partial<Model>) => setB({ ...b, ...patch });
  const setText = (l: Lang, field: string, value: string) => setB({ ...b, texts: { ...b.texts, [l]: { ...b.texts[l], [field]: value } } });
  const issues = problems(b, state.tenant?.allowed_origins ?? []);
  const c = contrast(b);

  const save = async (e: Event) => {
    e.preventDefault();
    if (issues.length) return;
    const answer = await controller.api.call("PATCH", "/api/tenant", TenantAnswer, patchBody(b));
    if (answer.ok) {
      setB(fromWidget(null, answer.value.tenant.branding));
      setFeedback({ text: t.branding.saved, kind: "info" });
    }
    else {
      const unsupported = answer.error.code === "VALIDATION_FAILED" && JSON.stringify(answer.error.details ?? {}).includes("branding");
      setFeedback({ text: unsupported ? t.branding.unsupported : errorText(answer.error), kind: "error" });
    }
  };

  const problemFor = (field: string) => issues.find((p) => p.field === field)?.message;

  return (
    <section class="page branding" aria-labelledby="branding-title">
      <header class="page-head">
        <h1 id="branding-title">{t.branding.title}</h1>
      </header>
      <div class="branding-layout">
        <form class="card" onSubmit={save}>
          <div class="grid">
            <label>
              {t.branding.primary}
              <span class="color-field">
                <input type="color" value={b.primary_color} onInput={(e) => set({ primary_color: e.currentTarget.value })} aria-label={`${t.branding.primary} (${t.branding.picker})`} />
                <input name="primary_color" value={b.primary_color} maxLength={7} onInput={(e) => set({ primary_color: e.currentTarget.value })} aria-invalid={!!problemFor("primary_color")} />
              </span>
            </label>
            <label>
              {t.branding.text}
              <span class="color-field">
                <input type="color" value={b.text_color} onInput={(e) => set({ text_color: e.currentTarget.value })} aria-label={`${t.branding.text} (${t.branding.picker})`} />
                <input name="text_color" value={b.text_color} maxLength={7} onInput={(e) => set({ text_color: e.currentTarget.value })} aria-invalid={!!problemFor("text_color")} />
              </span>
            </label>
          </div>
          {c && (
            <p class={c.ok ? "ok" : "warning"} role="status" data-testid="contrast">
              {c.ok ? t.branding.contrastOk(decimal(c.ratio, 2)) : t.branding.contrastLow(decimal(c.ratio, 2))}
            </p>
          )}
          <div class="grid">
            <label>
              {t.branding.position}
              <select name="position" value={b.position} onChange={(e) => set({ position: e.currentTarget.value as Model["position"] })}>
                <option value="right">{t.branding.right}</option>
                <option value="left">{t.branding.left}</option>
              </select>
            </label>
            <label>
              {t.branding.language}
              <select name="language" value={b.language} onChange={(e) => set({ language: e.currentTarget.value as Model["language"] })}>
                <option value="auto">{t.branding.auto}</option>
                <option value="en">{t.languages.en}</option>
                <option value="de">{t.languages.de}</option>
              </select>
            </label>
            <label>
              {t.branding.logo}
              <input name="logo_url" type="url" maxLength={500} value={b.logo_url ?? ""} onInput={(e) => set({ logo_url: e.currentTarget.value || null })} aria-invalid={!!problemFor("logo_url")} />
            </label>
          </div>
          <fieldset>
            <legend>{t.branding.texts}</legend>
            <div class="lang-switch" role="group" aria-label={t.branding.language}>
              {LANGS.map((l) => (
                <button key={l} type="button" aria-pressed={lang === l} onClick={() => setLang(l)}>
                  {t.languages[l]}
                </button>
              ))}
            </div>
            {TEXT_FIELDS.map((f) => (
              <label key={`${lang}-${f}`}>
                {t.branding.fields[f]} ({lang})
                <textarea name={`texts.${lang}.${f}`} rows={f === "title" ? 1 : 2} maxLength={TEXT_LIMITS[f]} value={b.texts[lang][f]} onInput={(e) => setText(lang, f, e.currentTarget.value)} />
              </label>
            ))}
          </fieldset>
          {issues.length > 0 && (
            <ul class="error" role="alert">
              {issues.map((p) => (
                <li key={p.field}>
                  {p.field}: {p.message}
                </li>
              ))}
            </ul>
          )}
          {feedback && (
            <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
              {feedback.text}
            </p>
          )}
          <button type="submit" class="primary" disabled={issues.length > 0}>
            {t.branding.save}
          </button>
        </form>
        <div class="card">
          <h2>{t.branding.preview}</h2>
          <Preview b={b} lang={lang} />
        </div>
      </div>
    </section>
  );
}
