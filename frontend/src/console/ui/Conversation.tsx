// Middle column: the conversation (day separators, timestamps, system messages, agents-only notes), the
// typing indicator and the composer (Enter sends, Shift+Enter is a new line, "/" picks a canned reply).
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Lang } from "../../shared/language";
import type { Message } from "../../shared/wire";
import { composeReply, filterReplies, insertReply, replyLanguage, slashQuery, type SlashQuery } from "../canned";
import { controller } from "../controller";
import { clock, dateTime, withDays } from "../format";
import { lang } from "../language";
import { cannedReplies } from "../replies";
import type { Chat, State } from "../state";
import { messageText, named, senderText, t } from "../strings";
import type { CannedReply } from "../wire";
import { Avatar } from "./Avatar";
import { CallButtons, CallPanel } from "./Call";
import { TranscriptForm } from "./TranscriptForm";
import { TransferDialog } from "./TransferDialog";
import { OfferAppointment } from "./Appointments";

function MessageItem({ message, me, readSeq }: { message: Message; me: string | undefined; readSeq: number }) {
  const time = (
    <time dateTime={message.created_at} title={dateTime(message.created_at)}>
      {clock(message.created_at)}
    </time>
  );
  if (message.visibility === "agents") {
    return (
      <li class="msg note" data-seq={message.seq}>
        <div class="note-head">
          <strong>{t.conversation.transferNote}</strong> · {senderText(message.sender)} · {time}
          <span class="badge">{t.conversation.agentsOnly}</span>
        </div>
        <p class="text">{message.text}</p>
      </li>
    );
  }
  if (message.kind === "system" || message.sender.kind === "system") {
    return (
      <li class="msg system" data-seq={message.seq}>
        <span class="text">{messageText(message)}</span> {time}
      </li>
    );
  }
  const own = message.sender.kind === "agent" && message.sender.id === me;
  const side = message.sender.kind === "visitor" ? "visitor" : "agent";
  return (
    <li class={`msg ${side}${own ? " own" : ""}`} data-seq={message.seq}>
      {side === "agent" && <Avatar name={senderText(message.sender)} url={message.sender.photo_url} size={28} />}
      <div class="bubble">
        <div class="meta">
          <span class="sender">{senderText(message.sender)}</span> {time}
          {side === "agent" && message.seq <= readSeq && <span class="read"> · {t.conversation.read}</span>}
        </div>
        <p class="text">{message.text}</p>
      </div>
    </li>
  );
}

function visitorName(chat: Chat): string | null {
  const visitor = chat.conversation.visitor;
  return visitor.name || visitor.alias || visitor.contact.name || null;
}

function Composer({ chat, agentName, replyLang }: { chat: Chat; agentName: string; replyLang: Lang }) {
  const id = chat.conversation.id;
  const [drafts] = useState(() => new Map<string, string>());
  const [text, setText] = useState("");
  const [replies, setReplies] = useState<CannedReply[]>([]);
  const [query, setQuery] = useState<SlashQuery | null>(null);
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    setText(drafts.get(id) ?? "");
    setQuery(null);
    ref.current?.focus();
  }, [id]);
  const found = query ? filterReplies(replies, query.query) : [];
  const open = query !== null && found.length > 0;
  const current = Math.min(active, Math.max(found.length - 1, 0));
  const update = (value: string, cursor = value.length) => {
    setText(value);
    drafts.set(id, value);
    controller.typing(id, value.trim().length > 0);
    const next = slashQuery(value, cursor);
    if (next && !query) void cannedReplies().then(setReplies);
    if (next?.query !== query?.query) setActive(0);
    setQuery(next);
  };
  const choose = (reply: CannedReply) => {
    const el = ref.current;
    if (!query || !el) return;
    const filled = composeReply(reply, replyLang, { visitor: visitorName(chat), agent: agentName });
    const next = insertReply(text, query, el.selectionStart ?? text.length, filled);
    setText(next.text);
    drafts.set(id, next.text);
    setQuery(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(next.cursor, next.cursor);
    });
  };
  const send = () => {
    const value = text.trim();
    if (!value) return;
    update("");
    void controller.send(id, value);
  };
  const onPicker = (e: KeyboardEvent): boolean => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      setActive((current + (e.key === "ArrowDown" ? 1 : found.length - 1)) % found.length);
    } else if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.isComposing) {
      choose(found[current]!);
    } else if (e.key === "Escape") {
      setQuery(null);
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (open && onPicker(e)) return;
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  };
  const optionId = (n: number) => `canned-${id}-${n}`;
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="composer-text" class="visually-hidden">
        {t.conversation.composer}
      </label>
      {open && (
        <ul class="canned-list" id="canned-list" role="listbox" aria-label={t.canned.listLabel}>
          {found.map((reply, n) => (
            <li
              key={reply.id}
              id={optionId(n)}
              role="option"
              aria-selected={n === current}
              class={n === current ? "active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault(); // keeps the focus (and the cursor) in the input
                choose(reply);
              }}
              onMouseEnter={() => setActive(n)}
            >
              <span class="shortcut">/{reply.shortcut}</span> <span class="title">{reply.title}</span>
              {reply.scope === "shared" && <span class="badge">{t.canned.sharedBadge}</span>}
            </li>
          ))}
        </ul>
      )}
      {/* The ARIA 1.2 combobox: the message field is the combobox, the "/" list its listbox. */}
      <textarea
        id="composer-text"
        ref={ref}
        rows={3}
        maxLength={4000}
        placeholder={t.conversation.composerHint}
        aria-describedby="composer-hint"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls="canned-list"
        aria-activedescendant={open ? optionId(current) : undefined}
        value={text}
        onInput={(e) => update(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length)}
        onKeyDown={onKeyDown}
        onBlur={() => setQuery(null)}
      />
      <span id="composer-hint" class="visually-hidden">
        {t.conversation.composerHint} {t.canned.composerHint}
      </span>
      <button type="submit" class="primary" disabled={!text.trim()}>
        {t.conversation.send}
      </button>
    </form>
  );
}

export function Conversation({ state, chat }: { state: State; chat: Chat }) {
  const [transferring, setTransferring] = useState(false);
  const [forwarding, setForwarding] = useState(false);
  const log = useRef<HTMLOListElement>(null);
  const conversation = chat.conversation;
  const mine = conversation.status === "active" && conversation.agent?.id === state.me?.id && !chat.gone;
  const canClose = !chat.gone && conversation.status !== "closed";
  const count = chat.thread.messages.length + chat.pending.length;

  // Follow new messages only while the agent is at the bottom; reading older ones is not interrupted.
  const stick = useRef(true);
  useLayoutEffect(() => {
    stick.current = true;
  }, [conversation.id]);
  useLayoutEffect(() => {
    const el = log.current;
    const last = chat.thread.messages[chat.thread.messages.length - 1];
    const mineLast = chat.pending.length > 0 || (last?.sender.kind === "agent" && last.sender.id === state.me?.id);
    if (el && (stick.current || mineLast)) el.scrollTop = el.scrollHeight;
  }, [conversation.id, count, !!chat.typing]);
  const onScroll = () => {
    const el = log.current;
    if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  };

  // "Load earlier messages" keeps what the agent was reading in place: the page goes in above it, and the
  // distance from the bottom of the log is kept. Declared after the effect above, so it has the last word.
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const anchor = useRef<{ id: string; fromBottom: number } | null>(null);
  const firstSeq = chat.thread.messages[0]?.seq;
  useLayoutEffect(() => {
    const el = log.current;
    if (el && anchor.current?.id === conversation.id) el.scrollTop = el.scrollHeight - anchor.current.fromBottom;
    anchor.current = null;
  }, [conversation.id, firstSeq]);
  const loadEarlier = async () => {
    const el = log.current;
    if (!el || loadingEarlier) return;
    anchor.current = { id: conversation.id, fromBottom: el.scrollHeight - el.scrollTop };
    stick.current = false;
    setLoadingEarlier(true);
    if (!(await controller.loadEarlier(conversation.id))) anchor.current = null;
    setLoadingEarlier(false);
    // The button is gone with the first message: keep the keyboard focus in the log, not on the page.
    if (!controller.state.chats[conversation.id]?.earlier) el.focus({ preventScroll: true });
  };

  const [confirming, setConfirming] = useState(false);
  useEffect(() => setConfirming(false), [conversation.id]);

  const gone =
    chat.gone?.reason === "transferred"
      ? t.transfer.away(chat.gone.by || t.transfer.queue)
      : chat.gone?.reason === "requeued"
        ? t.conversation.requeued
        : chat.gone
          ? t.conversation.ended(named(t.conversation.closedBy, chat.gone.by) ?? chat.gone.by)
          : null;

  return (
    <section class="conversation" id="conversation" role="tabpanel" aria-labelledby={`tab-${conversation.id}`}>
      <header class="conv-head">
        <div class="conv-title">
          <h2>{conversation.visitor.display_name}</h2>
          {conversation.visitor_left_at && !chat.gone && <span class="muted">{t.conversation.visitorLeft}</span>}
        </div>
        <div class="conv-actions">
          <CallButtons conversationId={conversation.id} mine={mine} />
          {mine && <OfferAppointment conversationId={conversation.id} />}
          {mine && (
            <button type="button" onClick={() => setTransferring(true)}>
              {t.conversation.transfer}
            </button>
          )}
          <button type="button" aria-expanded={forwarding} onClick={() => setForwarding(!forwarding)}>
            {t.conversation.transcript}
          </button>
          {canClose && confirming ? (
            <span class="confirm" role="group" aria-label={t.conversation.closeConfirm}>
              <span class="muted">{t.conversation.closeConfirm}</span>
              <button type="button" class="danger" autoFocus onClick={() => void controller.close(conversation.id)}>
                {t.conversation.closeYes}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t.conversation.closeNo}
              </button>
            </span>
          ) : canClose ? (
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              {t.conversation.close}
            </button>
          ) : (
            <button type="button" onClick={() => controller.dismiss(conversation.id)}>
              {t.conversation.dismiss}
            </button>
          )}
        </div>
      </header>
      {forwarding && <TranscriptForm conversationId={conversation.id} onClose={() => setForwarding(false)} />}
      <CallPanel conversationId={conversation.id} />
      <ol class="log" ref={log} role="log" aria-label={t.conversation.history} aria-live="off" tabIndex={0} onScroll={onScroll}>
        {chat.earlier && (
          <li class="earlier">
            <button type="button" class="link" aria-busy={loadingEarlier} onClick={() => void loadEarlier()}>
              {loadingEarlier ? t.conversation.loadingEarlier : t.conversation.loadEarlier}
            </button>
          </li>
        )}
        {withDays(chat.thread.messages, Date.now()).map((item) =>
          item.kind === "day" ? (
            <li key={item.key} class="day" role="separator">
              <span>{item.label}</span>
            </li>
          ) : (
            <MessageItem key={item.key} message={item.message!} me={state.me?.id} readSeq={conversation.visitor_read_seq} />
          ),
        )}
        {chat.pending.map((p) => (
          <li key={p.client_id} class={`msg agent own pending${p.failed ? " failed" : ""}`}>
            <div class="bubble">
              <div class="meta">
                {p.failed ? (
                  <>
                    <span class="error">
                      {t.conversation.failed}: {p.failed}
                    </span>{" "}
                    <button type="button" class="link" onClick={() => void controller.send(conversation.id, p.text, p.client_id)}>
                      {t.conversation.retry}
                    </button>
                  </>
                ) : (
                  t.conversation.sending
                )}
              </div>
              <p class="text">{p.text}</p>
            </div>
          </li>
        ))}
      </ol>
      <div class="typing" aria-live="polite">
        {chat.typing ? t.conversation.typing(chat.typing.name) : ""}
      </div>
      {gone && (
        <p class="gone" role="status">
          {gone}
        </p>
      )}
      {chat.gone?.reason === "requeued" && conversation.status === "queued" && (
        <p class="gone">
          <button type="button" class="primary" onClick={() => void controller.accept(conversation.id)}>
            {t.queue.accept}
          </button>
        </p>
      )}
      {mine && (
        <Composer chat={chat} agentName={state.me?.display_name ?? ""} replyLang={replyLanguage(state.tenant?.branding?.language, lang)} />
      )}
      {transferring && <TransferDialog state={state} chat={chat} onClose={() => setTransferring(false)} />}
    </section>
  );
}
