// Admin: CRM webhooks (docs/webhooks.md). The endpoints (GET/POST/PATCH/DELETE /api/webhooks…; a secret is
// shown once, after creating or rotating it) and the delivery log with "send again"
// (GET /api/webhooks/deliveries, POST …/resend).
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";
import { dateTime } from "../format";
import { errorText, named, t } from "../strings";
import {
  DeliveriesAnswer,
  DeliveryAnswer,
  emptyForm,
  endpointBody,
  EndpointAnswer,
  EndpointsAnswer,
  EVENTS,
  outcome,
  toggled,
  type Delivery,
  type Endpoint,
  type EndpointForm,
} from "../webhooks";

type Feedback = { text: string; kind: "info" | "error" } | null;

function Note({ feedback }: { feedback: Feedback }) {
  if (!feedback) return null;
  return (
    <p class={feedback.kind === "error" ? "error" : "ok"} role={feedback.kind === "error" ? "alert" : "status"}>
      {feedback.text}
    </p>
  );
}

function Secret({ secret }: { secret: string | null }) {
  if (!secret) return null;
  return (
    <div class="secret" role="status">
      <p>{t.webhooks.secret}</p>
      <code data-secret>{secret}</code>
      <p class="hint">{t.webhooks.secretHint}</p>
    </div>
  );
}

function NewEndpoint({ onCreated }: { onCreated: (endpoint: Endpoint, secret: string | null) => void }) {
  const [form, setForm] = useState<EndpointForm>(emptyForm());
  const [feedback, setFeedback] = useState<Feedback>(null);

  const create = async (e: Event) => {
    e.preventDefault();
    const answer = await controller.api.call("POST", "/api/webhooks", EndpointAnswer, endpointBody(form));
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback(null);
    setForm(emptyForm());
    onCreated(answer.value.endpoint, answer.value.secret ?? null);
  };

  return (
    <form class="card" onSubmit={create} aria-labelledby="webhook-new-title">
      <h2 id="webhook-new-title">{t.webhooks.add}</h2>
      <label>
        {t.webhooks.url}
        <input name="url" type="url" required maxLength={2000} value={form.url} spellcheck={false} onInput={(e) => setForm({ ...form, url: e.currentTarget.value })} />
      </label>
      <label>
        {t.webhooks.description}
        <input name="description" maxLength={200} value={form.description} onInput={(e) => setForm({ ...form, description: e.currentTarget.value })} />
      </label>
      <fieldset>
        <legend>{t.webhooks.events}</legend>
        {EVENTS.map((event) => (
          <label key={event} class="check">
            <input type="checkbox" name={`event.${event}`} checked={form.events.includes(event)} onChange={(e) => setForm(toggled(form, event, e.currentTarget.checked))} />{" "}
            {named(t.webhooks.eventNames, event) ?? event}
          </label>
        ))}
      </fieldset>
      <Note feedback={feedback} />
      <button type="submit" class="primary" disabled={form.events.length === 0}>
        {t.webhooks.create}
      </button>
    </form>
  );
}

function EndpointItem({ endpoint, onChanged, onRemoved }: { endpoint: Endpoint; onChanged: (e: Endpoint, secret: string | null) => void; onRemoved: (id: string) => void }) {
  const [feedback, setFeedback] = useState<Feedback>(null);
  const path = `/api/webhooks/${encodeURIComponent(endpoint.id)}`;

  const patch = async (body: Record<string, unknown>) => {
    const answer = await controller.api.call("PATCH", path, EndpointAnswer, body);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setFeedback(null);
    onChanged(answer.value.endpoint, answer.value.secret ?? null);
  };
  const remove = async () => {
    if (!window.confirm(t.webhooks.confirmRemove(endpoint.url))) return;
    const answer = await controller.api.call("DELETE", path, null);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    onRemoved(endpoint.id);
  };

  return (
    <li data-endpoint={endpoint.id}>
      <div>
        <strong class="url">{endpoint.url}</strong>
        {endpoint.description && <span class="hint"> — {endpoint.description}</span>}
      </div>
      <div class="hint">{endpoint.events.map((e) => named(t.webhooks.eventNames, e) ?? e).join(" · ")}</div>
      <label class="check">
        <input type="checkbox" name="enabled" checked={endpoint.enabled} onChange={(e) => void patch({ enabled: e.currentTarget.checked })} /> {t.webhooks.enabled}
      </label>
      <button type="button" onClick={() => void patch({ rotate_secret: true })} aria-label={`${t.webhooks.rotate}: ${endpoint.url}`}>
        {t.webhooks.rotate}
      </button>{" "}
      <button type="button" class="danger" onClick={() => void remove()} aria-label={`${t.webhooks.remove}: ${endpoint.url}`}>
        {t.webhooks.remove}
      </button>
      <Note feedback={feedback} />
    </li>
  );
}

function Deliveries({ endpoints, reload }: { endpoints: readonly Endpoint[]; reload: number }) {
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const urls = new Map(endpoints.map((e) => [e.id, e.url]));

  const load = async (before: string | null) => {
    const query = before ? `?before=${encodeURIComponent(before)}` : "";
    const answer = await controller.api.call("GET", `/api/webhooks/deliveries${query}`, DeliveriesAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setDeliveries((shown) => (before ? [...shown, ...answer.value.deliveries] : answer.value.deliveries));
    setNext(answer.value.next_before);
  };

  useEffect(() => void load(null), [reload]);

  const resend = async (delivery: Delivery) => {
    const answer = await controller.api.call("POST", `/api/webhooks/deliveries/${encodeURIComponent(delivery.id)}/resend`, DeliveryAnswer);
    if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
    setDeliveries((shown) => shown.map((d) => (d.id === delivery.id ? answer.value.delivery : d)));
    setFeedback({ text: t.webhooks.resent, kind: "info" });
  };

  return (
    <section class="card" aria-labelledby="webhook-deliveries-title">
      <h2 id="webhook-deliveries-title">{t.webhooks.deliveries}</h2>
      <button type="button" onClick={() => void load(null)}>
        {t.webhooks.refresh}
      </button>
      <Note feedback={feedback} />
      {deliveries.length === 0 ? (
        <p class="empty">{t.webhooks.noDeliveries}</p>
      ) : (
        <ul class="deliveries">
          {deliveries.map((d) => (
            <li key={d.id} data-delivery={d.id} data-status={d.status}>
              <div>
                <span class={`badge status-${d.status}`}>{named(t.webhooks.status, d.status) ?? d.status}</span>{" "}
                <strong>{named(t.webhooks.eventNames, d.event) ?? d.event}</strong> → {urls.get(d.endpoint_id) ?? d.endpoint_id}
              </div>
              <div class="hint">
                {dateTime(d.created_at)} · {t.webhooks.attempts(d.attempts)}
                {d.status === "pending" && d.next_attempt_at ? ` · ${t.webhooks.next(dateTime(d.next_attempt_at))}` : ""}
              </div>
              {outcome(d) && <div class={d.status === "delivered" ? "hint" : "error"}>{outcome(d)}</div>}
              {d.status !== "pending" && (
                <button type="button" onClick={() => void resend(d)} aria-label={`${t.webhooks.resend}: ${d.id}`}>
                  {t.webhooks.resend}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {next && (
        <button type="button" class="link" onClick={() => void load(next)}>
          {t.webhooks.more}
        </button>
      )}
    </section>
  );
}

export function Webhooks() {
  const [endpoints, setEndpoints] = useState<Endpoint[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    void (async () => {
      const answer = await controller.api.call("GET", "/api/webhooks", EndpointsAnswer);
      if (!answer.ok) return setFeedback({ text: errorText(answer.error), kind: "error" });
      setEndpoints(answer.value.endpoints);
    })();
  }, []);

  const changed = (endpoint: Endpoint, shown: string | null) => {
    setEndpoints((all) => (all.some((e) => e.id === endpoint.id) ? all.map((e) => (e.id === endpoint.id ? endpoint : e)) : [...all, endpoint]));
    if (shown) setSecret(shown);
  };
  const removed = (id: string) => {
    setEndpoints((all) => all.filter((e) => e.id !== id));
    setFeedback({ text: t.webhooks.removed, kind: "info" });
    setReload((n) => n + 1);
  };

  return (
    <section class="page" aria-labelledby="webhooks-title">
      <header class="page-head">
        <h1 id="webhooks-title">{t.webhooks.title}</h1>
      </header>
      <p class="hint">{t.webhooks.hint}</p>
      <section class="card" aria-labelledby="webhook-endpoints-title">
        <h2 id="webhook-endpoints-title">{t.webhooks.endpoints}</h2>
        <Secret secret={secret} />
        <Note feedback={feedback} />
        {endpoints.length === 0 ? (
          <p class="empty">{t.webhooks.none}</p>
        ) : (
          <ul class="endpoints">
            {endpoints.map((e) => (
              <EndpointItem key={e.id} endpoint={e} onChanged={changed} onRemoved={removed} />
            ))}
          </ul>
        )}
      </section>
      <NewEndpoint onCreated={changed} />
      <Deliveries endpoints={endpoints} reload={reload} />
    </section>
  );
}
