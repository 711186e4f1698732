// "Send transcript by e-mail" for the open conversation (POST /api/conversations/{id}/transcripts): to one
// address, with a note; the transcripts sent of it so far are listed under the form (who, to whom, when).
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import { controller } from "../controller";
import { copyText } from "../copies";
import { errorText, t } from "../strings";
import { Transcript, TranscriptAnswer } from "../wire";

const Sent = v.object({ transcripts: v.array(Transcript) });

export function TranscriptForm({ conversationId, onClose }: { conversationId: string; onClose: () => void }) {
  const [to, setTo] = useState("");
  const [note, setNote] = useState("");
  const [feedback, setFeedback] = useState<{ text: string; kind: "info" | "error" } | null>(null);
  const [sent, setSent] = useState<v.InferOutput<typeof Transcript>[]>([]);
  const path = `/api/conversations/${encodeURIComponent(conversationId)}/transcripts`;
  const load = async () => {
    const reply = await controller.api.call("GET", path, Sent);
    if (reply.ok) setSent(reply.value.transcripts);
  };
  useEffect(() => void load(), [conversationId]);

  const send = async (e: Event) => {
    e.preventDefault();
    const body = note.trim() ? { to: to.trim(), note } : { to: to.trim() };
    const reply = await controller.api.call("POST", path, TranscriptAnswer, body);
    if (!reply.ok) return setFeedback({ text: errorText(reply.error), kind: "error" });
    setTo("");
    setNote("");
    setFeedback({ text: t.transcript.sent, kind: "info" });
    void load();
  };
  return (
    <form class="card transcript-form" noValidate onSubmit={send} aria-label={t.transcript.title}>
      <h3>{t.transcript.title}</h3>
      <label>
        {t.transcript.to}
        <input type="email" name="to" maxLength={254} required value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <label>
        {t.transcript.note}
        <textarea name="note" rows={2} maxLength={1000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      {feedback && (
        <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
          {feedback.text}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={!to.trim()}>
          {t.transcript.send}
        </button>
        <button type="button" onClick={onClose}>
          {t.conversation.closeNo}
        </button>
      </div>
      {sent.length > 0 && (
        <ul class="muted transcripts-sent">
          {sent.map((s) => (
            <li key={s.id}>{copyText(s)}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
