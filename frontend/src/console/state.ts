// The console's state and the pure reducer that every server event and user action goes through. No DOM,
// no socket: unit-tested against the protocol fixtures (state.test.ts). widget/state.ts is its twin.
import type { Message } from "../shared/wire";
import { emptyThread, mergeMessages, type Thread } from "../shared/thread";
import { TYPING_STALE_MS } from "../shared/typing";
import type { AgentConversation, AgentState, Status, TrailPage, User, Tenant, Visitor } from "./wire";

export type Connection = "connecting" | "connected" | "reconnecting";

export interface Pending {
  client_id: string;
  text: string;
  failed: string | null;
}

export interface Chat {
  conversation: AgentConversation;
  thread: Thread;
  unread: number;
  /** Who is typing and until when (ms); the server never ends a typing state itself (§7.8). */
  typing: { name: string; until: number } | null;
  pending: readonly Pending[];
  /** The server has messages before the first one in `thread`: "Load earlier messages" fetches them. */
  earlier: boolean;
  /** Set when the chat left this agent: ended, or transferred away. The tab stays until dismissed. */
  gone: { reason: "ended" | "transferred" | "requeued"; by: string } | null;
  trail: readonly TrailPage[] | null;
}

export interface State {
  me: User | null;
  tenant: Tenant | null;
  status: Status;
  connection: Connection;
  queue: readonly AgentConversation[];
  /** Last text seen per queued conversation (queued chats' messages reach every console, §7.5). */
  queuePreview: Readonly<Record<string, string>>;
  chats: Readonly<Record<string, Chat>>;
  /** Tab order: oldest first. */
  tabs: readonly string[];
  active: string | null;
  agents: Readonly<Record<string, AgentState>>;
  /** null until loaded; "unsupported" when the server has no visitors.live yet. */
  live: readonly Visitor[] | null | "unsupported";
}

export const initialState: State = {
  me: null,
  tenant: null,
  status: "offline",
  connection: "connecting",
  queue: [],
  queuePreview: {},
  chats: {},
  tabs: [],
  active: null,
  agents: {},
  live: null,
};

export type Action =
  | { type: "session"; me: User; tenant: Tenant }
  | { type: "signedOut" }
  | { type: "connection"; connection: Connection }
  | { type: "status"; status: Status }
  /** The whole queue (queue.list, after every (re)connect). */
  | { type: "queue"; conversations: readonly AgentConversation[] }
  /** What joined and left the queue (queue.updated). */
  | { type: "queueDelta"; added: readonly AgentConversation[]; removed: readonly string[] }
  | { type: "chats"; conversations: readonly AgentConversation[] }
  | { type: "assigned"; conversation: AgentConversation; messages: readonly Message[]; hasEarlier: boolean; focused: boolean }
  | { type: "synced"; conversation: AgentConversation; messages: readonly Message[] }
  /** A page of history (messages.before): the newest one, or the one before the first message shown. */
  | { type: "page"; conversation_id: string; messages: readonly Message[]; hasEarlier: boolean }
  | { type: "message"; message: Message; focused: boolean }
  | { type: "typing"; conversation_id: string; typing: boolean; name: string; now: number }
  | { type: "typingExpired"; now: number }
  | { type: "visitorRead"; conversation_id: string; seq: number }
  | { type: "ended"; conversation_id: string; by: string }
  | { type: "transferred"; conversation_id: string; to: string }
  | { type: "closedByMe"; conversation: AgentConversation }
  | { type: "visitor"; visitor: Visitor }
  | { type: "agents"; agents: readonly AgentState[] }
  | { type: "presence"; agent: AgentState }
  | { type: "select"; id: string | null }
  | { type: "dismiss"; id: string }
  | { type: "pending"; conversation_id: string; pending: Pending }
  | { type: "sent"; conversation_id: string; client_id: string; message: Message }
  | { type: "sendFailed"; conversation_id: string; client_id: string; error: string }
  | { type: "trail"; conversation_id: string; pages: readonly TrailPage[] }
  | { type: "live"; visitors: readonly Visitor[] | "unsupported" };

function newChat(conversation: AgentConversation): Chat {
  return { conversation, thread: emptyThread, unread: 0, typing: null, pending: [], earlier: false, gone: null, trail: null };
}

/**
 * A page of history into a chat's thread. A page that does not join the thread (the chat came back to me
 * after many more messages) replaces it, so that paging back never leaves a gap in the middle.
 */
function withPage(chat: Chat, page: readonly Message[], hasEarlier: boolean): Chat {
  if (page.length === 0) return hasEarlier || !chat.earlier ? chat : { ...chat, earlier: false };
  const first = Math.min(...page.map((m) => m.seq));
  const shownFirst = chat.thread.messages[0]?.seq;
  if (shownFirst === undefined || first > chat.thread.lastSeq + 1) {
    return { ...chat, thread: mergeMessages(emptyThread, page), earlier: hasEarlier };
  }
  return { ...chat, thread: mergeMessages(chat.thread, page), earlier: first < shownFirst ? hasEarlier : chat.earlier };
}

/** My chats that are back in the queue (I went offline, §8) are no longer mine: say so on their tabs. */
function markRequeued(chats: State["chats"], queued: readonly AgentConversation[]): State["chats"] {
  let next = chats;
  for (const c of queued) {
    const chat = next[c.id];
    if (chat && !chat.gone) next = { ...next, [c.id]: { ...chat, conversation: c, typing: null, gone: { reason: "requeued", by: "" } } };
  }
  return next;
}

/**
 * Queued views that are not older than what I hold of the same chat. A queue.list answer or an "added" delta
 * can be overtaken on the way by the chat's assignment to me (its epoch is then lower than my chat's): such a
 * view is stale, and must neither put the chat back into the queue nor mark my tab requeued.
 */
function current(state: State, queued: readonly AgentConversation[]): AgentConversation[] {
  return queued.filter((c) => {
    const mine = state.chats[c.id];
    return !mine || c.epoch >= mine.conversation.epoch;
  });
}

function withQueue(state: State, queue: readonly AgentConversation[]): State {
  const ids = new Set(queue.map((c) => c.id));
  const queuePreview = Object.fromEntries(Object.entries(state.queuePreview).filter(([id]) => ids.has(id)));
  return { ...state, queue, queuePreview };
}

/** Longest waiting first, as queue.list answers. */
function byWaiting(a: AgentConversation, b: AgentConversation): number {
  return Date.parse(a.created_at) - Date.parse(b.created_at);
}

function countUnread(messages: readonly Message[]): number {
  return messages.filter((m) => m.sender.kind === "visitor").length;
}

function withChat(state: State, id: string, update: (chat: Chat) => Chat): State {
  const chat = state.chats[id];
  if (!chat) return state;
  const next = update(chat);
  return next === chat ? state : { ...state, chats: { ...state.chats, [id]: next } };
}

function addTab(state: State, id: string): Pick<State, "tabs" | "active"> {
  const tabs = state.tabs.includes(id) ? state.tabs : [...state.tabs, id];
  return { tabs, active: state.active ?? id };
}

export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case "session":
      return { ...state, me: action.me, tenant: action.tenant };
    case "signedOut":
      return initialState;
    case "connection":
      return { ...state, connection: action.connection };
    case "status":
      return { ...state, status: action.status };
    case "queue": {
      const queued = current(state, action.conversations);
      return { ...withQueue(state, queued), chats: markRequeued(state.chats, queued) };
    }
    case "queueDelta": {
      const added = current(state, action.added);
      const changed = new Set([...action.removed, ...added.map((c) => c.id)]);
      const queue = [...state.queue.filter((c) => !changed.has(c.id)), ...added].sort(byWaiting);
      return { ...withQueue(state, queue), chats: markRequeued(state.chats, added) };
    }
    case "chats": {
      // chats.list: the active chats assigned to me. Keep threads already loaded; tabs of chats that are
      // no longer mine stay (messages.sync tells what happened to them). An answer read before a chat was
      // transferred away or ended can arrive after that event: a chat marked gone comes back only with a
      // newer epoch (handed back to me), never with the epoch it had when it left.
      let next = state;
      for (const conversation of action.conversations) {
        const chat = next.chats[conversation.id];
        if (chat?.gone && conversation.epoch <= chat.conversation.epoch) continue;
        next = {
          ...next,
          chats: { ...next.chats, [conversation.id]: chat ? { ...chat, conversation, gone: null } : newChat(conversation) },
          ...addTab(next, conversation.id),
        };
      }
      return next;
    }
    case "assigned": {
      const existing = state.chats[action.conversation.id];
      const base = existing ? { ...existing, conversation: action.conversation, gone: null } : newChat(action.conversation);
      const paged = withPage(base, action.messages, action.hasEarlier);
      const isNew = !existing || existing.gone !== null;
      const seen = state.active === action.conversation.id && action.focused;
      // A chat transferred to me: what the previous agent read (agent_read_seq) is not new.
      const fresh = action.messages.filter((m) => m.seq > action.conversation.agent_read_seq);
      const unread = seen ? 0 : isNew ? countUnread(fresh) : base.unread;
      const chats = { ...state.chats, [action.conversation.id]: { ...paged, unread } };
      const queue = state.queue.filter((c) => c.id !== action.conversation.id);
      return { ...state, chats, queue, ...addTab(state, action.conversation.id) };
    }
    case "synced":
      return withChat(state, action.conversation.id, (chat) => {
        const thread = mergeMessages(chat.thread, action.messages);
        const conversation = action.conversation;
        const mine = conversation.status === "active" && conversation.agent?.id === state.me?.id;
        let gone = chat.gone;
        if (conversation.status === "closed") gone = { reason: "ended", by: conversation.closed_by ?? "system" };
        // No agent: back in the queue, which the conversation words in the console's language.
        else if (!mine && !gone) gone = { reason: "transferred", by: conversation.agent?.display_name ?? "" };
        const unread = chat.unread + countUnread(action.messages.filter((m) => m.seq > chat.thread.lastSeq));
        return { ...chat, conversation, thread, gone, unread: state.active === conversation.id ? chat.unread : unread };
      });
    case "page":
      return withChat(state, action.conversation_id, (chat) => {
        // Only what is newer than the thread and than the agent side's read marker is unread: a reload reads
        // the newest page again, an earlier page is old news.
        const floor = Math.max(chat.thread.lastSeq, chat.conversation.agent_read_seq);
        const fresh = state.active === chat.conversation.id ? 0 : countUnread(action.messages.filter((m) => m.seq > floor));
        return { ...withPage(chat, action.messages, action.hasEarlier), unread: chat.unread + fresh };
      });
    case "message": {
      const { message } = action;
      const chat = state.chats[message.conversation_id];
      if (!chat) {
        if (message.kind === "text" && state.queue.some((c) => c.id === message.conversation_id)) {
          return { ...state, queuePreview: { ...state.queuePreview, [message.conversation_id]: message.text } };
        }
        return state;
      }
      const thread = mergeMessages(chat.thread, [message]);
      if (thread === chat.thread) return state;
      const fromVisitor = message.sender.kind === "visitor";
      const seen = state.active === message.conversation_id && action.focused;
      const pending = chat.pending.filter((p) => p.client_id !== message.client_id);
      const typing = fromVisitor ? null : chat.typing;
      const unread = fromVisitor && !seen ? chat.unread + 1 : chat.unread;
      return { ...state, chats: { ...state.chats, [message.conversation_id]: { ...chat, thread, pending, typing, unread } } };
    }
    case "typing":
      return withChat(state, action.conversation_id, (chat) => ({
        ...chat,
        typing: action.typing ? { name: action.name, until: action.now + TYPING_STALE_MS } : null,
      }));
    case "typingExpired": {
      let next = state;
      for (const [id, chat] of Object.entries(state.chats)) {
        if (chat.typing && chat.typing.until <= action.now) next = withChat(next, id, (c) => ({ ...c, typing: null }));
      }
      return next;
    }
    case "visitorRead":
      return withChat(state, action.conversation_id, (chat) =>
        action.seq > chat.conversation.visitor_read_seq
          ? { ...chat, conversation: { ...chat.conversation, visitor_read_seq: action.seq } }
          : chat,
      );
    case "ended":
      return withChat(state, action.conversation_id, (chat) => ({
        ...chat,
        typing: null,
        gone: { reason: "ended", by: action.by },
        conversation: { ...chat.conversation, status: "closed", closed_by: action.by },
      }));
    case "closedByMe":
      return dismiss({ ...state, queue: state.queue.filter((c) => c.id !== action.conversation.id) }, action.conversation.id);
    case "transferred":
      return withChat(state, action.conversation_id, (chat) => ({
        ...chat,
        typing: null,
        gone: { reason: "transferred", by: action.to },
      }));
    case "visitor": {
      const v = action.visitor;
      const merge = (c: AgentConversation): AgentConversation =>
        c.visitor.id === v.id ? { ...c, visitor: { ...c.visitor, ...v, current_page: v.current_page === undefined ? c.visitor.current_page : v.current_page } } : c;
      const chats: Record<string, Chat> = {};
      for (const [id, chat] of Object.entries(state.chats)) chats[id] = { ...chat, conversation: merge(chat.conversation) };
      let live = state.live;
      if (Array.isArray(live)) {
        const list = live as readonly Visitor[];
        const gone = v.current_page === null;
        const known = list.some((x) => x.id === v.id);
        live = gone ? list.filter((x) => x.id !== v.id) : known ? list.map((x) => (x.id === v.id ? { ...x, ...v } : x)) : v.current_page ? [...list, v] : list;
      }
      return { ...state, chats, queue: state.queue.map(merge), live };
    }
    case "agents":
      return { ...state, agents: Object.fromEntries(action.agents.map((a) => [a.agent_id, a])) };
    case "presence": {
      const status = action.agent.agent_id === state.me?.id ? action.agent.status : state.status;
      return { ...state, status, agents: { ...state.agents, [action.agent.agent_id]: action.agent } };
    }
    case "select": {
      if (action.id === null) return { ...state, active: null };
      const next = withChat(state, action.id, (chat) => (chat.unread ? { ...chat, unread: 0 } : chat));
      return { ...next, active: action.id };
    }
    case "dismiss":
      return dismiss(state, action.id);
    case "pending":
      return withChat(state, action.conversation_id, (chat) => ({
        ...chat,
        pending: [...chat.pending.filter((p) => p.client_id !== action.pending.client_id), action.pending],
      }));
    case "sent":
      return withChat(state, action.conversation_id, (chat) => ({
        ...chat,
        thread: mergeMessages(chat.thread, [action.message]),
        pending: chat.pending.filter((p) => p.client_id !== action.client_id),
      }));
    case "sendFailed":
      return withChat(state, action.conversation_id, (chat) => ({
        ...chat,
        pending: chat.pending.map((p) => (p.client_id === action.client_id ? { ...p, failed: action.error } : p)),
      }));
    case "trail":
      return withChat(state, action.conversation_id, (chat) => ({ ...chat, trail: action.pages }));
    case "live":
      return { ...state, live: action.visitors };
  }
}

function dismiss(state: State, id: string): State {
  if (!state.chats[id]) return state;
  const chats = { ...state.chats };
  delete chats[id];
  const index = state.tabs.indexOf(id);
  const tabs = state.tabs.filter((t) => t !== id);
  const active = state.active === id ? (tabs[Math.min(index, tabs.length - 1)] ?? null) : state.active;
  return { ...state, chats, tabs, active };
}

// Derived values

export function totalUnread(state: State): number {
  return Object.values(state.chats).reduce((sum, chat) => sum + chat.unread, 0);
}

/** The number in the title badge: unread messages plus visitors waiting in the queue. */
export function badgeCount(state: State): number {
  return totalUnread(state) + state.queue.length;
}

export function titleFor(count: number, base = "wsChat"): string {
  return count > 0 ? `(${count}) ${base}` : base;
}

/** Colleagues a chat can go to: online, connected, with a free slot, not me (§8 "available"). */
export function transferTargets(state: State): AgentState[] {
  return Object.values(state.agents)
    .filter((a) => a.agent_id !== state.me?.id && a.available && a.status === "online" && a.open_chats < a.max_chats)
    .sort((a, b) => a.open_chats - b.open_chats || a.display_name.localeCompare(b.display_name));
}

/** The highest seq in the chat that came from the visitor or the system, for `messages.read`. */
export function lastSeq(chat: Chat): number {
  return chat.thread.lastSeq;
}
