// Admin: data-subject requests (docs/privacy.md, "Data-subject requests"): find a person by e-mail, phone,
// name, visitor or chat id; export everything about them (a ZIP file), restrict or lift, erase (deleted or
// anonymised, after a confirmation); a request received by letter or phone (an objection among them) logged
// for a person; the log of requests with their deadlines, open ones marked done.
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { dateTime } from "../format";
import { errorText, t, userName } from "../strings";
import {
  ErasedAnswer,
  SubjectAnswer,
  SubjectRequestAnswer,
  SubjectRequestsAnswer,
  SubjectsAnswer,
  type Subject,
  type SubjectRequest,
} from "../wire";
import { download } from "./Archive";

type Feedback = { text: string; kind: "info" | "error" } | null;
type Field = "email" | "phone" | "name" | "visitor_id" | "conversation_id";
const FIELDS: readonly Field[] = ["email", "phone", "name", "visitor_id", "conversation_id"];

/** A form's last lines: what went wrong, Cancel, and the button that does it. */
function FormEnd(props: { error: string; onCancel: () => void; submit: string; kind?: "primary" | "danger"; busy?: boolean }) {
  return (
    <>
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      <button type="button" onClick={props.onCancel}>
        {t.subjects.cancel}
      </button>{" "}
      <button type="submit" class={props.kind ?? "primary"} disabled={props.busy}>
        {props.submit}
      </button>
    </>
  );
}

function Note({ feedback }: { feedback: Feedback }) {
  if (!feedback) return null;
  return (
    <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
      {feedback.text}
    </p>
  );
}

function EraseDialog({ subject, onDone, onCancel }: { subject: Subject; onDone: (text: string) => void; onCancel: () => void }) {
  const s = t.subjects;
  const [mode, setMode] = useState<"delete" | "anonymise">("delete");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const erase = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const answer = await controller.api.call("POST", `/api/subjects/${subject.id}/erase`, ErasedAnswer, { mode });
    setBusy(false);
    if (!answer.ok) return setError(errorText(answer.error));
    onDone(s.erased(Object.values(answer.value.erased.counts).reduce((a, b) => a + b, 0)));
  };
  return (
    <form class="card" role="alertdialog" aria-labelledby="erase-title" onSubmit={erase}>
      <h2 id="erase-title">{s.eraseTitle(subject.display_name)}</h2>
      <p class="hint">{s.eraseText}</p>
      {(["delete", "anonymise"] as const).map((m) => (
        <label class="check" key={m}>
          <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} />{" "}
          {m === "delete" ? s.modeDelete : s.modeAnonymise}
        </label>
      ))}
      <FormEnd error={error} onCancel={onCancel} submit={s.eraseConfirm} kind="danger" busy={busy} />
    </form>
  );
}

function Rectify({ subject, onDone, onCancel }: { subject: Subject; onDone: (changed: Subject) => void; onCancel: () => void }) {
  const s = t.subjects;
  const [form, setForm] = useState({
    name: subject.name ?? "",
    alias: subject.alias ?? "",
    contactName: subject.contact.name ?? "",
    email: subject.contact.email ?? "",
    phone: subject.contact.phone ?? "",
  });
  const [error, setError] = useState("");
  const set = (patch: Partial<typeof form>) => setForm({ ...form, ...patch });
  const orNull = (value: string) => value.trim() || null;
  const save = async (e: Event) => {
    e.preventDefault();
    const contact = { name: orNull(form.contactName), email: orNull(form.email), phone: orNull(form.phone) };
    const body = { name: orNull(form.name), alias: orNull(form.alias), contact };
    const answer = await controller.api.call("PATCH", `/api/subjects/${subject.id}`, SubjectAnswer, body);
    if (!answer.ok) return setError(errorText(answer.error));
    onDone(answer.value.subject);
  };
  const field = (key: keyof typeof form, label: string, type = "text") => (
    <label>
      {label}
      <input type={type} value={form[key]} maxLength={254} onInput={(e) => set({ [key]: e.currentTarget.value })} />
    </label>
  );
  return (
    <form class="card" aria-labelledby="rectify-title" onSubmit={(e) => void save(e)}>
      <h2 id="rectify-title">{s.rectifyTitle(subject.display_name)}</h2>
      {field("name", s.name)}
      {field("alias", s.alias)}
      {field("contactName", s.contactName)}
      {field("email", s.fields.email, "email")}
      {field("phone", s.fields.phone, "tel")}
      <FormEnd error={error} onCancel={onCancel} submit={s.rectifySave} />
    </form>
  );
}

const KINDS = ["access", "rectification", "erasure", "restriction", "objection"] as const;

/** A request received another way (a letter, a call, an objection): logged open with its deadline, one
 * month (Art. 12 (3)), until it is marked done below. */
function LogRequest({ subject, onDone, onCancel }: { subject: Subject; onDone: () => void; onCancel: () => void }) {
  const s = t.subjects;
  const [kind, setKind] = useState<string>("objection");
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const save = async (e: Event) => {
    e.preventDefault();
    const body = { visitor_id: subject.id, kind, ...(note.trim() ? { note: note.trim() } : {}) };
    const answer = await controller.api.call("POST", "/api/subjects/requests", SubjectRequestAnswer, body);
    if (!answer.ok) return setError(errorText(answer.error));
    onDone();
  };
  return (
    <form class="card" aria-labelledby="log-request-title" onSubmit={(e) => void save(e)}>
      <h2 id="log-request-title">{s.logTitle(subject.display_name)}</h2>
      <label>
        {s.kind}
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {s.kinds[k]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {s.note}
        <textarea name="note" maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <FormEnd error={error} onCancel={onCancel} submit={s.logSave} />
    </form>
  );
}

/** `onChanged` gets the person as they are now, or null once they are erased. */
function Person({ subject, onChanged }: { subject: Subject; onChanged: (text: string, now: Subject | null) => void }) {
  const s = t.subjects;
  const [erasing, setErasing] = useState(false);
  const [editing, setEditing] = useState(false);
  const [logging, setLogging] = useState(false);
  const [error, setError] = useState("");
  const restrict = async () => {
    const body = { restricted: !subject.restricted };
    const answer = await controller.api.call("PUT", `/api/subjects/${subject.id}/restriction`, SubjectAnswer, body);
    if (!answer.ok) return setError(errorText(answer.error));
    onChanged(answer.value.subject.restricted ? s.restricted : s.lifted, answer.value.subject);
  };
  const exportAll = async () => {
    const failed = await download(`/api/subjects/${subject.id}/export?format=zip`, `wschat-data-${subject.id}.zip`);
    if (failed) setError(failed);
    else onChanged(s.exported, subject);
  };
  const contact = [subject.contact.email, subject.contact.phone, subject.country].filter(Boolean).join(" · ");
  return (
    <li class="subject">
      <p>
        <strong>{subject.display_name}</strong> {subject.restricted && <span class="badge">{s.restrictedBadge}</span>}
        <br />
        <span class="hint">
          {contact} {contact && "·"} {dateTime(subject.last_seen)} · <code>{subject.id}</code>
        </span>
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="button" onClick={() => void exportAll()}>
        {s.export}
      </button>{" "}
      <button type="button" onClick={() => setEditing(true)}>
        {s.rectify}
      </button>{" "}
      <button type="button" onClick={() => void restrict()}>
        {subject.restricted ? s.lift : s.restrict}
      </button>{" "}
      <button type="button" onClick={() => setLogging(true)}>
        {s.logRequest}
      </button>{" "}
      <button type="button" class="danger" onClick={() => setErasing(true)}>
        {s.erase}
      </button>
      {logging && (
        <LogRequest
          subject={subject}
          onCancel={() => setLogging(false)}
          onDone={() => {
            setLogging(false);
            onChanged(s.logged, subject);
          }}
        />
      )}
      {editing && (
        <Rectify
          subject={subject}
          onCancel={() => setEditing(false)}
          onDone={(changed) => {
            setEditing(false);
            onChanged(s.rectified, changed);
          }}
        />
      )}
      {erasing && (
        <EraseDialog
          subject={subject}
          onCancel={() => setErasing(false)}
          onDone={(text) => {
            setErasing(false);
            onChanged(text, null);
          }}
        />
      )}
    </li>
  );
}

function RequestLog({ version }: { version: number }) {
  const s = t.subjects;
  const [requests, setRequests] = useState<SubjectRequest[]>([]);
  const [error, setError] = useState("");
  const load = async () => {
    const answer = await controller.api.call("GET", "/api/subjects/requests?limit=100", SubjectRequestsAnswer);
    if (answer.ok) setRequests(answer.value.requests);
    else setError(errorText(answer.error));
  };
  useEffect(() => void load(), [version]);
  const finish = async (id: string) => {
    const answer = await controller.api.call("POST", `/api/subjects/requests/${id}/done`, SubjectRequestAnswer);
    if (answer.ok) void load();
    else setError(errorText(answer.error));
  };
  return (
    <section class="card" aria-labelledby="requests-title">
      <h2 id="requests-title">{s.log}</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {requests.length === 0 ? (
        <p class="hint">{s.noRequests}</p>
      ) : (
        <ul class="requests">
          {requests.map((r) => (
            <li key={r.id}>
              {s.kinds[r.kind] ?? r.kind} · {dateTime(r.received_at)} · {userName(r.by.display_name)} · <code>{r.visitor_id}</code> ·{" "}
              {r.state === "open" ? s.open : s.done}
              {r.state === "open" && ` · ${s.due(dateTime(r.due_at))}`}
              {r.overdue && <strong> · {s.overdue}</strong>}
              {typeof r.detail.note === "string" && <span class="hint"> · {r.detail.note}</span>}
              {r.state === "open" && (
                <>
                  {" "}
                  <button type="button" onClick={() => void finish(r.id)}>
                    {s.markDone}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Subjects() {
  const s = t.subjects;
  const [field, setField] = useState<Field>("email");
  const [value, setValue] = useState("");
  const [found, setFound] = useState<Subject[] | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [version, setVersion] = useState(0);

  const find = async (e?: Event) => {
    e?.preventDefault();
    if (!value.trim()) return;
    const query = new URLSearchParams({ [field]: value.trim() });
    const answer = await controller.api.call("GET", `/api/subjects?${query.toString()}`, SubjectsAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFound(answer.value.subjects);
  };

  return (
    <section class="page" aria-labelledby="subjects-title">
      <header class="page-head">
        <h1 id="subjects-title">{s.title}</h1>
      </header>
      <p class="hint">{s.hint}</p>
      <form class="card" role="search" onSubmit={(e) => void find(e)}>
        <label>
          {s.by}
          <select value={field} onChange={(e) => setField(e.currentTarget.value as Field)}>
            {FIELDS.map((f) => (
              <option key={f} value={f}>
                {s.fields[f]}
              </option>
            ))}
          </select>
        </label>
        <label>
          {s.value}
          <input value={value} maxLength={200} spellcheck={false} onInput={(e) => setValue(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          {s.find}
        </button>
      </form>
      <Note feedback={feedback} />
      {found !== null &&
        (found.length === 0 ? (
          <p class="hint">{s.none}</p>
        ) : (
          <ul class="subjects">
            {found.map((subject) => (
              <Person
                key={subject.id}
                subject={subject}
                onChanged={(text, now) => {
                  setFeedback({ text, kind: "info" });
                  setVersion(version + 1);
                  setFound(now ? found.map((other) => (other.id === now.id ? now : other)) : found.filter((other) => other.id !== subject.id));
                }}
              />
            ))}
          </ul>
        ))}
      <RequestLog version={version} />
    </section>
  );
}
