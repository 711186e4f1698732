// Console-side schemas (docs/protocol.md §4, §7.1, §9.2, §10.2). Every REST answer and socket payload is
// parsed with one of these before anything else sees it. `v.object` drops unknown keys, so fields the
// server adds later do no harm; fields being added right now (page tracking, branding) are optional.
import * as v from "valibot";
import { AgentIdentity, ConversationEntries, Message } from "../shared/wire";

const Time = v.string();
const str = v.nullable(v.string());

export const Page = v.object({
  url: v.string(),
  title: v.optional(str, null),
  entered_at: v.optional(str, null),
});
export type Page = v.InferOutput<typeof Page>;

export const TrailPage = v.object({
  url: v.string(),
  title: v.optional(str, null),
  referrer: v.optional(str, null),
  entered_at: v.optional(str, null),
  left_at: v.optional(str, null),
  seconds: v.optional(v.nullable(v.number()), null),
});
export type TrailPage = v.InferOutput<typeof TrailPage>;

export const Visitor = v.object({
  id: v.string(),
  display_name: v.string(),
  name: v.optional(str, null),
  alias: v.optional(str, null),
  contact: v.optional(
    v.object({ name: v.optional(str, null), email: v.optional(str, null), phone: v.optional(str, null) }),
    { name: null, email: null, phone: null },
  ),
  ip: v.optional(str, null),
  country: v.optional(str, null),
  user_agent: v.optional(str, null),
  first_seen: v.optional(str, null),
  last_seen: v.optional(str, null),
  current_page: v.optional(v.nullable(Page)),
  conversation: v.optional(
    v.nullable(v.object({ id: v.string(), status: v.picklist(["queued", "active", "closed"]) })),
  ),
});
export type Visitor = v.InferOutput<typeof Visitor>;

export const AgentConversation = v.object({
  ...ConversationEntries,
  /** Counts the conversation's transitions: of two views of one chat, the higher epoch is the newer. */
  epoch: v.number(),
  visitor: Visitor,
  visitor_read_seq: v.number(),
  visitor_left_at: str,
});
export type AgentConversation = v.InferOutput<typeof AgentConversation>;

export const Status = v.picklist(["online", "away", "offline"]);
export type Status = v.InferOutput<typeof Status>;

export const AgentState = v.object({
  agent_id: v.string(),
  display_name: v.string(),
  photo_url: str,
  status: Status,
  connected: v.boolean(),
  open_chats: v.number(),
  max_chats: v.number(),
  available: v.boolean(),
});
export type AgentState = v.InferOutput<typeof AgentState>;

export const User = v.object({
  id: v.string(),
  tenant_id: v.string(),
  login: v.string(),
  display_name: v.string(),
  role: v.picklist(["admin", "agent"]),
  max_chats: v.number(),
  disabled: v.boolean(),
  photo_url: str,
  created_at: Time,
});
export type User = v.InferOutput<typeof User>;

export const Texts = v.object({
  title: v.string(),
  greeting: v.string(),
  offline: v.string(),
  queued: v.string(),
});
export type Texts = v.InferOutput<typeof Texts>;

/** Branding as PATCH /api/tenant takes it; every field optional when read back. */
export const StoredBranding = v.object({
  primary_color: v.optional(v.string()),
  text_color: v.optional(v.string()),
  position: v.optional(v.picklist(["left", "right"])),
  logo_url: v.optional(str),
  language: v.optional(v.picklist(["auto", "de", "en"])),
  texts: v.optional(v.object({ en: v.optional(v.partial(Texts)), de: v.optional(v.partial(Texts)) })),
});
export type StoredBranding = v.InferOutput<typeof StoredBranding>;

/** The tenant's contract as its account page shows it (docs/privacy.md, *Lifecycle*). */
export const Contract = v.object({
  state: v.string(),
  demo_ends_at: v.optional(str, null),
  contract_ends_at: v.optional(str, null),
  chat_data_deleted_at: v.optional(str, null),
  export_until: v.optional(str, null),
  master_data_deleted_at: v.optional(str, null),
  legal_hold: v.optional(v.boolean(), false),
});

export const Tenant = v.object({
  id: v.string(),
  slug: v.string(),
  name: v.string(),
  plan: v.string(),
  demo_ends_at: v.optional(str, null),
  contract: v.optional(v.nullable(Contract), null),
  allowed_origins: v.array(v.string()),
  ip_truncation: v.boolean(),
  auto_assign: v.boolean(),
  visitor_timeout_minutes: v.number(),
  archive_open_to_agents: v.optional(v.boolean(), false),
  branding: v.optional(v.nullable(StoredBranding)),
});
export type Tenant = v.InferOutput<typeof Tenant>;

export const SessionAnswer = v.object({ token: v.string(), expires_at: Time, user: User, tenant: Tenant });
export type SessionAnswer = v.InferOutput<typeof SessionAnswer>;

export const WidgetConfig = v.object({
  language: v.picklist(["auto", "de", "en"]),
  branding: v.object({
    primary_color: v.string(),
    text_color: v.string(),
    position: v.picklist(["left", "right"]),
    logo_url: str,
  }),
  texts: v.object({ en: Texts, de: Texts }),
});
export type WidgetConfig = v.InferOutput<typeof WidgetConfig>;

/** GET/PATCH /api/tenant/video (§4 "Video settings"): secrets never come back, only whether they are set. */
export const VideoSettings = v.object({
  mode: v.picklist(["p2p", "jitsi"]),
  stun_urls: v.array(v.string()),
  turn_urls: v.array(v.string()),
  turn_secret_set: v.boolean(),
  turn_ttl_seconds: v.number(),
  allow_visitor_calls: v.boolean(),
  allow_visitor_screen_share: v.boolean(),
  invite_timeout_seconds: v.number(),
  jitsi: v.object({
    domain: str,
    app_id: str,
    secret_set: v.boolean(),
    audience: v.string(),
    sub: v.string(),
    token_ttl_seconds: v.number(),
  }),
});
export type VideoSettings = v.InferOutput<typeof VideoSettings>;

/** GET/PATCH /api/tenant/retention (§4 "Retention"): days per data category within the operator's maxima. */
export const RetentionCategory = v.object({
  days: v.number(),
  max_days: v.number(),
  min_days: v.number(),
  /** False: the tenant chose nothing and keeps the operator's maximum. */
  chosen: v.boolean(),
});
export const RetentionSettings = v.object({
  categories: v.record(v.string(), RetentionCategory),
  ip_action: v.picklist(["delete", "shorten"]),
  legal_hold: v.boolean(),
});
export type RetentionSettings = v.InferOutput<typeof RetentionSettings>;

/** GET/PUT /api/mail/settings (§4 "E-mail"): the tenant's own mail server; the password never comes back. */
export const MailSettings = v.object({
  smtp_url: str,
  from_address: str,
  password_set: v.boolean(),
  operator_server: v.boolean(),
});
export type MailSettings = v.InferOutput<typeof MailSettings>;

/** One mail of the outbox (never its body). */
export const Mail = v.object({
  id: v.string(),
  to: v.string(),
  subject: v.string(),
  status: v.picklist(["queued", "sending", "sent", "failed"]),
  attempts: v.number(),
  next_attempt_at: v.nullable(Time),
  last_error: str,
  created_at: Time,
  sent_at: v.nullable(Time),
});
export type Mail = v.InferOutput<typeof Mail>;

/** The archive (§4 "The archive"): one past conversation in the list; `snippet` is text parts, never HTML. */
export const SnippetPart = v.object({ text: v.string(), hit: v.boolean() });
export const ArchiveEntry = v.object({
  id: v.string(),
  created_at: Time,
  closed_at: v.nullable(Time),
  outcome: v.picklist(["answered", "missed", "offline"]),
  agent_id: str,
  visitor: v.object({ name: str, email: str, phone: str, country: str }),
  message_count: v.number(),
  snippet: v.nullable(v.array(SnippetPart)),
});
export type ArchiveEntry = v.InferOutput<typeof ArchiveEntry>;
export const ArchiveAnswer = v.object({ conversations: v.array(ArchiveEntry), next: str });
/** A copy made of a conversation: mailed to the visitor (`visitor`), forwarded (`agent`), exported (`export`). */
export const Transcript = v.object({
  id: v.string(),
  kind: v.string(),
  to: v.string(),
  at: v.string(),
  by: v.object({ id: str, display_name: v.string() }),
  note: str,
});
export const ArchiveDetail = v.object({
  conversation: v.object({
    id: v.string(),
    created_at: Time,
    closed_at: v.nullable(Time),
    origin: v.string(),
    outcome: v.string(),
    agents: v.array(v.object({ id: v.string(), display_name: str })),
  }),
  visitor: v.nullable(
    v.object({
      name: v.optional(str, null),
      alias: v.optional(str, null),
      contact: v.optional(v.object({ name: v.optional(str, null), email: v.optional(str, null), phone: v.optional(str, null) }), {}),
      country: v.optional(str, null),
      ip: v.optional(str, null),
    }),
  ),
  messages: v.array(Message),
  pages: v.array(v.object({ url: v.string(), title: str, entered_at: v.nullable(Time), seconds: v.nullable(v.number()) })),
  calls: v.array(v.object({ id: v.string(), kind: v.string(), started_at: v.nullable(Time), duration: v.number(), started_by: v.string() })),
  history: v.array(v.object({ kind: str, at: v.nullable(Time), agent_id: str })),
  copies: v.optional(v.array(Transcript), []),
});
export type ArchiveDetail = v.InferOutput<typeof ArchiveDetail>;
export const ExportRecord = v.object({
  id: v.string(),
  user_name: v.string(),
  format: v.string(),
  filter: v.record(v.string(), v.unknown()),
  rows: v.number(),
  at: Time,
});
export type ExportRecord = v.InferOutput<typeof ExportRecord>;
export const ExportsAnswer = v.object({ exports: v.array(ExportRecord), next: str });

// The audit log (§4 "The audit log"): who did what to which record, when, with counts.
export const AuditEntry = v.object({
  id: v.string(),
  at: Time,
  action: v.string(),
  actor: v.object({ kind: v.string(), id: v.string(), name: str }),
  target: v.nullable(v.object({ kind: v.string(), id: v.string() })),
  details: v.record(v.string(), v.unknown()),
});
export type AuditEntry = v.InferOutput<typeof AuditEntry>;
export const AuditAnswer = v.object({ entries: v.array(AuditEntry), next: str });

// REST answers
export const MailSettingsAnswer = v.object({ mail: MailSettings });
export const MailAnswer = v.object({ mail: Mail });

// Offline messages (§4 "Offline messages") and transcripts (§4 "Transcripts").
export const OfflineItem = v.object({
  id: v.string(),
  created_at: v.string(),
  visitor: v.object({ id: v.string(), display_name: str }),
  email: str,
  lang: str,
  text: v.string(),
  answer_state: str,
  done_at: str,
  done_by: str,
});
export type OfflineItem = v.InferOutput<typeof OfflineItem>;
export const OfflineList = v.object({ items: v.array(OfflineItem), next_after: str, open: v.number() });
export const OfflineItemAnswer = v.object({ item: OfflineItem });
export const TranscriptAnswer = v.object({ transcript: Transcript });
export const OutboxAnswer = v.object({ mails: v.array(Mail), next_before: str });
export const AgentsAnswer = v.object({ agents: v.array(User) });
export const AgentAnswer = v.object({ agent: User });
export const TenantAnswer = v.object({ tenant: Tenant });
export const VideoAnswer = v.object({ video: VideoSettings });
export const RetentionAnswer = v.object({ retention: RetentionSettings });

// Socket acks (§9.2)
export const StatusAck = v.object({ status: Status, agent: AgentState });
export const AgentsListAck = v.object({ agents: v.array(AgentState) });
export const ConversationsAck = v.object({ conversations: v.array(AgentConversation) });
export const ConversationAck = v.object({ conversation: AgentConversation });
export const MessageAck = v.object({ message: Message });
export const SyncAck = v.object({ conversation: AgentConversation, messages: v.array(Message) });
/** messages.before: a page of history, oldest first, and whether the conversation has earlier messages. */
export const PageAck = v.object({ messages: v.array(Message), has_earlier: v.boolean() });
export const OkAck = v.object({ ok: v.literal(true) });
export const LiveAck = v.object({ visitors: v.array(Visitor) });
export const PagesAck = v.object({ pages: v.array(TrailPage) });

/** queue.updated: what joined and what left the queue since the last event (queue.list has the whole). */
export const QueueDelta = v.object({ added: v.array(AgentConversation), removed: v.array(v.string()) });
export type QueueDelta = v.InferOutput<typeof QueueDelta>;

// Server → agent events (§10.2)
export const events = {
  "offline.count": v.object({ open: v.number() }),
  "queue.updated": QueueDelta,
  /** `messages` is the newest page of the history; `has_earlier` says whether there is more before it. */
  "chat.assigned": v.object({ conversation: AgentConversation, messages: v.array(Message), has_earlier: v.boolean() }),
  "chat.transferred": v.object({ conversation_id: v.string(), to: AgentIdentity }),
  "message.new": v.object({ message: Message }),
  typing: v.object({ conversation_id: v.string(), typing: v.boolean(), by: v.object({ display_name: v.string() }) }),
  "messages.read": v.object({ conversation_id: v.string(), by: v.string(), seq: v.number() }),
  "chat.ended": v.object({ conversation_id: v.string(), by: v.string() }),
  "visitor.updated": v.object({ visitor: Visitor }),
  "agents.presence": AgentState,
} as const;
export type EventName = keyof typeof events;
export type EventPayload<E extends EventName> = v.InferOutput<(typeof events)[E]>;

// Canned replies (docs/protocol.md §4 "Canned replies").
export const CannedReply = v.object({
  id: v.string(),
  scope: v.picklist(["shared", "personal"]),
  title: v.string(),
  shortcut: v.string(),
  text: v.object({ de: v.optional(v.string()), en: v.optional(v.string()) }),
  version: v.number(),
  unknown_placeholders: v.optional(v.array(v.string()), []),
});
export type CannedReply = v.InferOutput<typeof CannedReply>;
export const CannedRepliesAnswer = v.object({ replies: v.array(CannedReply) });
export const CannedReplyAnswer = v.object({ reply: CannedReply });

// Data-subject requests (§4 "Data-subject requests").
export const Subject = v.object({
  id: v.string(),
  display_name: v.string(),
  name: str,
  alias: str,
  contact: v.object({ name: str, email: str, phone: str }),
  country: str,
  restricted: v.boolean(),
  first_seen: Time,
  last_seen: Time,
});
export type Subject = v.InferOutput<typeof Subject>;
export const SubjectsAnswer = v.object({ subjects: v.array(Subject) });
export const SubjectAnswer = v.object({ subject: Subject });
export const ErasedAnswer = v.object({ erased: v.object({ mode: v.string(), counts: v.record(v.string(), v.number()) }) });
export const SubjectRequest = v.object({
  id: v.string(),
  visitor_id: v.string(),
  kind: v.string(),
  state: v.picklist(["open", "done"]),
  received_at: Time,
  due_at: Time,
  done_at: str,
  overdue: v.boolean(),
  by: v.object({ id: v.string(), display_name: v.string() }),
  /** What the request was about: a note typed when it was logged, the fields rectified, the restriction. */
  detail: v.optional(v.record(v.string(), v.unknown()), {}),
});
export type SubjectRequest = v.InferOutput<typeof SubjectRequest>;
export const SubjectRequestsAnswer = v.object({ requests: v.array(SubjectRequest), next: str });
export const SubjectRequestAnswer = v.object({ request: SubjectRequest });
