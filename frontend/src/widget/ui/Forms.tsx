// The forms inside the panel that a visitor may need at once: the offline message and the end-chat
// confirmation. The contact form is a chunk of its own, loaded on first use (ContactForm.tsx).
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ErrorBody } from "../../shared/wire";
import type { Strings } from "../strings";

/** A server error as a sentence for the visitor: per field where the server names one. */
export function explain(error: ErrorBody, t: Strings): string {
  if (error.code === "TRANSCRIPT_LIMIT") return t.transcriptLimit;
  if (error.code === "AGENTS_ONLINE") return t.agentsOnline;
  const fields = (error.details?.["fields"] as { field?: unknown }[] | undefined) ?? [];
  const named = fields.map((f) => (typeof f.field === "string" ? t.invalid[f.field] : undefined)).filter(Boolean);
  return named.length ? named.join(" ") : t.failed;
}

export function useBusy(): [boolean, string, (run: () => Promise<ErrorBody | null>, t: Strings) => Promise<boolean>] {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const run = async (action: () => Promise<ErrorBody | null>, t: Strings) => {
    setBusy(true);
    setError("");
    const failed = await action();
    setBusy(false);
    if (failed) setError(explain(failed, t));
    return failed === null;
  };
  return [busy, error, run];
}

interface OfflineProps {
  t: Strings;
  text: string;
  onSend: (name: string, email: string, message: string) => Promise<ErrorBody | null>;
}

export function OfflineForm({ t, text, onSend }: OfflineProps) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [message, setMessage] = useState("");
  const [busy, error, run] = useBusy();
  const submit = (e: Event) => {
    e.preventDefault();
    if (message.trim()) void run(() => onSend(name, email, message), t);
  };
  return (
    <form class="form" noValidate onSubmit={submit}>
      <p class="notice">{text}</p>
      <label>
        {t.offlineNameLabel}
        <input value={name} maxLength={80} autoComplete="name" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t.offlineEmailLabel}
        <input
          type="email"
          required
          value={email}
          maxLength={254}
          autoComplete="email"
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </label>
      <label>
        {t.messageLabel}
        <textarea
          rows={4}
          required
          value={message}
          maxLength={4000}
          onInput={(e) => setMessage(e.currentTarget.value)}
        />
      </label>
      <p>{t.offlineConsent}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <div class="row">
        <button class="btn" type="submit" disabled={busy || !message.trim()}>
          {t.sendMessage}
        </button>
      </div>
    </form>
  );
}

interface TranscriptProps {
  t: Strings;
  onSend: (email: string) => Promise<ErrorBody | null>;
}

/** "Send me this conversation": after the chat ended (docs/widget.md). */
export function TranscriptForm({ t, onSend }: TranscriptProps) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [busy, error, run] = useBusy();
  if (!open)
    return (
      <div class="row">
        <button type="button" class="btn quiet" onClick={() => setOpen(true)}>
          {t.transcript}
        </button>
      </div>
    );
  const submit = (e: Event) => {
    e.preventDefault();
    if (!email.trim()) return;
    void run(() => onSend(email), t).then((ok) => {
      if (ok) {
        setSent(true);
        setEmail("");
      }
    });
  };
  return (
    <form class="form" noValidate onSubmit={submit} aria-label={t.transcript}>
      <label>
        {t.transcriptEmail}
        <input
          type="email"
          required
          value={email}
          maxLength={254}
          autoComplete="email"
          onInput={(e) => {
            setEmail(e.currentTarget.value);
            setSent(false);
          }}
        />
      </label>
      <p>{t.transcriptConsent}</p>
      {error && <p class="error" role="alert">{error}</p>}
      {sent && <p class="ok" role="status">{t.transcriptSent}</p>}
      <div class="row">
        <button class="btn" type="submit" disabled={busy || !email.trim()}>
          {t.transcriptSend}
        </button>
      </div>
    </form>
  );
}

interface ConfirmProps {
  t: Strings;
  onConfirm: () => Promise<ErrorBody | null>;
  onCancel: () => void;
}

/** "End this chat?" as a modal alert dialog inside the panel; focus starts on the harmless choice. */
export function ConfirmEnd({ t, onConfirm, onCancel }: ConfirmProps) {
  const cancel = useRef<HTMLButtonElement>(null);
  const [busy, error, run] = useBusy();
  useLayoutEffect(() => cancel.current?.focus(), []);
  const trap = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      onCancel();
    } else if (e.key === "Tab") {
      const buttons = Array.from((e.currentTarget as HTMLElement).querySelectorAll("button"));
      const at = buttons.indexOf(e.target as HTMLButtonElement);
      const next = buttons[(at + (e.shiftKey ? -1 : 1) + buttons.length) % buttons.length];
      e.preventDefault();
      next?.focus();
    }
  };
  return (
    <div class="overlay">
      <div
        class="sheet"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="wsc-end-title"
        aria-describedby="wsc-end-text"
        onKeyDown={trap}
      >
        <h3 id="wsc-end-title">{t.endConfirmTitle}</h3>
        <p id="wsc-end-text">{t.endConfirmText}</p>
        {error && <p class="error" role="alert">{error}</p>}
        <div class="row">
          <button ref={cancel} class="btn quiet" type="button" onClick={onCancel}>
            {t.cancel}
          </button>
          <button class="btn danger" type="button" disabled={busy} onClick={() => void run(onConfirm, t)}>
            {t.endConfirm}
          </button>
        </div>
      </div>
    </div>
  );
}
