// The widget's state and every change to it, as a pure reducer: no socket, no DOM, so it is unit-tested
// against the protocol fixtures. widget/controller.ts feeds it from the server; the UI only reads it.
import { emptyThread, mergeMessages, type Thread } from "../shared/thread";
import type { AgentIdentity, Conversation, Message } from "../shared/wire";

export interface Pending {
  clientId: string;
  text: string;
  at: string;
  /** null while it is on its way; "network" is resent on reconnect, "invalid" is not. */
  failed: null | "network" | "invalid";
}

export interface Seen {
  conversationId: string | null;
  seq: number;
}

export interface WidgetState {
  /** loading: until the first connect; unavailable: the chat cannot be used (locked tenant, refused origin). */
  phase: "loading" | "ready" | "unavailable";
  connected: boolean;
  online: boolean;
  open: boolean;
  conversation: Conversation | null;
  thread: Thread;
  pending: readonly Pending[];
  /** The agent's alias while they type. */
  agentTyping: string | null;
  /** The highest seq the visitor has seen with the panel open, per conversation (for the unread badge). */
  seen: Seen;
}

export type Action =
  | { type: "online"; online: boolean }
  | { type: "connected"; connected: boolean }
  | { type: "unavailable" }
  | { type: "open"; open: boolean }
  | { type: "current"; conversation: Conversation | null; online: boolean }
  | { type: "conversation"; conversation: Conversation }
  | { type: "synced"; conversation: Conversation; messages: readonly Message[] }
  | { type: "message"; message: Message }
  | { type: "sending"; clientId: string; text: string; at: string }
  | { type: "sendFailed"; clientId: string; reason: "network" | "invalid" }
  | { type: "retry"; clientId: string }
  | { type: "typing"; conversationId: string; typing: boolean; by: string }
  | { type: "read"; conversationId: string; seq: number }
  | { type: "assigned"; conversationId: string; agent: AgentIdentity | null }
  | { type: "ended"; conversationId: string; by: "visitor" | "agent" | "system"; at: string }
  | { type: "newChat" }
  | { type: "seen"; conversationId: string; seq: number };

export function initialState(seen: Seen = { conversationId: null, seq: 0 }, open = false): WidgetState {
  return {
    phase: "loading",
    connected: false,
    online: false,
    open,
    conversation: null,
    thread: emptyThread,
    pending: [],
    agentTyping: null,
    seen,
  };
}

const isCurrent = (state: WidgetState, conversationId: string): boolean =>
  state.conversation?.id === conversationId;

/** Switches to `conversation`, keeping the thread only when it is the same one. */
function withConversation(state: WidgetState, conversation: Conversation): WidgetState {
  if (isCurrent(state, conversation.id)) {
    const agentTyping = conversation.status === "active" ? state.agentTyping : null;
    return { ...state, conversation, agentTyping };
  }
  return { ...state, conversation, thread: emptyThread, agentTyping: null };
}

function withMessages(state: WidgetState, messages: readonly Message[]): WidgetState {
  const own = messages.filter((m) => isCurrent(state, m.conversation_id) && m.visibility === "all");
  const thread = mergeMessages(state.thread, own);
  const arrived = new Set(own.map((m) => m.client_id));
  const pending = state.pending.filter((p) => !arrived.has(p.clientId));
  const fromAgent = own.some((m) => m.sender.kind === "agent");
  const agentTyping = fromAgent ? null : state.agentTyping;
  if (thread === state.thread && pending.length === state.pending.length && agentTyping === state.agentTyping)
    return state;
  return { ...state, thread, pending, agentTyping };
}

export function reduce(state: WidgetState, action: Action): WidgetState {
  switch (action.type) {
    case "online":
      return { ...state, online: action.online };
    case "connected":
      return { ...state, connected: action.connected, agentTyping: action.connected ? state.agentTyping : null };
    case "unavailable":
      return { ...state, phase: "unavailable", connected: false };
    case "open":
      return { ...state, open: action.open };
    case "current": {
      const ready = { ...state, phase: "ready" as const, online: action.online };
      // A chat that closed while we were away is no longer "current": keep it, messages.sync tells its end.
      if (action.conversation === null) return ready;
      return withConversation(ready, action.conversation);
    }
    case "conversation":
      return withConversation(state, action.conversation);
    case "synced":
      return withMessages(withConversation(state, action.conversation), action.messages);
    case "message":
      return withMessages(state, [action.message]);
    case "sending":
      return {
        ...state,
        pending: [...state.pending, { clientId: action.clientId, text: action.text, at: action.at, failed: null }],
      };
    case "sendFailed":
    case "retry": {
      const failed = action.type === "sendFailed" ? action.reason : null;
      const pending = state.pending.map((p) => (p.clientId === action.clientId ? { ...p, failed } : p));
      return { ...state, pending };
    }
    case "typing":
      if (!isCurrent(state, action.conversationId)) return state;
      return { ...state, agentTyping: action.typing ? action.by : null };
    case "read": {
      const conversation = state.conversation;
      if (!conversation || conversation.id !== action.conversationId) return state;
      if (action.seq <= conversation.agent_read_seq) return state;
      return { ...state, conversation: { ...conversation, agent_read_seq: action.seq } };
    }
    case "assigned": {
      const conversation = state.conversation;
      if (!conversation || conversation.id !== action.conversationId || conversation.status === "closed") return state;
      const status = action.agent ? "active" : "queued";
      return { ...state, agentTyping: null, conversation: { ...conversation, agent: action.agent, status } };
    }
    case "ended": {
      const conversation = state.conversation;
      if (!conversation || conversation.id !== action.conversationId || conversation.status === "closed") return state;
      const closed = { ...conversation, status: "closed" as const, closed_by: action.by, closed_at: action.at };
      return { ...state, agentTyping: null, conversation: closed };
    }
    case "newChat":
      return { ...state, conversation: null, thread: emptyThread, pending: [], agentTyping: null };
    case "seen": {
      const same = state.seen.conversationId === action.conversationId;
      if (same && action.seq <= state.seen.seq) return state;
      return { ...state, seen: { conversationId: action.conversationId, seq: action.seq } };
    }
  }
}

// Views of the state the UI needs.

export type View = "loading" | "unavailable" | "start" | "offline" | "chat";

export function view(state: WidgetState): View {
  if (state.phase !== "ready") return state.phase;
  if (state.conversation) return "chat";
  return state.online ? "start" : "offline";
}

/** Messages from the agent side the visitor has not seen yet (the launcher's badge). */
export function unreadCount(state: WidgetState): number {
  const seen = state.seen.conversationId === state.conversation?.id ? state.seen.seq : 0;
  return state.thread.messages.filter((m) => m.seq > seen && m.sender.kind !== "visitor").length;
}

/** The seq of the visitor's newest message the agent has read: "Seen" goes under it. */
export function seenByAgent(state: WidgetState): number | null {
  const marker = state.conversation?.agent_read_seq ?? 0;
  const read = state.thread.messages.filter((m) => m.sender.kind === "visitor" && m.seq <= marker);
  return read.length ? read[read.length - 1]!.seq : null;
}

/** Pending messages to send again after a reconnect. */
export function toResend(state: WidgetState): Pending[] {
  return state.pending.filter((p) => p.failed !== "invalid");
}
