// Admin: the audit log (docs/privacy.md, "The audit log"): who looked at, exported, sent, changed or erased
// what, filtered by action (or a family of them), who, which record and dates; newest first, more by keyset
// paging; the same filter as a CSV download.
import { useEffect, useState } from "preact/hooks";
import { ACTIONS, auditCsvPath, auditPath, detailsText, EMPTY_AUDIT_FILTER, type AuditFilter } from "../audit";
import { controller } from "../controller";
import { dateTime } from "../format";
import { errorText, named, t, userName } from "../strings";
import { AuditAnswer, type AuditEntry } from "../wire";
import { DateRange, download, SearchForm } from "./Archive";

type Feedback = { text: string; kind: "info" | "error" } | null;

function Filters({ onSearch }: { onSearch: (f: AuditFilter) => void }) {
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const set = (patch: Partial<AuditFilter>) => setFilter({ ...filter, ...patch });
  const a = t.audit;
  return (
    <SearchForm onSearch={() => onSearch(filter)}>
      <label>
        {a.action}
        <select name="action" value={filter.action} onChange={(e) => set({ action: e.currentTarget.value })}>
          <option value="">{a.all}</option>
          {Object.entries(ACTIONS).map(([family, actions]) => (
            <optgroup key={family} label={named(a.families, family) ?? family}>
              <option value={`${family}.*`}>{a.family(named(a.families, family) ?? family)}</option>
              {actions.map((action) => (
                <option key={action} value={action}>
                  {named(a.actions, action) ?? action}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label>
        {a.actor}
        <input name="actor_id" maxLength={64} spellcheck={false} value={filter.actorId} onInput={(e) => set({ actorId: e.currentTarget.value })} />
      </label>
      <label>
        {a.target}
        <input name="target_id" maxLength={64} spellcheck={false} value={filter.targetId} onInput={(e) => set({ targetId: e.currentTarget.value })} />
      </label>
      <DateRange labels={a} from={filter.from} to={filter.to} set={set} />
      <button type="submit" class="primary">
        {a.search}
      </button>
    </SearchForm>
  );
}

/** Who acted: an admin or agent under their alias at the time (a user since deleted: a former agent), the
 * others by their kind alone. */
function actorText(actor: AuditEntry["actor"], who: string): string {
  if (actor.kind === "admin" || actor.kind === "agent") return `${userName(actor.name)} (${who})`;
  return actor.name ? `${actor.name} (${who})` : who;
}

function Row({ entry }: { entry: AuditEntry }) {
  const a = t.audit;
  const who = named(a.actors, entry.actor.kind) ?? entry.actor.kind;
  const target = entry.target;
  return (
    <tr data-action={entry.action}>
      <td>
        <time dateTime={entry.at}>{dateTime(entry.at)}</time>
      </td>
      <td title={entry.action}>{named(a.actions, entry.action) ?? entry.action}</td>
      <td>
        {actorText(entry.actor, who)} <code>{entry.actor.id}</code>
      </td>
      <td>
        {target ? (
          <>
            {named(a.targets, target.kind) ?? target.kind} <code>{target.id}</code>
          </>
        ) : (
          "—"
        )}
      </td>
      <td>{detailsText(entry.details)}</td>
    </tr>
  );
}

export function Audit() {
  const a = t.audit;
  const [filter, setFilter] = useState<AuditFilter>(EMPTY_AUDIT_FILTER);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);

  const load = async (f: AuditFilter, cursor: string | null) => {
    const answer = await controller.api.call("GET", auditPath(f, cursor), AuditAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback(null);
    setEntries((shown) => (cursor ? [...shown, ...answer.value.entries] : answer.value.entries));
    setNext(answer.value.next);
  };
  useEffect(() => {
    void load(EMPTY_AUDIT_FILTER, null);
  }, []);

  const downloadCsv = async () => {
    const failed = await download(auditCsvPath(filter), "wschat-audit.csv");
    setFeedback(failed ? { text: failed, kind: "error" } : { text: a.downloaded, kind: "info" });
  };

  return (
    <section class="page" aria-labelledby="audit-title">
      <header class="page-head">
        <h1 id="audit-title">{a.title}</h1>
        <button type="button" onClick={() => void downloadCsv()}>
          {a.csv}
        </button>
      </header>
      <p class="hint">{a.hint}</p>
      <Filters
        onSearch={(f) => {
          setFilter(f);
          void load(f, null);
        }}
      />
      {feedback && (
        <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
          {feedback.text}
        </p>
      )}
      {entries.length === 0 ? (
        <p class="hint">{a.none}</p>
      ) : (
        <table class="table audit-log" aria-labelledby="audit-title">
          <thead>
            <tr>
              <th scope="col">{a.when}</th>
              <th scope="col">{a.what}</th>
              <th scope="col">{a.who}</th>
              <th scope="col">{a.which}</th>
              <th scope="col">{a.details}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <Row key={entry.id} entry={entry} />
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" onClick={() => void load(filter, next)}>
          {a.more}
        </button>
      )}
    </section>
  );
}
