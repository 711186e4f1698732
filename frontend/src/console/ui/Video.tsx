// Admin: the tenant's call settings (GET/PATCH /api/tenant/video). Secrets are write-only; only changes are sent.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { errorText, t } from "../strings";
import { fieldErrors, toForm, videoPatch, type VideoForm } from "../video";
import { VideoAnswer, type VideoSettings } from "../wire";

type Feedback = { text: string; kind: "info" | "error" } | null;

/** A field error under its input, tied to it with aria-describedby (`video-<key>-error`). */
function FieldError({ name, errors }: { name: string; errors: Record<string, string> }) {
  const message = errors[name];
  if (!message) return null;
  return (
    <span class="error field-error" id={`video-${name}-error`} data-field={name}>
      {message}
    </span>
  );
}

export function Video() {
  const [saved, setSaved] = useState<VideoSettings | null>(null);
  const [form, setForm] = useState<VideoForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [feedback, setFeedback] = useState<Feedback>(null);

  useEffect(() => {
    void (async () => {
      const answer = await controller.api.call("GET", "/api/tenant/video", VideoAnswer);
      if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
      setSaved(answer.value.video);
      setForm(toForm(answer.value.video));
    })();
  }, []);

  if (!saved || !form) {
    return (
      <section class="page" aria-busy={!feedback}>
        {feedback && (
          <p class="error" role="alert">
            {feedback.text}
          </p>
        )}
      </section>
    );
  }

  const set = (patch: Partial<VideoForm>) => setForm({ ...form, ...patch });
  const invalid = (name: string) => (errors[name] ? { "aria-invalid": true, "aria-describedby": `video-${name}-error` } : {});

  const save = async (e: Event) => {
    e.preventDefault();
    const body = videoPatch(saved, form);
    if (!Object.keys(body).length) return setFeedback({ text: t.video.unchanged, kind: "info" });
    const answer = await controller.api.call("PATCH", "/api/tenant/video", VideoAnswer, body);
    if (!answer.ok) {
      setErrors(answer.error.code === "VALIDATION_FAILED" ? fieldErrors(answer.error.details) : {});
      return setFeedback({ text: errorText(answer.error), kind: "error" });
    }
    setSaved(answer.value.video);
    setForm(toForm(answer.value.video));
    setErrors({});
    setFeedback({ text: t.video.saved, kind: "info" });
  };

  const secretField = (
    label: string,
    removeLabel: string,
    name: string,
    value: string,
    isSet: boolean,
    removed: boolean,
    onValue: (v: string) => void,
    onRemove: (r: boolean) => void,
  ): ComponentChildren => (
    <>
      <label>
        {label}
        <input
          name={name}
          type="password"
          autoComplete="new-password"
          maxLength={512}
          value={value}
          disabled={removed}
          placeholder={isSet ? t.video.secretSet : t.video.secretUnset}
          onInput={(e) => onValue(e.currentTarget.value)}
          {...invalid(name)}
        />
        <FieldError name={name} errors={errors} />
      </label>
      {isSet && (
        <label class="check">
          <input type="checkbox" name={`${name}.remove`} checked={removed} onChange={(e) => onRemove(e.currentTarget.checked)} /> {removeLabel}
        </label>
      )}
    </>
  );

  return (
    <section class="page" aria-labelledby="video-title">
      <header class="page-head">
        <h1 id="video-title">{t.video.title}</h1>
      </header>
      <form class="card" onSubmit={save}>
        <p>
          {t.video.mode}: <strong data-testid="video-mode">{t.video.modes[saved.mode] ?? saved.mode}</strong>
        </p>
        <p class="hint">{t.video.hint}</p>
        <label>
          {t.video.stun}
          <textarea name="stun_urls" rows={3} value={form.stun} spellcheck={false} onInput={(e) => set({ stun: e.currentTarget.value })} {...invalid("stun_urls")} />
          <FieldError name="stun_urls" errors={errors} />
        </label>
        <label>
          {t.video.turn}
          <textarea name="turn_urls" rows={3} value={form.turn} spellcheck={false} onInput={(e) => set({ turn: e.currentTarget.value })} {...invalid("turn_urls")} />
          <FieldError name="turn_urls" errors={errors} />
        </label>
        {secretField(t.video.turnSecret, t.video.removeTurn, "turn_secret", form.turnSecret, saved.turn_secret_set, form.removeTurnSecret, (v) => set({ turnSecret: v }), (r) =>
          set({ removeTurnSecret: r, turnSecret: "" }),
        )}
        <label>
          {t.video.turnTtl}
          <input name="turn_ttl_seconds" type="number" min={60} max={86400} value={form.turnTtl} onInput={(e) => set({ turnTtl: Number(e.currentTarget.value) })} {...invalid("turn_ttl_seconds")} />
          <FieldError name="turn_ttl_seconds" errors={errors} />
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="allow_visitor_calls"
            checked={form.visitorCalls}
            onChange={(e) => set({ visitorCalls: e.currentTarget.checked, visitorScreen: e.currentTarget.checked && form.visitorScreen })}
          />{" "}
          {t.video.visitorCalls}
        </label>
        <label class="check">
          <input
            type="checkbox"
            name="allow_visitor_screen_share"
            checked={form.visitorCalls && form.visitorScreen}
            disabled={!form.visitorCalls}
            onChange={(e) => set({ visitorScreen: e.currentTarget.checked })}
          />{" "}
          {t.video.visitorScreen}
        </label>
        <label>
          {t.video.inviteTimeout}
          <input
            name="invite_timeout_seconds"
            type="number"
            min={10}
            max={600}
            value={form.inviteTimeout}
            onInput={(e) => set({ inviteTimeout: Number(e.currentTarget.value) })}
            {...invalid("invite_timeout_seconds")}
          />
          <FieldError name="invite_timeout_seconds" errors={errors} />
        </label>
        <fieldset>
          <legend>{t.video.jitsi}</legend>
          <label>
            {t.video.domain}
            <input name="jitsi.domain" maxLength={260} value={form.domain} spellcheck={false} onInput={(e) => set({ domain: e.currentTarget.value })} {...invalid("jitsi.domain")} />
            <FieldError name="jitsi.domain" errors={errors} />
          </label>
          <label>
            {t.video.appId}
            <input name="jitsi.app_id" value={form.appId} spellcheck={false} onInput={(e) => set({ appId: e.currentTarget.value })} {...invalid("jitsi.app_id")} />
            <FieldError name="jitsi.app_id" errors={errors} />
          </label>
          {secretField(t.video.jitsiSecret, t.video.removeJitsi, "jitsi.secret", form.jitsiSecret, saved.jitsi.secret_set, form.removeJitsiSecret, (v) => set({ jitsiSecret: v }), (r) =>
            set({ removeJitsiSecret: r, jitsiSecret: "" }),
          )}
          <label>
            {t.video.audience}
            <input name="jitsi.audience" value={form.audience} spellcheck={false} onInput={(e) => set({ audience: e.currentTarget.value })} {...invalid("jitsi.audience")} />
            <FieldError name="jitsi.audience" errors={errors} />
          </label>
          <label>
            {t.video.sub}
            <input name="jitsi.sub" value={form.sub} spellcheck={false} onInput={(e) => set({ sub: e.currentTarget.value })} {...invalid("jitsi.sub")} />
            <FieldError name="jitsi.sub" errors={errors} />
          </label>
          <label>
            {t.video.tokenTtl}
            <input
              name="jitsi.token_ttl_seconds"
              type="number"
              min={60}
              max={3600}
              value={form.tokenTtl}
              onInput={(e) => set({ tokenTtl: Number(e.currentTarget.value) })}
              {...invalid("jitsi.token_ttl_seconds")}
            />
            <FieldError name="jitsi.token_ttl_seconds" errors={errors} />
          </label>
        </fieldset>
        {feedback && (
          <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
            {feedback.text}
          </p>
        )}
        <button type="submit" class="primary">
          {t.video.save}
        </button>
      </form>
    </section>
  );
}
