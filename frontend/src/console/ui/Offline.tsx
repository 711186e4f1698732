// Messages left in the widget while nobody was online (GET /api/offline, oldest first): answer one by e-mail
// (POST …/answer, through the outbox) and mark it done (POST …/done). The top bar's count follows
// offline.count; the list is read again whenever that count changes.
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { dateTime } from "../format";
import { errorText, t } from "../strings";
import { OfflineItemAnswer, OfflineList, type OfflineItem } from "../wire";

type Feedback = { text: string; kind: "info" | "error" } | null;

function Item({ item, onDone }: { item: OfflineItem; onDone: () => void }) {
  const [answer, setAnswer] = useState("");
  const [busy, setBusy] = useState(false);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const path = `/api/offline/${encodeURIComponent(item.id)}`;
  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const reply = await controller.api.call("POST", `${path}/answer`, OfflineItemAnswer, { text: answer });
    setBusy(false);
    if (!reply.ok) return setFeedback({ text: errorText(reply.error), kind: "error" });
    setAnswer("");
    setFeedback({ text: t.offline.sent, kind: "info" });
  };
  const done = async () => {
    const reply = await controller.api.call("POST", `${path}/done`, OfflineItemAnswer);
    if (!reply.ok) return setFeedback({ text: errorText(reply.error), kind: "error" });
    onDone();
  };
  const who = item.visitor.display_name ?? "";
  return (
    <li class="card offline-item" data-item={item.id} aria-label={who}>
      <p class="muted">
        {t.offline.from(who, item.email ?? "")} · {dateTime(item.created_at)}
      </p>
      <p class="text">{item.text}</p>
      <form onSubmit={send}>
        <label>
          {t.offline.answer}
          <textarea rows={3} maxLength={4000} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />
        </label>
        {feedback && (
          <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
            {feedback.text}
          </p>
        )}
        <div class="row">
          <button type="submit" class="primary" disabled={busy || !answer.trim()}>
            {t.offline.send}
          </button>
          <button type="button" onClick={() => void done()}>
            {t.offline.done}
          </button>
        </div>
      </form>
    </li>
  );
}

export function Offline({ open }: { open: number | null }) {
  const [items, setItems] = useState<OfflineItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState("");

  const load = async (after: string | null) => {
    const query = after ? `?after=${encodeURIComponent(after)}` : "";
    const reply = await controller.api.call("GET", `/api/offline${query}`, OfflineList);
    if (!reply.ok) return setError(errorText(reply.error));
    setItems((before) => (after && before ? [...before, ...reply.value.items] : reply.value.items));
    setNext(reply.value.next_after);
  };
  useEffect(() => void load(null), [open]);

  return (
    <section class="page" aria-labelledby="offline-title">
      <header class="page-head">
        <h1 id="offline-title">{t.offline.title}</h1>
      </header>
      <p class="hint">{t.offline.hint}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {items !== null && items.length === 0 && <p class="empty">{t.offline.empty}</p>}
      {items && items.length > 0 && (
        <ul class="offline-list">
          {items.map((item) => (
            <Item key={item.id} item={item} onDone={() => setItems(items.filter((i) => i.id !== item.id))} />
          ))}
        </ul>
      )}
      {next && (
        <button type="button" onClick={() => void load(next)}>
          {t.offline.more}
        </button>
      )}
    </section>
  );
}
