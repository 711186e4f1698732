// Canned replies: "My replies" for everyone, and for admins also "Shared replies" (GET/POST
// /api/canned-replies, PUT/DELETE /api/canned-replies/<id>; docs/protocol.md §4 "Canned replies").
import { useEffect, useState } from "preact/hooks";
import { unknownPlaceholders } from "../canned";
import { controller } from "../controller";
import { forgetCannedReplies } from "../replies";
import { errorText, t } from "../strings";
import { CannedRepliesAnswer, CannedReplyAnswer, type CannedReply } from "../wire";

type Scope = CannedReply["scope"];
type Feedback = { text: string; kind: "info" | "error" } | null;
interface Draft {
  id: string | null;
  version: number;
  title: string;
  shortcut: string;
  de: string;
  en: string;
}

const EMPTY: Draft = { id: null, version: 0, title: "", shortcut: "", de: "", en: "" };

function draftOf(reply: CannedReply): Draft {
  return { id: reply.id, version: reply.version, title: reply.title, shortcut: reply.shortcut, de: reply.text.de ?? "", en: reply.text.en ?? "" };
}

function body(draft: Draft, scope: Scope): Record<string, unknown> {
  const text: Record<string, string> = {};
  if (draft.de.trim()) text["de"] = draft.de;
  if (draft.en.trim()) text["en"] = draft.en;
  const content = { title: draft.title, shortcut: draft.shortcut.trim(), text };
  return draft.id ? { ...content, version: draft.version } : { ...content, scope };
}

function Editor({ draft, scope, onDone }: { draft: Draft; scope: Scope; onDone: (reload: boolean, feedback: Feedback) => void }) {
  const [form, setForm] = useState(draft);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setForm({ ...form, ...patch });
  const unknown = unknownPlaceholders(`${form.de}\n${form.en}`);
  const save = async (e: Event) => {
    e.preventDefault();
    const path = form.id ? `/api/canned-replies/${encodeURIComponent(form.id)}` : "/api/canned-replies";
    const answer = await controller.api.call(form.id ? "PUT" : "POST", path, CannedReplyAnswer, body(form, scope));
    if (answer.ok) return onDone(true, { text: t.canned.saved, kind: "info" });
    if (answer.error.code === "VERSION_CONFLICT") return onDone(true, { text: errorText(answer.error), kind: "error" });
    setError(errorText(answer.error));
  };
  const prefix = `reply-${scope}`;
  return (
    <form class="card" onSubmit={save} aria-labelledby={`${prefix}-form-title`}>
      <h3 id={`${prefix}-form-title`}>{form.id ? t.canned.edit : t.canned.add}</h3>
      <label>
        {t.canned.titleLabel}
        <input name="title" required maxLength={80} value={form.title} onInput={(e) => set({ title: e.currentTarget.value })} />
      </label>
      <label>
        {t.canned.shortcutLabel}
        <input
          name="shortcut"
          required
          maxLength={32}
          pattern="[a-z0-9\-]+"
          spellcheck={false}
          value={form.shortcut}
          onInput={(e) => set({ shortcut: e.currentTarget.value.toLowerCase() })}
        />
      </label>
      <label>
        {t.canned.textDe}
        <textarea name="text.de" rows={3} maxLength={4000} value={form.de} onInput={(e) => set({ de: e.currentTarget.value })} />
      </label>
      <label>
        {t.canned.textEn}
        <textarea name="text.en" rows={3} maxLength={4000} value={form.en} onInput={(e) => set({ en: e.currentTarget.value })} />
      </label>
      <p class="hint">{t.canned.placeholders}</p>
      {unknown.length > 0 && (
        <p class="warning" role="status">
          {t.canned.unknown(unknown.map((name) => `{${name}}`).join(", "))}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary">
        {t.canned.save}
      </button>{" "}
      <button type="button" onClick={() => onDone(false, null)}>
        {t.canned.cancel}
      </button>
    </form>
  );
}

function ReplyList({ scope, replies, reload }: { scope: Scope; replies: CannedReply[]; reload: () => Promise<void> }) {
  const [editing, setEditing] = useState<Draft | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const done = async (changed: boolean, note: Feedback) => {
    setEditing(null);
    setFeedback(note);
    if (changed) {
      forgetCannedReplies();
      await reload();
    }
  };
  const remove = async (reply: CannedReply) => {
    if (!confirm(t.canned.removeConfirm(reply.title))) return;
    const answer = await controller.api.call("DELETE", `/api/canned-replies/${encodeURIComponent(reply.id)}`, null);
    await done(true, answer.ok ? { text: t.canned.removed, kind: "info" } : { text: errorText(answer.error), kind: "error" });
  };
  const id = `replies-${scope}`;
  return (
    <section class="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{scope === "shared" ? t.canned.shared : t.canned.mine}</h2>
      <p class="hint">{scope === "shared" ? t.canned.sharedHint : t.canned.mineHint}</p>
      {replies.length === 0 ? (
        <p class="muted">{t.canned.none}</p>
      ) : (
        <ul class="replies">
          {replies.map((reply) => (
            <li key={reply.id}>
              <span class="shortcut">/{reply.shortcut}</span> <strong>{reply.title}</strong>
              <span class="muted"> {reply.text.de ? "DE" : ""} {reply.text.en ? "EN" : ""}</span>{" "}
              <button type="button" class="link" onClick={() => setEditing(draftOf(reply))} aria-label={`${t.canned.edit}: ${reply.title}`}>
                {t.canned.edit}
              </button>{" "}
              <button type="button" class="link danger" onClick={() => void remove(reply)} aria-label={`${t.canned.remove}: ${reply.title}`}>
                {t.canned.remove}
              </button>
            </li>
          ))}
        </ul>
      )}
      {feedback && (
        <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
          {feedback.text}
        </p>
      )}
      {editing ? (
        <Editor key={editing.id ?? "new"} draft={editing} scope={scope} onDone={(c, f) => void done(c, f)} />
      ) : (
        <button type="button" class="primary" onClick={() => setEditing(EMPTY)}>
          {t.canned.add}
        </button>
      )}
    </section>
  );
}

export function Replies({ admin }: { admin: boolean }) {
  const [replies, setReplies] = useState<CannedReply[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = async () => {
    const answer = await controller.api.call("GET", "/api/canned-replies", CannedRepliesAnswer);
    if (!answer.ok) return setError(errorText(answer.error));
    setReplies(answer.value.replies);
  };
  useEffect(() => void reload(), []);
  if (!replies) return error ? <p class="error">{error}</p> : null;
  return (
    <div class="page replies-page">
      <h1 class="visually-hidden">{t.canned.title}</h1>
      <ReplyList scope="personal" replies={replies.filter((r) => r.scope === "personal")} reload={reload} />
      {admin && <ReplyList scope="shared" replies={replies.filter((r) => r.scope === "shared")} reload={reload} />}
    </div>
  );
}
