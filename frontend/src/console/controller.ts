// Connects the console's state (state.ts) to the server (api.ts): the session (login, token renewal, logout),
// the /agent socket (acks parsed through emitAck, events with parseEvent), the catch-up after every
// (re)connect (§7.2), and the side effects the reducer must not have (title badge, sound, read markers,
// typing). widget/controller.ts is its twin.
import type { Socket } from "socket.io-client";
import * as v from "valibot";
import { Backoff } from "../shared/backoff";
import { CallClient } from "../shared/call/client";
import { CALL_EVENT_NAMES, type CallEventName } from "../shared/call/events";
import { newClientId } from "../shared/ids";
import { CatchUp, syncMessages } from "../shared/sync";
import { TypingThrottle } from "../shared/typing";
import { emitAck, parseEvent, type Ack, type Message } from "../shared/wire";
import { Api, connectAgent, renewDelay } from "./api";
import { fitPageTo } from "./page";
import { beep } from "./sound";
import { errorText, t } from "./strings";
import { badgeCount, initialState, reduce, titleFor, type Action, type State } from "./state";
import {
  ConversationAck,
  ConversationsAck,
  AgentsListAck,
  LiveAck,
  MessageAck,
  OkAck,
  PageAck,
  PagesAck,
  StatusAck,
  SyncAck,
  events,
  OfflineList,
  type EventName,
  type QueueDelta,
  type SessionAnswer,
  type Status,
} from "./wire";

export type View =
  | "chats"
  | "visitors"
  | "offline"
  | "archive"
  | "profile"
  | "replies"
  | "agents"
  | "branding"
  | "settings"
  | "video"
  | "mail"
  | "subjects"
  | "audit"
  | "appointments"
  | "reports"
  | "webhooks";
export const VIEWS: readonly View[] = ["chats", "visitors", "offline", "archive", "appointments", "profile", "replies", "agents", "branding", "settings", "video", "mail", "subjects", "audit", "reports", "webhooks"];
export const ADMIN_VIEWS: readonly View[] = ["agents", "branding", "settings", "video", "mail", "subjects", "audit", "webhooks"];

export interface Ui {
  phase: "loading" | "login" | "app";
  loginError: string | null;
  notice: { text: string; kind: "info" | "error" } | null;
  view: View;
  /** Read out by the ARIA live region: new messages and new chats. */
  announce: string;
  /** Offline messages still to answer (the top bar's count); null until known. */
  offlineOpen: number | null;
}

const ACK_TIMEOUT = 10_000;
/** Messages per page of history (messages.before): a reload's newest page, and each "Load earlier messages". */
const PAGE = 50;
/** Queued chats whose last message is fetched for the queue's preview when the console (re)connects. */
const QUEUE_PREVIEWS = 20;

export class Controller {
  state: State = initialState;
  ui: Ui = { phase: "loading", loginError: null, notice: null, view: "chats", announce: "", offlineOpen: null };
  readonly api = new Api();
  private socket: Socket | null = null;
  private previewing = new Set<string>();
  private readonly catchUps = new CatchUp((id, from) => this.sync(id, from));
  /** queue.updated deltas that came while queue.list was on its way: applied after its answer, in order. */
  private queueDeltas: QueueDelta[] | null = null;
  private listeners = new Set<() => void>();
  private renewTimer: ReturnType<typeof setTimeout> | undefined;
  private typingTimer: ReturnType<typeof setInterval> | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private readSent = new Map<string, number>();
  private readonly listsAgain = new Backoff();
  private readonly typist = new TypingThrottle(
    (id, typing) => void this.emit("typing", { conversation_id: id, typing }, OkAck),
  );
  private renewing: Promise<string | null> | null = null;
  /** The agent's call (docs/protocol.md §12); the UI reads `calls.state`. */
  readonly calls = new CallClient("agent", (event, payload, schema) => this.emit(event, payload, schema), () => this.changed());

  constructor() {
    this.api.onExpired = () => this.renew();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    document.title = titleFor(badgeCount(this.state));
    for (const listener of this.listeners) listener();
  }

  dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.changed();
  }

  setUi(patch: Partial<Ui>): void {
    this.ui = { ...this.ui, ...patch };
    this.changed();
  }

  notify(text: string, kind: "info" | "error" = "info"): void {
    clearTimeout(this.noticeTimer);
    this.setUi({ notice: { text, kind } });
    this.noticeTimer = setTimeout(() => this.setUi({ notice: null }), kind === "error" ? 10_000 : 5_000);
  }

  // Session (§3) ---------------------------------------------------------------------------------------

  async start(): Promise<void> {
    const answer = await this.api.renew();
    if (answer.ok) this.begin(answer.value);
    else this.setUi({ phase: "login", loginError: answer.status === 401 || answer.status === 0 ? null : errorText(answer.error) });
  }

  async login(tenant: string, login: string, password: string): Promise<void> {
    this.setUi({ loginError: null });
    const answer = await this.api.login(tenant, login, password);
    if (answer.ok) this.begin(answer.value);
    else this.setUi({ loginError: errorText(answer.error) });
  }

  private begin(session: SessionAnswer): void {
    if (fitPageTo(session.tenant.slug)) return; // the page loads again and resumes the session
    this.adopt(session);
    this.setUi({ phase: "app", loginError: null });
    this.connect();
    this.typingTimer = setInterval(() => this.dispatch({ type: "typingExpired", now: Date.now() }), 1_000);
  }

  private adopt(session: SessionAnswer): void {
    this.api.token = session.token;
    this.dispatch({ type: "session", me: session.user, tenant: session.tenant });
    clearTimeout(this.renewTimer);
    this.renewTimer = setTimeout(() => void this.renew(), renewDelay(session.expires_at, Date.now()));
  }

  /** A new access token from the session cookie; signs out when the session is over. */
  renew(): Promise<string | null> {
    this.renewing ??= (async () => {
      const answer = await this.api.renew();
      this.renewing = null;
      if (answer.ok) {
        this.adopt(answer.value);
        return answer.value.token;
      }
      if (answer.status === 0 || answer.status >= 500) {
        // The server is unreachable: try again soon, keep the current token meanwhile.
        clearTimeout(this.renewTimer);
        this.renewTimer = setTimeout(() => void this.renew(), 15_000);
        return null;
      }
      this.signedOut(errorText(answer.error));
      return null;
    })();
    return this.renewing;
  }

  async logout(): Promise<void> {
    if (this.socket?.connected) await this.emit("status.set", { status: "offline" }, StatusAck, 3_000);
    // Signing out ends this session's sockets on the server: close ours first, so that is not mistaken
    // for a revoked account (which would renew, fail and show an error on the sign-in page).
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    await this.api.logout();
    this.signedOut(null);
  }

  private signedOut(message: string | null): void {
    clearTimeout(this.renewTimer);
    clearInterval(this.typingTimer);
    this.listsAgain.cancel();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.api.token = null;
    this.readSent.clear();
    this.state = initialState;
    this.setUi({ phase: "login", loginError: message, notice: null });
  }

  // Socket (§6) ----------------------------------------------------------------------------------------

  private connect(): void {
    const socket = connectAgent(() => ({ token: this.api.token ?? "" }));
    this.socket = socket;
    socket.on("connect", () => void this.catchUp());
    socket.on("disconnect", (reason) => {
      this.dispatch({ type: "connection", connection: "reconnecting" });
      // The server ended the socket (revoked account, §6.2): reconnect only with a new token.
      if (reason === "io server disconnect") void this.renew().then((token) => token && socket.connect());
    });
    socket.on("connect_error", (err: Error & { data?: { code?: string } }) => {
      this.dispatch({ type: "connection", connection: "reconnecting" });
      const code = err.data?.code;
      if (!code) return; // transport error: socket.io retries by itself
      if (code === "AUTH_INVALID") void this.renew().then((token) => token && socket.connect());
      else if (code === "UNAVAILABLE") setTimeout(() => socket.connect(), 3_000);
      else this.signedOut(errorText({ code }));
    });
    this.on("queue.updated", (p) => (this.queueDeltas ? this.queueDeltas.push(p) : this.queueChanged({ type: "queueDelta", ...p })));
    this.on("chat.assigned", (p) => {
      const isNew = !this.state.chats[p.conversation.id] || this.state.chats[p.conversation.id]?.gone !== null;
      this.dispatch({ type: "assigned", conversation: p.conversation, messages: p.messages, hasEarlier: p.has_earlier, focused: this.seeing() });
      if (isNew) beep("chat");
      this.markRead();
    });
    this.on("chat.transferred", (p) => this.dispatch({ type: "transferred", conversation_id: p.conversation_id, to: p.to.display_name }));
    this.on("message.new", (p) => this.onMessage(p.message));
    this.on("typing", (p) =>
      this.dispatch({ type: "typing", conversation_id: p.conversation_id, typing: p.typing, name: p.by.display_name, now: Date.now() }),
    );
    this.on("messages.read", (p) => {
      if (p.by === "visitor") this.dispatch({ type: "visitorRead", conversation_id: p.conversation_id, seq: p.seq });
    });
    this.on("chat.ended", (p) => this.dispatch({ type: "ended", conversation_id: p.conversation_id, by: p.by }));
    this.on("visitor.updated", (p) => {
      this.dispatch({ type: "visitor", visitor: p.visitor });
      const chat = Object.values(this.state.chats).find((c) => c.conversation.visitor.id === p.visitor.id);
      if (chat && p.visitor.current_page !== undefined) void this.loadTrail(chat.conversation.id);
    });
    this.on("agents.presence", (p) => this.dispatch({ type: "presence", agent: p }));
    this.on("offline.count", (p) => this.setUi({ offlineOpen: p.open }));
    for (const name of CALL_EVENT_NAMES) socket.on(name, (raw: unknown) => this.onCall(name, raw));
  }

  private onCall(name: CallEventName, raw: unknown): void {
    this.calls.handle(name, raw);
    const { phase, call } = this.calls.state;
    if (name === "call.invite" && phase === "invited" && call) {
      const visitor = call.participants.find((p) => p.side === "visitor")?.display_name ?? "";
      beep("chat");
      // Seen from any view (the call itself is shown in its conversation), and read out.
      this.notify(t.call.invite(visitor, call.kind === "screen"));
      this.setUi({ announce: t.call.invite(visitor, call.kind === "screen") });
    }
  }

  private on<E extends EventName>(name: E, handler: (payload: v.InferOutput<(typeof events)[E]>) => void): void {
    this.socket?.on(name as string, (raw: unknown) => {
      const payload = parseEvent(name, raw, events[name] as v.GenericSchema<unknown, v.InferOutput<(typeof events)[E]>>);
      if (payload) handler(payload);
    });
  }

  emit<T>(event: string, payload: object, schema: v.GenericSchema<unknown, T>, timeout = ACK_TIMEOUT): Promise<Ack<T>> {
    const socket = this.socket;
    // While (re)connecting socket.io buffers the emit; on timeout it is dropped from the buffer unsent.
    if (!socket) return Promise.resolve({ ok: false, error: { code: "NETWORK", message: "" } });
    return emitAck(socket, event, payload, schema, timeout);
  }

  /** After every (re)connect: colleagues, my chats, the queue, then each open tab's missed messages (§7.2). */
  /** The open offline messages' count, after every (re)connect (offline.count keeps it current). */
  async loadOfflineCount(): Promise<void> {
    const answer = await this.api.call("GET", "/api/offline?limit=1", OfflineList);
    if (answer.ok) this.setUi({ offlineOpen: answer.value.open });
  }

  private async catchUp(): Promise<void> {
    this.listsAgain.cancel();
    this.listsAgain.reset();
    await this.refresh();
    this.dispatch({ type: "connection", connection: "connected" });
    this.markRead();
    if (this.state.active) void this.loadTrail(this.state.active);
    // A call this window was in continues from the new socket; one that went on while the console was away
    // (reload) shows as "call in progress", to rejoin or end.
    await this.calls.resume();
    for (const id of this.state.tabs) {
      const conversation = this.state.chats[id]?.conversation;
      if (conversation?.status === "active" && conversation.agent?.id === this.state.me?.id) await this.calls.current(id);
    }
  }

  /**
   * Colleagues, my chats, the queue, then each open tab's missed messages. A list that got no answer (a server
   * busy or restarting) is asked again after 2, 4 … 30 s while connected: the socket may never drop, and a
   * console that missed a chat.transferred or chat.ended would show a chat that is no longer its own.
   */
  private async refresh(): Promise<void> {
    const socket = this.socket;
    // Taken before the first await: live messages may arrive while the lists below are on their way, and
    // each tab must sync from what it held when the connection came up (shared/sync.ts).
    this.catchUps.owe(new Map(this.state.tabs.map((id) => [id, this.state.chats[id]?.thread.lastSeq ?? 0])));
    const agents = await this.emit("agents.list", {}, AgentsListAck);
    if (agents.ok) {
      this.dispatch({ type: "agents", agents: agents.value.agents });
      const me = agents.value.agents.find((a) => a.agent_id === this.state.me?.id);
      if (me) this.dispatch({ type: "status", status: me.status });
    }
    const chats = await this.emit("chats.list", {}, ConversationsAck);
    if (chats.ok) this.dispatch({ type: "chats", conversations: chats.value.conversations });
    const queued = await this.loadQueue();
    void this.loadOfflineCount();
    // Tabs not shown at the connect (chats.list just added them) catch up from what they hold: nothing yet.
    this.catchUps.owe(new Map(this.state.tabs.map((id) => [id, this.state.chats[id]?.thread.lastSeq ?? 0])));
    await Promise.all(this.state.tabs.map((id) => this.catchUps.run(id)));
    if (agents.ok && chats.ok && queued) this.listsAgain.reset();
    else
      this.listsAgain.later(() => {
        if (socket === this.socket && socket?.connected) void this.refresh();
      });
  }

  /**
   * A tab with no messages yet (after a reload) reads the newest page; then everything after its last message,
   * or after `from`, the last one it had when the connection came up.
   */
  private async sync(id: string, from?: number): Promise<boolean> {
    if (this.state.chats[id]?.thread.messages.length === 0) {
      await this.loadPage(id);
      from = undefined;
    }
    return syncMessages(
      id,
      {
        lastSeq: () => this.state.chats[id]?.thread.lastSeq ?? null,
        ask: (request) => this.emit("messages.sync", request, SyncAck),
        keep: (page) => this.dispatch({ type: "synced", conversation: page.conversation, messages: page.messages }),
      },
      from,
    );
  }

  /** A page of history (messages.before): the newest one, or the one before `beforeSeq`. */
  private async loadPage(id: string, beforeSeq?: number): Promise<Ack<unknown>> {
    const payload = beforeSeq === undefined ? { conversation_id: id, limit: PAGE } : { conversation_id: id, before_seq: beforeSeq, limit: PAGE };
    const answer = await this.emit("messages.before", payload, PageAck);
    if (answer.ok) this.dispatch({ type: "page", conversation_id: id, messages: answer.value.messages, hasEarlier: answer.value.has_earlier });
    return answer;
  }

  /** "Load earlier messages": the page before the first message the tab shows; false when it failed. */
  async loadEarlier(id: string): Promise<boolean> {
    const first = this.state.chats[id]?.thread.messages[0]?.seq;
    if (first === undefined) return false;
    const answer = await this.loadPage(id, first);
    if (!answer.ok) this.notify(errorText(answer.error), "error");
    return answer.ok;
  }

  /** The whole queue, after every (re)connect (deltas may have been missed meanwhile), then the deltas that
   * crossed its answer: replayed in order they leave the queue as the server has it. */
  /** The queue, with the deltas that came while asking; whether it came. */
  private async loadQueue(): Promise<boolean> {
    this.queueDeltas = [];
    const queue = await this.emit("queue.list", {}, ConversationsAck);
    const deltas = this.queueDeltas;
    this.queueDeltas = null;
    if (queue.ok) this.queueChanged({ type: "queue", conversations: queue.value.conversations });
    for (const delta of deltas) this.queueChanged({ type: "queueDelta", ...delta });
    return queue.ok;
  }

  private queueChanged(action: Extract<Action, { type: "queue" | "queueDelta" }>): void {
    const known = new Set(this.state.queue.map((c) => c.id));
    this.dispatch(action);
    const fresh = this.state.queue.filter((c) => !known.has(c.id));
    void this.previewQueue();
    if (fresh.length > 0) {
      beep("chat");
      this.setUi({ announce: t.a11y.newChat(fresh.map((c) => c.visitor.display_name).join(", ")) });
    }
  }

  /** Chats that were queued before this console connected have no preview yet: read their last message. */
  private async previewQueue(): Promise<void> {
    const missing = this.state.queue
      .filter((c) => !(c.id in this.state.queuePreview) && !this.previewing.has(c.id))
      .slice(0, QUEUE_PREVIEWS);
    for (const conversation of missing) {
      this.previewing.add(conversation.id);
      const answer = await this.emit("messages.before", { conversation_id: conversation.id, limit: PAGE }, PageAck);
      this.previewing.delete(conversation.id);
      const texts = answer.ok ? answer.value.messages.filter((m) => m.kind === "text") : [];
      const last = texts[texts.length - 1];
      if (last) this.dispatch({ type: "message", message: last, focused: false });
    }
  }

  private onMessage(message: Message): void {
    const before = this.state.chats[message.conversation_id]?.thread;
    if (before?.messages.length) this.catchUps.received(message.conversation_id, message.seq, before.lastSeq);
    this.dispatch({ type: "message", message, focused: this.seeing() });
    const after = this.state.chats[message.conversation_id]?.thread;
    if (after && after !== before && message.sender.kind === "visitor") {
      if (this.state.active !== message.conversation_id || !this.seeing()) beep("message");
      this.setUi({ announce: t.a11y.newMessage(message.sender.display_name, message.text.slice(0, 200)) });
      this.markRead();
    }
  }

  // Actions --------------------------------------------------------------------------------------------

  async setStatus(status: Status): Promise<void> {
    const answer = await this.emit("status.set", { status }, StatusAck);
    if (answer.ok) {
      this.dispatch({ type: "status", status: answer.value.status });
      this.dispatch({ type: "presence", agent: answer.value.agent });
    } else this.notify(errorText(answer.error), "error");
  }

  async accept(id: string): Promise<void> {
    const answer = await this.emit("chat.accept", { conversation_id: id }, ConversationAck);
    if (!answer.ok) {
      const code = answer.error.code;
      // Taken or closed meanwhile: it is not waiting any more, whatever this console was told.
      if (code === "ALREADY_ASSIGNED" || code === "CONVERSATION_CLOSED") this.dispatch({ type: "queueDelta", added: [], removed: [id] });
      return this.notify(code === "AGENT_UNAVAILABLE" ? t.queue.unavailable : errorText(answer.error), "error");
    }
    this.dispatch({ type: "chats", conversations: [answer.value.conversation] });
    this.dispatch({ type: "queueDelta", added: [], removed: [id] });
    this.select(id);
    await this.sync(id);
    this.markRead();
  }

  select(id: string | null): void {
    this.dispatch({ type: "select", id });
    if (this.ui.view !== "chats") this.setUi({ view: "chats" });
    if (id) {
      this.markRead();
      void this.loadTrail(id);
    }
  }

  dismiss(id: string): void {
    this.dispatch({ type: "dismiss", id });
  }

  async send(conversationId: string, text: string, clientId = newClientId()): Promise<void> {
    this.typist.stop(conversationId);
    this.dispatch({ type: "pending", conversation_id: conversationId, pending: { client_id: clientId, text, failed: null } });
    const answer = await this.emit("message.send", { conversation_id: conversationId, client_id: clientId, text }, MessageAck);
    if (answer.ok) this.dispatch({ type: "sent", conversation_id: conversationId, client_id: clientId, message: answer.value.message });
    else this.dispatch({ type: "sendFailed", conversation_id: conversationId, client_id: clientId, error: errorText(answer.error) });
  }

  /** Called on every keystroke in the composer: tell the visitor the agent types, or stopped (shared/typing.ts). */
  typing(conversationId: string, hasText: boolean): void {
    this.typist.input(conversationId, hasText);
  }

  async close(id: string): Promise<boolean> {
    const answer = await this.emit("chat.close", { conversation_id: id }, ConversationAck);
    if (answer.ok || answer.error.code === "CONVERSATION_CLOSED") {
      const conversation = answer.ok ? answer.value.conversation : this.state.chats[id]?.conversation;
      if (conversation) this.dispatch({ type: "closedByMe", conversation });
      return true;
    }
    this.notify(errorText(answer.error), "error");
    return false;
  }

  async transfer(id: string, to: string, note: string): Promise<string | null> {
    const payload = { conversation_id: id, to_agent_id: to, note: note.trim() ? note : null };
    const answer = await this.emit("chat.transfer", payload, ConversationAck);
    if (!answer.ok) return errorText(answer.error);
    this.dispatch({ type: "dismiss", id });
    return null;
  }

  async loadAgents(): Promise<void> {
    const answer = await this.emit("agents.list", {}, AgentsListAck);
    if (answer.ok) this.dispatch({ type: "agents", agents: answer.value.agents });
  }

  /** The visitor's page trail (visitor.pages); quietly absent on a server that does not track pages. */
  async loadTrail(id: string): Promise<void> {
    const chat = this.state.chats[id];
    if (!chat) return;
    const answer = await this.emit("visitor.pages", { visitor_id: chat.conversation.visitor.id }, PagesAck, 5_000);
    if (answer.ok) this.dispatch({ type: "trail", conversation_id: id, pages: answer.value.pages });
  }

  async loadLive(): Promise<void> {
    const answer = await this.emit("visitors.live", {}, LiveAck, 5_000);
    if (answer.ok) this.dispatch({ type: "live", visitors: answer.value.visitors });
    else if (answer.error.code === "TIMEOUT" || answer.error.code === "VALIDATION_FAILED") this.dispatch({ type: "live", visitors: "unsupported" });
  }

  /** Whether the agent has the chats view in front of them (a focused, visible window). */
  private seeing(): boolean {
    return focused() && this.ui.view === "chats";
  }

  /** Sends `messages.read` for the chat in front of a focused agent, once per new seq. */
  markRead(): void {
    const id = this.state.active;
    const chat = id ? this.state.chats[id] : undefined;
    if (!id || !chat || !this.seeing()) return;
    if (chat.unread) this.dispatch({ type: "select", id });
    const seq = chat.thread.lastSeq;
    const mine = chat.conversation.status === "active" && chat.conversation.agent?.id === this.state.me?.id && !chat.gone;
    if (!mine || seq <= Math.max(chat.conversation.agent_read_seq, this.readSent.get(id) ?? 0)) return;
    this.readSent.set(id, seq);
    void this.emit("messages.read", { conversation_id: id, seq }, OkAck);
  }
}

function focused(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

export const controller = new Controller();
