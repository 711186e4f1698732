// Admin: the tenant's own mail server (GET/PUT /api/mail/settings; the password is write-only), a test mail
// (POST /api/mail/test), and the failed mails with "try again" (GET /api/mail/outbox, POST …/retry).
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { dateTime } from "../format";
import { mailSettingsBody, toMailForm, type MailForm } from "../mail";
import { errorText, t } from "../strings";
import { MailAnswer, MailSettingsAnswer, OutboxAnswer, type Mail as MailRecord, type MailSettings } from "../wire";

type Feedback = { text: string; kind: "info" | "error" } | null;

function Note({ feedback }: { feedback: Feedback }) {
  if (!feedback) return null;
  return (
    <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
      {feedback.text}
    </p>
  );
}

function Server() {
  const [saved, setSaved] = useState<MailSettings | null>(null);
  const [form, setForm] = useState<MailForm | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);

  useEffect(() => {
    void (async () => {
      const answer = await controller.api.call("GET", "/api/mail/settings", MailSettingsAnswer);
      if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
      setSaved(answer.value.mail);
      setForm(toMailForm(answer.value.mail));
    })();
  }, []);

  if (!saved || !form) return <Note feedback={feedback} />;
  const set = (patch: Partial<MailForm>) => setForm({ ...form, ...patch });

  const save = async (e: Event) => {
    e.preventDefault();
    const answer = await controller.api.call("PUT", "/api/mail/settings", MailSettingsAnswer, mailSettingsBody(form));
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setSaved(answer.value.mail);
    setForm(toMailForm(answer.value.mail));
    setFeedback({ text: t.mail.saved, kind: "info" });
  };

  return (
    <form class="card" onSubmit={save} aria-labelledby="mail-server-title">
      <h2 id="mail-server-title">{t.mail.server}</h2>
      <p class="hint">{t.mail.hint}</p>
      <p class="hint">{saved.operator_server ? t.mail.operator : t.mail.noOperator}</p>
      <label>
        {t.mail.url}
        <input name="smtp_url" maxLength={500} value={form.url} spellcheck={false} onInput={(e) => set({ url: e.currentTarget.value })} />
      </label>
      <label>
        {t.mail.from}
        <input name="from_address" type="email" maxLength={254} value={form.from} spellcheck={false} onInput={(e) => set({ from: e.currentTarget.value })} />
      </label>
      <label>
        {t.mail.password}
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          maxLength={512}
          value={form.password}
          disabled={form.removePassword}
          placeholder={saved.password_set ? t.mail.passwordSet : t.mail.passwordUnset}
          onInput={(e) => set({ password: e.currentTarget.value })}
        />
      </label>
      {saved.password_set && (
        <label class="check">
          <input type="checkbox" name="password.remove" checked={form.removePassword} onChange={(e) => set({ removePassword: e.currentTarget.checked, password: "" })} />{" "}
          {t.mail.removePassword}
        </label>
      )}
      <Note feedback={feedback} />
      <button type="submit" class="primary">
        {t.mail.save}
      </button>
    </form>
  );
}

function TestMail() {
  const [to, setTo] = useState("");
  const [feedback, setFeedback] = useState<Feedback>(null);

  const send = async (e: Event) => {
    e.preventDefault();
    const answer = await controller.api.call("POST", "/api/mail/test", MailAnswer, { to: to.trim() });
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback({ text: t.mail.queued, kind: "info" });
  };

  return (
    <form class="card" onSubmit={send} aria-labelledby="mail-test-title">
      <h2 id="mail-test-title">{t.mail.test}</h2>
      <label>
        {t.mail.to}
        <input name="to" type="email" maxLength={254} value={to} spellcheck={false} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <Note feedback={feedback} />
      <button type="submit">{t.mail.send}</button>
    </form>
  );
}

function Failed() {
  const [mails, setMails] = useState<MailRecord[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);

  const load = async (before: string | null) => {
    const query = before ? `?status=failed&before=${encodeURIComponent(before)}` : "?status=failed";
    const answer = await controller.api.call("GET", `/api/mail/outbox${query}`, OutboxAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setMails((shown) => (before ? [...shown, ...answer.value.mails] : answer.value.mails));
    setNext(answer.value.next_before);
  };

  useEffect(() => void load(null), []);

  const retry = async (mail: MailRecord) => {
    const answer = await controller.api.call("POST", `/api/mail/outbox/${encodeURIComponent(mail.id)}/retry`, MailAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setMails((shown) => shown.filter((m) => m.id !== mail.id));
    setFeedback({ text: t.mail.retried, kind: "info" });
  };

  return (
    <section class="card" aria-labelledby="mail-failed-title">
      <h2 id="mail-failed-title">{t.mail.failed}</h2>
      <button type="button" onClick={() => void load(null)}>
        {t.mail.refresh}
      </button>
      <Note feedback={feedback} />
      {mails.length === 0 ? (
        <p class="empty">{t.mail.noneFailed}</p>
      ) : (
        <ul class="failed-mails">
          {mails.map((m) => (
            <li key={m.id} data-mail={m.id}>
              <div>
                <strong>{m.to}</strong> — {m.subject}
              </div>
              <div class="hint">
                {dateTime(m.created_at)} · {t.mail.attempts(m.attempts)}
              </div>
              {m.last_error && <div class="error">{m.last_error}</div>}
              <button type="button" onClick={() => void retry(m)} aria-label={`${t.mail.retry}: ${m.to}`}>
                {t.mail.retry}
              </button>
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" class="link" onClick={() => void load(next)}>
          {t.mail.more}
        </button>
      )}
    </section>
  );
}

export function Mail() {
  return (
    <section class="page" aria-labelledby="mail-title">
      <header class="page-head">
        <h1 id="mail-title">{t.mail.title}</h1>
      </header>
      <Server />
      <TestMail />
      <Failed />
    </section>
  );
}
