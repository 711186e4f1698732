// The archive: past chats with filters and full-text search (hits marked, rendered as text), a "more" button
// (keyset paging), one chat opened whole, and for admins the exports and their log (docs/archive.md).
import { copyText } from "../copies";
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { archivePath, duration, EMPTY_FILTER, exportPath, type ArchiveFilter } from "../archive";
import { controller } from "../controller";
import { dateTime } from "../format";
import type { State } from "../state";
import { errorText, messageText, senderText, t, userName } from "../strings";
import { TranscriptForm } from "./TranscriptForm";
import { ArchiveAnswer, ArchiveDetail, ExportsAnswer, type AgentState, type ArchiveEntry, type ExportRecord } from "../wire";

type Feedback = { text: string; kind: "info" | "error" } | null;

function Snippet({ parts }: { parts: ArchiveEntry["snippet"] }) {
  if (!parts) return null;
  return (
    <p class="snippet">
      {parts.map((part, n) => (part.hit ? <mark key={n}>{part.text}</mark> : <span key={n}>{part.text}</span>))}
    </p>
  );
}

/** A filter form of the console's lists (archive, audit log): a card the search role names, sent without a
 * page load. */
export function SearchForm({ onSearch, children }: { onSearch: () => void; children: ComponentChildren }) {
  return (
    <form
      class="card archive-filters"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch();
      }}
    >
      {children}
    </form>
  );
}

/** A filter's "from" and "to" days. */
export function DateRange(props: { labels: { from: string; to: string }; from: string; to: string; set: (patch: { from?: string; to?: string }) => void }) {
  return (
    <>
      <label>
        {props.labels.from}
        <input name="from" type="date" value={props.from} onInput={(e) => props.set({ from: e.currentTarget.value })} />
      </label>
      <label>
        {props.labels.to}
        <input name="to" type="date" value={props.to} onInput={(e) => props.set({ to: e.currentTarget.value })} />
      </label>
    </>
  );
}

function Filters({ onSearch, agents }: { onSearch: (f: ArchiveFilter) => void; agents: readonly AgentState[] }) {
  const [filter, setFilter] = useState<ArchiveFilter>(EMPTY_FILTER);
  const set = (patch: Partial<ArchiveFilter>) => setFilter({ ...filter, ...patch });
  const a = t.archive;
  return (
    <SearchForm onSearch={() => onSearch(filter)}>
      <label>
        {a.search}
        <input name="q" type="search" maxLength={200} value={filter.q} onInput={(e) => set({ q: e.currentTarget.value })} />
      </label>
      <DateRange labels={a} from={filter.from} to={filter.to} set={set} />
      <label>
        {a.outcome}
        <select name="outcome" value={filter.outcome} onChange={(e) => set({ outcome: e.currentTarget.value as ArchiveFilter["outcome"] })}>
          <option value="">{a.any}</option>
          <option value="answered">{a.outcomes.answered}</option>
          <option value="missed">{a.outcomes.missed}</option>
          <option value="offline">{a.outcomes.offline}</option>
        </select>
      </label>
      {agents.length > 0 && (
        <label>
          {a.agent}
          <select name="agent_id" value={filter.agentId} onChange={(e) => set({ agentId: e.currentTarget.value })}>
            <option value="">{a.any}</option>
            {agents.map((agent) => (
              <option key={agent.agent_id} value={agent.agent_id}>
                {agent.display_name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {a.visitor}
        <input name="visitor" maxLength={200} value={filter.visitor} onInput={(e) => set({ visitor: e.currentTarget.value })} />
      </label>
      <label>
        {a.country}
        <input name="country" maxLength={2} size={3} value={filter.country} onInput={(e) => set({ country: e.currentTarget.value })} />
      </label>
      <button type="submit" class="primary">
        {a.searchButton}
      </button>
    </SearchForm>
  );
}

function Detail({ id, onClose }: { id: string; onClose: () => void }) {
  const [detail, setDetail] = useState<ArchiveDetail | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [forwarding, setForwarding] = useState(false);
  const a = t.archive;
  useEffect(() => {
    void (async () => {
      const answer = await controller.api.call("GET", `/api/archive/${encodeURIComponent(id)}`, ArchiveDetail);
      if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
      setDetail(answer.value);
    })();
  }, [id]);
  if (!detail) return feedback ? <p class="error" role="alert">{feedback.text}</p> : null;
  const c = detail.conversation;
  const v = detail.visitor;
  return (
    <section class="card archive-detail" aria-labelledby="archive-detail-title">
      <h2 id="archive-detail-title">
        {a.chatOf(dateTime(c.closed_at ?? c.created_at))} · {a.outcomes[c.outcome as "answered"] ?? c.outcome}
      </h2>
      <button type="button" onClick={onClose}>
        {a.back}
      </button>
      {/* Forwarded with a note; the transcripts sent of it so far are listed under the form. */}
      <button type="button" aria-expanded={forwarding} onClick={() => setForwarding(!forwarding)}>
        {t.conversation.transcript}
      </button>
      {forwarding && <TranscriptForm conversationId={c.id} onClose={() => setForwarding(false)} />}
      <p>{a.agents}: {c.agents.map((agent) => userName(agent.display_name)).join(", ") || "—"}</p>
      {v && (
        <dl class="facts">
          <dt>{t.visitor.name}</dt>
          <dd>{v.alias ?? v.name ?? v.contact.name ?? "—"}</dd>
          <dt>{t.visitor.email}</dt>
          <dd>{v.contact.email ?? "—"}</dd>
          <dt>{t.visitor.phone}</dt>
          <dd>{v.contact.phone ?? "—"}</dd>
          <dt>{t.visitor.country}</dt>
          <dd>{v.country ?? "—"}</dd>
          <dt>{t.visitor.ip}</dt>
          <dd>{v.ip ?? "—"}</dd>
        </dl>
      )}
      <h3>{a.transcript}</h3>
      <ol class="transcript">
        {detail.messages.map((m) => (
          <li key={m.id} class={`msg ${m.sender.kind}${m.visibility === "agents" ? " agents-only" : ""}`}>
            <span class="who">{senderText(m.sender)}</span> <time>{dateTime(m.created_at)}</time>
            {m.visibility === "agents" && <span class="badge"> {a.agentsOnly}</span>}
            <p class="text">{messageText(m)}</p>
          </li>
        ))}
      </ol>
      <h3>{t.visitor.trail}</h3>
      <ul>
        {detail.pages.map((p, n) => (
          <li key={n}>
            {p.title ?? p.url} ({duration(p.seconds)})
          </li>
        ))}
      </ul>
      <h3>{a.calls}</h3>
      {detail.calls.length === 0 ? (
        <p class="hint">{a.noCalls}</p>
      ) : (
        <ul>
          {detail.calls.map((call) => (
            <li key={call.id}>
              {call.kind} · {dateTime(call.started_at)} · {duration(call.duration)} · {call.started_by}
            </li>
          ))}
        </ul>
      )}
      <h3>{a.copies}</h3>
      {detail.copies.length === 0 ? (
        <p class="hint">{a.noCopies}</p>
      ) : (
        <ul class="copies">
          {detail.copies.map((copy) => (
            <li key={copy.id}>{copyText(copy)}</li>
          ))}
        </ul>
      )}
      <h3>{a.history}</h3>
      <ul>
        {detail.history.map((h, n) => (
          <li key={n}>
            {dateTime(h.at)} · {h.kind}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Fetches `path` with the console's token and saves it as `name`; the error as a sentence, or null. */
export async function download(path: string, name: string): Promise<string | null> {
  const headers: Record<string, string> = {};
  if (controller.api.token) headers["Authorization"] = `Bearer ${controller.api.token}`;
  const response = await fetch(path, { headers, cache: "no-store" });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => null);
    const error = body && typeof body === "object" ? (body as { error?: { code: string; message?: string } }).error : undefined;
    return errorText(error ?? { code: "INTERNAL" });
  }
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return null;
}

function ExportLog({ version }: { version: number }) {
  const [records, setRecords] = useState<ExportRecord[]>([]);
  useEffect(() => {
    void (async () => {
      const answer = await controller.api.call("GET", "/api/archive/exports", ExportsAnswer);
      if (answer.ok) setRecords(answer.value.exports);
    })();
  }, [version]);
  const a = t.archive;
  return (
    <section class="card" aria-labelledby="export-log-title">
      <h2 id="export-log-title">{a.exportLog}</h2>
      {records.length === 0 ? (
        <p class="hint">{a.noExports}</p>
      ) : (
        <ul class="export-log">
          {records.map((r) => (
            <li key={r.id}>
              {dateTime(r.at)} · {userName(r.user_name)} · {r.format.toUpperCase()} · {a.rows(r.rows)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Archive({ state }: { state: State }) {
  const admin = state.me?.role === "admin";
  const [filter, setFilter] = useState<ArchiveFilter>(EMPTY_FILTER);
  const [entries, setEntries] = useState<ArchiveEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [exports, setExports] = useState(0);
  const a = t.archive;

  const load = async (f: ArchiveFilter, cursor: string | null) => {
    const answer = await controller.api.call("GET", archivePath(f, cursor), ArchiveAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback(null);
    setEntries(cursor ? [...entries, ...answer.value.conversations] : answer.value.conversations);
    setNext(answer.value.next);
  };
  useEffect(() => {
    void load(EMPTY_FILTER, null);
  }, []);

  const exportAs = async (format: "csv" | "jsonl") => {
    const failed = await download(exportPath(filter, format), `wschat-archive.${format}`);
    setFeedback(failed ? { text: failed, kind: "error" } : { text: a.exported, kind: "info" });
    setExports(exports + 1);
  };

  return (
    <section class="page" aria-labelledby="archive-title">
      <header class="page-head">
        <h1 id="archive-title">{a.title}</h1>
      </header>
      <Filters
        agents={admin || state.tenant?.archive_open_to_agents ? Object.values(state.agents) : []}
        onSearch={(f) => {
          setFilter(f);
          setOpen(null);
          void load(f, null);
        }}
      />
      {feedback && (
        <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
          {feedback.text}
        </p>
      )}
      {admin && (
        <div class="archive-export">
          <button type="button" onClick={() => void exportAs("csv")}>
            {a.exportCsv}
          </button>
          <button type="button" onClick={() => void exportAs("jsonl")}>
            {a.exportJsonl}
          </button>
        </div>
      )}
      {open ? (
        <Detail id={open} onClose={() => setOpen(null)} />
      ) : (
        <>
          {entries.length === 0 ? (
            <p class="hint">{a.none}</p>
          ) : (
            <ul class="archive-list" aria-label={a.results}>
              {entries.map((entry) => (
                <li key={entry.id}>
                  <button type="button" class="link archive-open" onClick={() => setOpen(entry.id)}>
                    {dateTime(entry.closed_at ?? entry.created_at)} · {entry.visitor.name ?? a.anonymous}
                    {entry.visitor.email ? ` · ${entry.visitor.email}` : ""} · {a.outcomes[entry.outcome]} · {a.messages(entry.message_count)}
                  </button>
                  <Snippet parts={entry.snippet} />
                </li>
              ))}
            </ul>
          )}
          {next && (
            <button type="button" onClick={() => void load(filter, next)}>
              {a.more}
            </button>
          )}
        </>
      )}
      {admin && <ExportLog version={exports} />}
    </section>
  );
}
