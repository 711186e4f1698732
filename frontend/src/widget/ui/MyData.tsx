// "Your data": the visitor downloads everything the chat stores about them, or deletes it for good, after a
// confirmation (docs/widget.md, docs/privacy.md). A chunk of its own, loaded when the visitor first opens it.
// Both requests carry the widget's visitor token (docs/protocol.md §4, "/api/widget/{tenant}/my-data").
import { useEffect, useRef, useState } from "preact/hooks";
import type { WidgetController } from "../controller";
import type { Strings } from "../strings";

interface MyDataProps {
  t: Strings;
  controller: WidgetController;
  onBack: () => void;
  /** Everything was deleted and the widget forgot the visitor. */
  onDeleted: () => void;
}

type Outcome = "ok" | "RATE_LIMITED" | "failed";

async function request(controller: WidgetController, path: string, init: RequestInit): Promise<Response | Outcome> {
  const token = controller.visitorToken;
  if (!token) return "failed";
  const url = `${controller.origin}/api/widget/${encodeURIComponent(controller.tenant)}/${path}`;
  try {
    const reply = await fetch(url, {
      ...init,
      credentials: "omit",
      cache: "no-store",
      headers: { ...init.headers, Authorization: `Bearer ${token}` },
    });
    if (reply.ok) return reply;
    const body = (await reply.json().catch(() => null)) as { error?: { code?: unknown } } | null;
    return body?.error?.code === "RATE_LIMITED" ? "RATE_LIMITED" : "failed";
  } catch {
    return "failed";
  }
}

/** Saves the visitor's export (a ZIP file with a readable page and the JSON document) through a download link. */
async function download(controller: WidgetController): Promise<Outcome> {
  const reply = await request(controller, "my-data?format=zip", { method: "GET" });
  if (typeof reply === "string") return reply;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await reply.blob());
  link.download = "my-chat-data.zip";
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  return "ok";
}

async function erase(controller: WidgetController): Promise<Outcome> {
  const reply = await request(controller, "my-data/erase", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ mode: "delete" }),
  });
  if (typeof reply === "string") return reply;
  await controller.forget();
  return "ok";
}

export function MyData({ t, controller, onBack, onDeleted }: MyDataProps) {
  const w = t.myData;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => first.current?.focus(), [confirming]);

  const run = async (action: () => Promise<Outcome>, done: string, after?: () => void) => {
    setBusy(true);
    setMessage(null);
    const outcome = await action();
    setBusy(false);
    if (outcome === "ok") {
      setMessage({ ok: true, text: done });
      after?.();
    } else setMessage({ ok: false, text: outcome === "RATE_LIMITED" ? w.limited : t.failed });
  };

  if (confirming) {
    return (
      <div class="form" role="alertdialog" aria-labelledby="wsc-data-confirm" aria-describedby="wsc-data-text">
        <h3 id="wsc-data-confirm">{w.confirmTitle}</h3>
        <p id="wsc-data-text">{w.confirmText}</p>
        {message && !message.ok && (
          <p class="error" role="alert">
            {message.text}
          </p>
        )}
        <div class="row">
          <button ref={first} class="btn quiet" type="button" onClick={() => setConfirming(false)}>
            {t.cancel}
          </button>
          <button
            class="btn"
            type="button"
            disabled={busy}
            onClick={() => void run(() => erase(controller), w.deleted, onDeleted)}
          >
            {w.confirm}
          </button>
        </div>
      </div>
    );
  }
  return (
    <div class="form">
      <h3>{w.title}</h3>
      <p>{w.text}</p>
      {message && (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      <div class="row">
        <button ref={first} class="btn" type="button" disabled={busy} onClick={() => void run(() => download(controller), w.downloaded)}>
          {w.download}
        </button>
        <button class="btn quiet" type="button" disabled={busy} onClick={() => setConfirming(true)}>
          {w.delete}
        </button>
      </div>
      <div class="row">
        <button class="btn quiet" type="button" onClick={onBack}>
          {t.back}
        </button>
      </div>
    </div>
  );
}
