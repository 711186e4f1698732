// Admin: allowed origins and the tenant's chat settings (PATCH /api/tenant); retention; the contract.
import { useState } from "preact/hooks";
import { controller } from "../controller";
import { dateTime, parseOrigins } from "../format";
import type { State } from "../state";
import { errorText, t } from "../strings";
import type * as v from "valibot";
import { type Contract as ContractWire, TenantAnswer } from "../wire";
import { Retention } from "./Retention";

export function Settings({ state }: { state: State }) {
  const tenant = state.tenant;
  const [origins, setOrigins] = useState((tenant?.allowed_origins ?? []).join("\n"));
  const [autoAssign, setAutoAssign] = useState(tenant?.auto_assign ?? true);
  const [truncate, setTruncate] = useState(tenant?.ip_truncation ?? true);
  const [archiveOpen, setArchiveOpen] = useState(tenant?.archive_open_to_agents ?? false);
  const [timeout, setTimeoutMinutes] = useState(tenant?.visitor_timeout_minutes ?? 30);
  const [feedback, setFeedback] = useState<{ text: string; kind: "info" | "error" } | null>(null);

  const save = async (e: Event) => {
    e.preventDefault();
    const body = { allowed_origins: parseOrigins(origins), auto_assign: autoAssign, ip_truncation: truncate, visitor_timeout_minutes: timeout, archive_open_to_agents: archiveOpen };
    const answer = await controller.api.call("PATCH", "/api/tenant", TenantAnswer, body);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    const saved = answer.value.tenant;
    setOrigins(saved.allowed_origins.join("\n"));
    if (state.me) controller.dispatch({ type: "session", me: state.me, tenant: saved });
    setFeedback({ text: t.settings.saved, kind: "info" });
  };

  return (
    <section class="page" aria-labelledby="settings-title">
      <header class="page-head">
        <h1 id="settings-title">{t.settings.title}</h1>
      </header>
      <form class="card" onSubmit={save}>
        <label>
          {t.settings.origins}
          <textarea name="allowed_origins" rows={5} value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} spellcheck={false} />
        </label>
        <label class="check">
          <input type="checkbox" name="auto_assign" checked={autoAssign} onChange={(e) => setAutoAssign(e.currentTarget.checked)} /> {t.settings.autoAssign}
        </label>
        <label class="check">
          <input type="checkbox" name="ip_truncation" checked={truncate} onChange={(e) => setTruncate(e.currentTarget.checked)} /> {t.settings.ipTruncation}
        </label>
        <label class="check">
          <input type="checkbox" name="archive_open_to_agents" checked={archiveOpen} onChange={(e) => setArchiveOpen(e.currentTarget.checked)} /> {t.settings.archiveOpen}
        </label>
        <label>
          {t.settings.timeout}
          <input name="visitor_timeout_minutes" type="number" min={1} max={1440} value={timeout} onInput={(e) => setTimeoutMinutes(Number(e.currentTarget.value))} />
        </label>
        {feedback && (
          <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
            {feedback.text}
          </p>
        )}
        <button type="submit" class="primary">
          {t.settings.save}
        </button>
      </form>
      <Retention />
      {tenant?.contract && <Contract contract={tenant.contract} />}
    </section>
  );
}

function Contract({ contract }: { contract: v.InferOutput<typeof ContractWire> }) {
  const words = t.settings.contract;
  const rows: [string, string | null | undefined][] = [
    [words.demoEnds, contract.demo_ends_at],
    [words.contractEnds, contract.contract_ends_at],
    [words.exportUntil, contract.export_until],
    [words.chatDataDeleted, contract.chat_data_deleted_at],
    [words.masterDataDeleted, contract.master_data_deleted_at],
  ];
  return (
    <section class="card" aria-labelledby="contract-title" data-contract={contract.state}>
      <h2 id="contract-title">{words.title}</h2>
      <dl>
        <dt>{words.state}</dt>
        <dd>{words.states[contract.state] ?? contract.state}</dd>
        {rows
          .filter(([, value]) => value)
          .map(([label, value]) => (
            <>
              <dt>{label}</dt>
              <dd>{dateTime(value)}</dd>
            </>
          ))}
      </dl>
      {contract.legal_hold && <p role="note">{words.legalHold}</p>}
      <p class="hint">{words.hint}</p>
    </section>
  );
}
