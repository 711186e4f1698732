// Left column: status switch, the queue with live waiting times, open chats as tabs with unread counts.
import { controller } from "../controller";
import { duration, parseTime } from "../format";
import type { State } from "../state";
import { messageText, t } from "../strings";
import type { Status } from "../wire";
import { useNow } from "./hooks";

const STATUSES: readonly Status[] = ["online", "away", "offline"];

export function StatusSwitch({ status }: { status: Status }) {
  return (
    <fieldset class="status-switch">
      <legend>{t.status.label}</legend>
      {STATUSES.map((s) => (
        <label key={s} class={`status-option status-${s}${status === s ? " checked" : ""}`}>
          <input type="radio" name="status" value={s} checked={status === s} onChange={() => void controller.setStatus(s)} />
          <span class="dot" aria-hidden="true" />
          {t.status[s]}
        </label>
      ))}
    </fieldset>
  );
}

function Queue({ state }: { state: State }) {
  const now = useNow();
  return (
    <section class="queue" aria-labelledby="queue-title">
      <h2 id="queue-title">
        {t.queue.title} <span class="count">{state.queue.length}</span>
      </h2>
      {state.queue.length === 0 ? (
        <p class="empty">{t.queue.empty}</p>
      ) : (
        <ul>
          {state.queue.map((c) => {
            const waited = now - (parseTime(c.created_at) ?? now);
            const preview = state.queuePreview[c.id];
            return (
              <li key={c.id} class="queue-item" data-conversation={c.id}>
                <div class="queue-who">
                  <span class="name">{c.visitor.display_name}</span>
                  <span class={`wait${waited > 120_000 ? " long" : ""}`} aria-label={t.queue.waiting(duration(waited))}>
                    {duration(waited)}
                  </span>
                </div>
                {preview && <div class="preview">{preview}</div>}
                {c.visitor.current_page && <div class="preview page">{t.queue.onPage(c.visitor.current_page.title || c.visitor.current_page.url)}</div>}
                <button type="button" class="accept" onClick={() => void controller.accept(c.id)} aria-label={`${t.queue.accept}: ${c.visitor.display_name}`}>
                  {t.queue.accept}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Tabs({ state }: { state: State }) {
  const move = (e: KeyboardEvent) => {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    e.preventDefault();
    const index = state.active ? state.tabs.indexOf(state.active) : -1;
    const next = state.tabs[(index + (e.key === "ArrowDown" ? 1 : -1) + state.tabs.length) % state.tabs.length];
    if (next) {
      controller.select(next);
      requestAnimationFrame(() => document.getElementById(`tab-${next}`)?.focus());
    }
  };
  return (
    <section class="tabs" aria-labelledby="chats-title">
      <h2 id="chats-title">{t.chats.title}</h2>
      {state.tabs.length === 0 ? (
        <p class="empty">{t.chats.empty}</p>
      ) : (
        <div role="tablist" aria-orientation="vertical" aria-labelledby="chats-title" onKeyDown={move}>
          {state.tabs.map((id, i) => {
            const chat = state.chats[id];
            if (!chat) return null;
            const selected = state.active === id && controller.ui.view === "chats";
            const last = chat.thread.messages[chat.thread.messages.length - 1];
            return (
              <button
                key={id}
                id={`tab-${id}`}
                type="button"
                role="tab"
                class={`tab${selected ? " selected" : ""}${chat.gone ? " gone" : ""}`}
                aria-selected={selected}
                aria-controls="conversation"
                tabIndex={selected || (!state.active && i === 0) ? 0 : -1}
                data-conversation={id}
                onClick={() => controller.select(id)}
              >
                <span class="tab-name">{chat.conversation.visitor.display_name}</span>
                {chat.unread > 0 && (
                  <span class="unread" aria-label={t.chats.unread(chat.unread)}>
                    {chat.unread}
                  </span>
                )}
                {chat.gone && <span class="tab-state">{t.chats.ended}</span>}
                {chat.typing && <span class="tab-typing" aria-hidden="true">…</span>}
                {last && <span class="tab-preview">{messageText(last)}</span>}
              </button>
            );
          })}
        </div>
      )}
    </section>
  );
}

export function Sidebar({ state }: { state: State }) {
  return (
    <nav class="sidebar" aria-label={t.a11y.sidebar}>
      <StatusSwitch status={state.status} />
      <Queue state={state} />
      <Tabs state={state} />
    </nav>
  );
}
