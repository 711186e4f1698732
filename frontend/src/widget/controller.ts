// Connects the widget's state (state.ts) to the server (api.ts): the visitor session, the /visitor socket, the
// catch-up after every (re)connect, sending with safe resends, typing, read markers and page views. The UI
// calls the public methods and re-renders on every change; it never talks to the socket itself.
// console/controller.ts is its twin.
import type { Socket } from "socket.io-client";
import type * as v from "valibot";
import { Backoff } from "../shared/backoff";
import { CALL_EVENT_NAMES } from "../shared/call/events";
import { newClientId } from "../shared/ids";
import { CatchUp, syncMessages } from "../shared/sync";
import { TYPING_STALE_MS, TypingThrottle } from "../shared/typing";
import { parseEvent, type Ack, type ErrorBody } from "../shared/wire";
import type { WidgetConfig } from "./config";
import { call, connectVisitor, fetchConfig, HttpError, openSession, retrying } from "./api";
import { Calls } from "./calls";
import { pageView, watchPages, type PageView } from "./pageviews";
import {
  AssignedEvent,
  ContactResult,
  ConversationResult,
  OfflineResult,
  TranscriptResult,
  CurrentResult,
  EndedEvent,
  MessageNewEvent,
  MessageResult,
  Okay,
  PresenceEvent,
  ReadEvent,
  SyncResult,
  TypingEvent,
} from "./wire";
import { initialState, reduce, toResend, type Action, type WidgetState } from "./state";
import type { VisitorStorage } from "./storage";

export interface ContactFields {
  name?: string;
  email?: string;
  phone?: string;
}

const FINAL_REFUSALS = new Set(["NOT_FOUND", "ORIGIN_NOT_ALLOWED", "TENANT_LOCKED"]);
const OFFLINE = { code: "OFFLINE", message: "" };

export class WidgetController {
  state: WidgetState;
  config: WidgetConfig | null = null;
  private readonly listeners = new Set<() => void>();
  private socket: Socket | null = null;
  private token: string | null;
  /** Whether the token may be written to storage: only once the visitor opened the widget. */
  private persisted: boolean;
  private page: PageView | null = null;
  private sentPage: string | null = null;
  private readSent = new Map<string, number>();
  private syncing = false;
  private syncAgain = false;
  private readonly catchUps = new CatchUp((id, from) => this.sync(id, from));
  private readonly currentAgain = new Backoff();
  private renewals = 0;
  private readonly typist = new TypingThrottle((id, typing) => this.sendTyping(id, typing));
  private agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  private alias: string | null = null;
  /** The offline form's `client_id`, kept until the form is acknowledged: sending the same form again
   * (the first got no answer) returns the item it made instead of making a second one. */
  private offlineForm: { key: string; clientId: string } | null = null;
  /** The visitor's call (docs/protocol.md §12), loaded on first use; the UI reads `calls.client?.state`. */
  readonly calls = new Calls((event, payload, schema) => this.emit(event, payload, schema), () => this.notify());

  constructor(
    readonly origin: string,
    readonly tenant: string,
    private readonly storage: VisitorStorage,
    /** A video appointment's join token (its call page): the socket connects with it as the appointment's
     * visitor instead of a visitor session, and nothing is stored in the browser. */
    readonly appointment: string | null = null,
  ) {
    const stored = appointment ? null : storage.load();
    this.token = stored?.token ?? null;
    this.persisted = stored !== null;
    this.state = initialState(stored?.seen, stored !== null && storage.wasOpen());
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(action: Action): void {
    const next = reduce(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.notify();
    this.markRead();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Emits on the socket and resolves with the parsed ack; `OFFLINE` at once while there is none (api.ts). */
  private emit<T>(event: string, payload: object, schema: v.GenericSchema<unknown, T>): Promise<Ack<T>> {
    return this.socket ? call(this.socket, event, payload, schema) : Promise.resolve({ ok: false, error: OFFLINE });
  }

  /** A socket call for a part loaded on first use (the booking card): as `emit`. */
  ask<T>(event: string, payload: object, schema: v.GenericSchema<unknown, T>): Promise<Ack<T>> {
    return this.emit(event, payload, schema);
  }

  /** Loads the configuration, then opens the visitor session and connects. Resolves once the launcher can show. */
  async start(): Promise<void> {
    try {
      // A server that is restarting or unreachable is waited for: the launcher appears once it answers.
      this.config = await retrying(() => fetchConfig(this.origin, this.tenant), Infinity);
    } catch (e) {
      console.warn("wsChat: the widget is not available for this site", e instanceof HttpError ? e.code : e);
      this.dispatch({ type: "unavailable" });
      return;
    }
    // A call page's chat is the appointment's: not ended from here (a new one would wait in the queue).
    if (this.appointment) this.config.features.end_chat = false;
    this.dispatch({ type: "online", online: this.config.online });
    void (this.appointment ? Promise.resolve(true) : this.renewSession()).then((ok) => ok && this.connect());
  }

  /** Resumes the held token, or gets a new visitor; false when the chat is not available at all. */
  private async renewSession(): Promise<boolean> {
    try {
      const token = await retrying(() => openSession(this.origin, this.tenant, this.token), 6);
      if (token !== this.token) {
        this.token = token;
        this.persist();
      }
      return true;
    } catch {
      this.dispatch({ type: "unavailable" });
      return false;
    }
  }

  private connect(): void {
    document.addEventListener("visibilitychange", () => this.markRead());
    watchPages((url, referrer) => {
      this.page = pageView(url, document.title, referrer);
      this.sendPage();
    });
    const appointment = this.appointment ? { appointment: this.appointment } : {};
    const socket = connectVisitor(this.origin, () => ({ tenant: this.tenant, token: this.token ?? "", ...appointment }));
    this.socket = socket;
    socket.on("connect", () => {
      // What the thread held when the connection came up: the catch-up syncs from there, though live messages
      // may move the thread on before it asks (shared/sync.ts).
      const shown = this.state.conversation;
      if (shown) this.catchUps.owe(new Map([[shown.id, this.state.thread.lastSeq]]));
      // Only a (re)connect takes this page's socket out of its call: join again from the new one. A catch-up
      // for another reason (a chat that began elsewhere) must not join a running call a second time.
      void this.calls.resume();
      void this.resync();
    });
    socket.on("disconnect", (reason) => {
      // The server leaves the visitor's page when the socket closes: tell it again after the reconnect.
      this.sentPage = null;
      this.dispatch({ type: "connected", connected: false });
      // The server hung up on purpose (tenant locked): do not come back with the same session.
      if (reason === "io server disconnect") this.dispatch({ type: "unavailable" });
    });
    socket.on("connect_error", (err: Error & { data?: { code?: unknown } }) => void this.refused(err.data?.code));
    for (const name of CALL_EVENT_NAMES) socket.on(name, (raw: unknown) => this.calls.handle(name, raw));
    socket.on("presence", (raw: unknown) => {
      const event = parseEvent("presence", raw, PresenceEvent);
      if (event) this.dispatch({ type: "online", online: event.online });
    });
    socket.on("message.new", (raw: unknown) => {
      const event = parseEvent("message.new", raw, MessageNewEvent);
      if (!event) return;
      const { message } = event;
      if (!this.isCurrent(message.conversation_id)) return this.adoptElsewhere();
      this.catchUps.received(message.conversation_id, message.seq, this.state.thread.lastSeq);
      this.dispatch({ type: "message", message });
    });
    socket.on("typing", (raw: unknown) => {
      const event = parseEvent("typing", raw, TypingEvent);
      if (!event) return;
      const { conversation_id: conversationId, typing, by } = event;
      this.dispatch({ type: "typing", conversationId, typing, by: by.display_name });
      clearTimeout(this.agentTypingTimer);
      if (typing) {
        this.agentTypingTimer = setTimeout(
          () => this.dispatch({ type: "typing", conversationId, typing: false, by: "" }),
          TYPING_STALE_MS,
        );
      }
    });
    socket.on("messages.read", (raw: unknown) => {
      const event = parseEvent("messages.read", raw, ReadEvent);
      if (event?.by === "agent") this.dispatch({ type: "read", conversationId: event.conversation_id, seq: event.seq });
    });
    socket.on("chat.assigned", (raw: unknown) => {
      const event = parseEvent("chat.assigned", raw, AssignedEvent);
      if (!event) return;
      if (this.isCurrent(event.conversation_id))
        this.dispatch({ type: "assigned", conversationId: event.conversation_id, agent: event.agent });
      else this.adoptElsewhere();
    });
    socket.on("chat.ended", (raw: unknown) => {
      const event = parseEvent("chat.ended", raw, EndedEvent);
      if (!event) return;
      const at = new Date().toISOString();
      this.dispatch({ type: "ended", conversationId: event.conversation_id, by: event.by, at });
      // Pick up the closing system message even if its message.new raced ahead of this event.
      void this.sync(event.conversation_id);
    });
  }

  private isCurrent(conversationId: string): boolean {
    return this.state.conversation?.id === conversationId;
  }

  /** Another tab of this visitor started a chat while this one shows none (or a closed one): follow it. */
  private adoptElsewhere(): void {
    const conversation = this.state.conversation;
    if (!conversation || conversation.status === "closed") void this.resync();
  }

  private async refused(code: unknown): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    if (typeof code === "string" && (FINAL_REFUSALS.has(code) || (this.appointment && code !== "UNAVAILABLE"))) {
      // A call page's link that is over, changed or cancelled: the page itself says why on a reload.
      this.dispatch({ type: "unavailable" });
    } else if (code === "AUTH_INVALID" && this.renewals++ < 3) {
      // The server forgot this visitor: the session endpoint hands out a new token (docs/protocol.md §6.1).
      if (await this.renewSession()) socket.connect();
    } else if (code === "AUTH_INVALID") {
      this.dispatch({ type: "unavailable" });
    } else if (!socket.active) {
      // Refused for a passing reason (UNAVAILABLE): socket.io does not retry a refusal by itself.
      setTimeout(() => socket.connect(), 5000);
    }
  }

  /** The catch-up after every (re)connect: chat.current, then messages.sync after the highest seq held. */
  private async resync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    try {
      do {
        this.syncAgain = false;
        await this.catchUp();
      } while (this.syncAgain);
    } finally {
      this.syncing = false;
    }
  }

  private async catchUp(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    this.dispatch({ type: "connected", connected: true });
    this.sendPage();
    const current = await call(socket, "chat.current", {}, CurrentResult);
    if (!current.ok) {
      // The visitor record is gone (deleted after a day without a chat): a new visitor, a new connection.
      if (current.error.code === "AUTH_INVALID") {
        if (this.renewals++ < 3 && (await this.renewSession())) socket.disconnect().connect();
      } else {
        // No answer (a server busy or restarting): ask again while connected, the socket may never drop.
        this.currentAgain.later(() => {
          if (socket === this.socket && socket.connected) void this.resync();
        });
      }
      return;
    }
    this.renewals = 0;
    this.currentAgain.reset();
    const held = this.state.conversation;
    this.dispatch({ type: "current", conversation: current.value.conversation, online: current.value.online });
    if (current.value.conversation) {
      await this.catchUpWith(current.value.conversation.id);
      // An invitation or a call that went on while this page was away.
      if (current.value.conversation.status === "active") void this.calls.current(current.value.conversation.id);
    }
    // A chat that closed while this page was away: messages.sync still tells how it ended.
    else if (held && held.status !== "closed") await this.catchUpWith(held.id);
    for (const pending of toResend(this.state)) void this.deliver(pending.clientId, pending.text);
  }

  /** The catch-up of the conversation shown: from where the connection came up, or (not shown then, e.g.
   * after a page load) from the highest seq held now. */
  private async catchUpWith(conversationId: string): Promise<void> {
    this.catchUps.owe(new Map([[conversationId, this.state.thread.lastSeq]]));
    await this.catchUps.run(conversationId);
  }

  /** A chat just started (or found open): what was said before its ack (the assignment) is owed until a
   * catch-up from the start has finished. */
  private async adopted(conversationId: string): Promise<void> {
    this.catchUps.owe(new Map([[conversationId, 0]]));
    await this.catchUps.run(conversationId);
  }

  /** Everything after `from` (default: the highest seq held), while `conversationId` is the one shown (shared/sync.ts). */
  private sync(conversationId: string, from?: number): Promise<boolean> {
    return syncMessages(
      conversationId,
      {
        lastSeq: () => (this.socket && this.isCurrent(conversationId) ? this.state.thread.lastSeq : null),
        ask: (request) => this.emit("messages.sync", request, SyncResult),
        keep: (page) => this.dispatch({ type: "synced", conversation: page.conversation, messages: page.messages }),
      },
      from,
    );
  }

  private sendPage(): void {
    const socket = this.socket;
    if (!this.page || !socket?.connected || this.sentPage === this.page.url) return;
    this.sentPage = this.page.url;
    // An older server does not know page.view and never answers; a refusal (rate limit) changes nothing
    // for the visitor. Either way the chat goes on.
    void call(socket, "page.view", this.page, Okay, 5000);
  }

  // What the visitor does.

  setOpen(open: boolean): void {
    this.dispatch({ type: "open", open });
    if (this.appointment) return this.markRead();
    if (open && !this.persisted) this.adoptStored();
    if (open) {
      this.persisted = true;
      this.persist();
    }
    if (this.persisted) this.storage.setOpen(open);
    this.markRead();
  }

  /**
   * Another tab of this browser may have stored a visitor since this page loaded: continue as that visitor
   * rather than overwrite it, unless this tab already chats as its own.
   */
  private adoptStored(): void {
    const stored = this.storage.load();
    if (!stored || stored.token === this.token || this.state.conversation || this.state.pending.length) return;
    this.token = stored.token;
    this.dispatch({ type: "seen", conversationId: stored.seen.conversationId ?? "", seq: stored.seen.seq });
    this.socket?.disconnect().connect();
  }

  /** Sends a message; the first one starts the chat (with the visitor's alias, if they gave one). */
  async send(raw: string, alias?: string): Promise<void> {
    const text = raw.trim();
    if (!text) return;
    if (alias?.trim()) this.alias = alias.trim();
    const clientId = newClientId();
    this.dispatch({ type: "sending", clientId, text, at: new Date().toISOString() });
    this.stopTyping();
    await this.deliver(clientId, text);
  }

  retry(clientId: string): void {
    const pending = this.state.pending.find((p) => p.clientId === clientId);
    if (!pending) return;
    this.dispatch({ type: "retry", clientId });
    void this.deliver(clientId, pending.text);
  }

  private async deliver(clientId: string, text: string): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    const conversation = this.state.conversation;
    let reply: Ack<unknown>;
    if (!conversation) {
      const payload = { text, client_id: clientId, ...(this.alias ? { alias: this.alias } : {}) };
      const started = await call(socket, "chat.start", payload, ConversationResult);
      reply = started;
      if (started.ok) {
        this.dispatch({ type: "conversation", conversation: started.value.conversation });
        await this.adopted(started.value.conversation.id);
      }
    } else {
      const payload = { conversation_id: conversation.id, client_id: clientId, text };
      const sent = await call(socket, "message.send", payload, MessageResult);
      reply = sent;
      if (sent.ok) this.dispatch({ type: "message", message: sent.value.message });
    }
    if (reply.ok) return;
    const code = reply.error.code;
    if (code === "CONVERSATION_CLOSED") void this.resync();
    const passing = code === "TIMEOUT" || code === "OFFLINE" || code === "UNAVAILABLE" || code === "INTERNAL";
    if (this.state.pending.some((p) => p.clientId === clientId))
      this.dispatch({ type: "sendFailed", clientId, reason: passing ? "network" : "invalid" });
  }

  /** The offline message form (docs/widget.md): stored as an item for the team to answer by e-mail. When an
   * agent came online meanwhile the server refuses it, and the panel offers the chat instead. */
  async leaveMessage(name: string, email: string, text: string, lang: string): Promise<ErrorBody | null> {
    const socket = this.socket;
    if (!socket) return { code: "OFFLINE", message: "" };
    const form = { ...compact({ name }), email: email.trim(), text: text.trim(), lang };
    const key = JSON.stringify(form);
    if (this.offlineForm?.key !== key) this.offlineForm = { key, clientId: newClientId() };
    const reply = await call(socket, "offline.leave", { ...form, client_id: this.offlineForm.clientId }, OfflineResult);
    if (reply.ok) {
      this.offlineForm = null;
      return null;
    }
    if (reply.error.code === "AGENTS_ONLINE") this.dispatch({ type: "online", online: true });
    return reply.error;
  }

  /** "Send me this conversation": a copy by e-mail (at most 3 per conversation, counted by the server). */
  async requestTranscript(email: string, lang: string): Promise<ErrorBody | null> {
    const socket = this.socket;
    const conversation = this.state.conversation;
    if (!socket || !conversation) return { code: "OFFLINE", message: "" };
    const payload = { conversation_id: conversation.id, email: email.trim(), lang };
    const reply = await call(socket, "transcript.request", payload, TranscriptResult);
    return reply.ok ? null : reply.error;
  }

  async submitContact(fields: ContactFields): Promise<ErrorBody | null> {
    const socket = this.socket;
    if (!socket) return { code: "OFFLINE", message: "" };
    const conversation = this.state.conversation;
    const payload = { ...compact(fields), ...(conversation ? { conversation_id: conversation.id } : {}) };
    const reply = await call(socket, "contact.submit", payload, ContactResult);
    return reply.ok ? null : reply.error;
  }

  async endChat(): Promise<ErrorBody | null> {
    const socket = this.socket;
    const conversation = this.state.conversation;
    if (!socket || !conversation) return null;
    this.stopTyping();
    const reply = await call(socket, "chat.end", { conversation_id: conversation.id }, ConversationResult);
    if (reply.ok) {
      this.dispatch({ type: "conversation", conversation: reply.value.conversation });
      await this.sync(conversation.id);
      return null;
    }
    if (reply.error.code === "CONVERSATION_CLOSED") {
      await this.sync(conversation.id);
      return null;
    }
    return reply.error;
  }

  newChat(): void {
    this.dispatch({ type: "newChat" });
  }

  /** The visitor's token, for the requests about their own data (ui/MyData.tsx); null before a session. */
  get visitorToken(): string | null {
    return this.token;
  }

  /** The visitor's data was deleted: the browser forgets the token, and the widget starts over as a new visitor
   * of whom nothing is stored in the browser until the widget is opened again. */
  async forget(): Promise<void> {
    this.storage.forget();
    this.token = null;
    this.persisted = false;
    this.socket?.disconnect();
    this.dispatch({ type: "newChat" });
    if (await this.renewSession()) this.socket?.connect();
  }

  /** The composer's text changed: tell the agent the visitor types, or stopped (shared/typing.ts). */
  typing(text: string): void {
    const conversation = this.state.conversation;
    if (!this.socket?.connected || conversation?.status !== "active") return;
    this.typist.input(conversation.id, text.trim() !== "");
  }

  private stopTyping(): void {
    const conversation = this.state.conversation;
    if (conversation) this.typist.stop(conversation.id);
  }

  private sendTyping(conversationId: string, typing: boolean): void {
    const conversation = this.state.conversation;
    // Only an active chat has somebody to tell; one that ended (or was left for a new one) needs no "stopped".
    if (conversation?.id !== conversationId || conversation.status !== "active") return;
    void this.emit("typing", { conversation_id: conversationId, typing }, Okay);
  }

  /** While the panel is open and the page visible: the badge clears and the agent learns what was read. */
  private markRead(): void {
    const { open, conversation, thread, seen } = this.state;
    if (!open || !conversation || document.visibilityState !== "visible") return;
    const last = thread.lastSeq;
    if (last === 0) return;
    if (seen.conversationId !== conversation.id || seen.seq < last) {
      this.dispatch({ type: "seen", conversationId: conversation.id, seq: last });
      this.persist();
    }
    const socket = this.socket;
    if (socket?.connected && (this.readSent.get(conversation.id) ?? 0) < last) {
      this.readSent.set(conversation.id, last);
      void call(socket, "messages.read", { conversation_id: conversation.id, seq: last }, Okay);
    }
  }

  private persist(): void {
    if (this.persisted && this.token) this.storage.save(this.token, this.state.seen);
  }
}

/** The non-empty, trimmed fields of `fields` (the server treats absent and null alike). */
function compact(fields: object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields))
    if (typeof value === "string" && value.trim()) out[key] = value.trim();
  return out;
}
