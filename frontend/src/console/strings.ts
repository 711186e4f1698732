// Every text the console shows, in English here and in German in strings.de.ts, and the set the page uses
// (language.ts chooses it). The German set has the type of the English one, so neither can miss a text.
import type { Lang } from "../shared/language";
import { wordedText, type Data } from "../shared/systemText";
import type { Message } from "../shared/wire";
import { lang } from "./language";
import { de } from "./strings.de";

export type { Data };

const en = {
  appName: "wsChat",
  login: {
    title: "Sign in to wsChat",
    tenant: "Company",
    login: "Login",
    password: "Password",
    submit: "Sign in",
    busy: "Signing in…",
  },
  status: { label: "Your status", online: "Online", away: "Away", offline: "Offline" },
  nav: { chats: "Chats", visitors: "Live visitors", profile: "My profile", agents: "Agents", branding: "Widget branding", settings: "Settings", video: "Video" },
  profile: {
    title: "My profile",
    hint: "Visitors see your alias and photo. Ask an admin to change your alias, role or max chats.",
  },
  logout: "Sign out",
  sound: "Sound on new messages and chats",
  queue: {
    title: "Queue",
    empty: "Nobody is waiting.",
    accept: "Accept",
    waiting: (d: string) => `waiting ${d}`,
    onPage: (page: string) => `on ${page}`,
    unavailable: "You cannot take this chat: you are offline, or you already have as many chats as you may (max chats).",
  },
  chats: {
    title: "Open chats",
    empty: "No open chats. Accept one from the queue.",
    unread: (n: number) => `${n} unread`,
    ended: "ended",
    none: "Select a chat on the left, or accept one from the queue.",
  },
  conversation: {
    composer: "Message",
    composerHint: "Enter to send, Shift+Enter for a new line",
    send: "Send",
    close: "Close chat",
    closeConfirm: "Close this chat? The visitor will see that it ended.",
    closeYes: "Close",
    closeNo: "Keep open",
    transfer: "Transfer…",
    dismiss: "Remove tab",
    video: "Video",
    shareScreen: "Share screen",
    stopSharing: "Stop sharing",
    typing: (name: string) => `${name} is typing…`,
    agentsOnly: "Only agents see this",
    transferNote: "Transfer note",
    sending: "sending…",
    failed: "not sent",
    retry: "Retry",
    ended: (by: string) => `This chat has ended (${by}).`,
    closedBy: { visitor: "closed by the visitor", agent: "closed by an agent", system: "the visitor left" },
    visitorLeft: "The visitor has left the site.",
    requeued: "This chat went back to the queue (you went offline).",
    newMessages: "New messages",
    read: "Read",
    history: "Messages",
    loadEarlier: "Load earlier messages",
    loadingEarlier: "Loading earlier messages…",
  },
  call: {
    label: "Call",
    video: "Video call",
    screen: "Screen sharing",
    invite: (name: string, screen: boolean) => (screen ? `${name} wants to share their screen` : `${name} is calling you (video)`),
    accept: "Accept",
    decline: "Decline",
    away: "Call in progress",
    rejoin: "Rejoin",
    end: "End call",
    ringing: "Ringing…",
    connecting: "Connecting…",
    connected: "Connected",
    ended: (d: string) => `Call ended (${d})`,
    over: (reason: string) =>
      ({
        declined: "The call was declined.",
        expired: "Nobody answered the call.",
        hangup: "The call was cancelled before anyone answered.",
        left: "The call was cancelled before anyone answered.",
        conversation_closed: "The call ended with the chat.",
        handed_over: "The call ended when the chat was handed over.",
      })[reason] ?? "The call ended.",
    close: "Close",
    notRecorded: "This call is not recorded.",
    mute: "Mute microphone",
    unmute: "Unmute microphone",
    cameraOff: "Camera off",
    cameraOn: "Camera on",
    hangUp: "Hang up",
    remote: "Visitor's video",
    local: "Your camera",
    noMedia: "No camera or microphone available: the visitor cannot see or hear you.",
    failed: "The call could not be connected.",
    busy: "You are in another call.",
    media: "Screen sharing was not started.",
  },
  transfer: {
    title: "Transfer chat",
    to: "Transfer to",
    note: "Note for your colleague (only agents see it)",
    submit: "Transfer",
    cancel: "Cancel",
    nobody: "No colleague is online with a free chat slot right now.",
    load: (open: number, max: number) => `${open}/${max} chats`,
    done: (name: string) => `The chat was transferred to ${name}.`,
    away: (name: string) => `This chat was transferred to ${name}.`,
    queue: "the queue",
  },
  visitor: {
    title: "Visitor",
    name: "Name",
    alias: "Alias",
    contactName: "Name (contact form)",
    email: "E-mail",
    phone: "Phone",
    country: "Country",
    ip: "IP address",
    browser: "Browser",
    firstSeen: "First seen",
    currentPage: "Current page",
    trail: "Pages visited",
    noPage: "Not on the site right now",
    unknown: "—",
  },
  live: {
    title: "Live visitors",
    empty: "Nobody is on the site right now.",
    unsupported: "The server does not report live visitors yet.",
    visitor: "Visitor",
    page: "Page",
    since: "On page for",
    chat: "Chat",
    refresh: "Refresh",
    statuses: { queued: "queued", active: "active", closed: "closed" },
  },
  agents: {
    title: "Agents",
    create: "Add an agent",
    login: "Login",
    alias: "Alias (shown to visitors)",
    role: "Role",
    maxChats: "Max chats",
    status: "Status",
    password: "Password (10+ characters)",
    newPassword: "New password",
    disabled: "Disabled",
    save: "Save",
    created: (name: string) => `${name} was added.`,
    saved: "Saved.",
    photo: "Photo",
    upload: "Upload photo",
    removePhoto: "Remove photo",
    resetPassword: "Set password",
    edit: "Edit",
    cancel: "Cancel",
    you: "(you)",
    roles: { agent: "Agent", admin: "Admin" },
  },
  branding: {
    title: "Widget branding",
    primary: "Primary colour",
    text: "Text colour",
    position: "Position",
    left: "Bottom left",
    right: "Bottom right",
    logo: "Logo URL (optional)",
    language: "Language",
    auto: "Follow the page",
    texts: "Texts",
    fields: { title: "Title", greeting: "Greeting", offline: "Offline text", queued: "Waiting text" },
    picker: "picker",
    preview: "Preview",
    contrastOk: (r: string) => `Contrast ${r}:1 meets WCAG AA.`,
    contrastLow: (r: string) => `Contrast ${r}:1 is below WCAG AA (4.5:1): visitors may not be able to read the text.`,
    save: "Save branding",
    saved: "Branding saved.",
    unsupported: "This server cannot store branding yet; the preview works, saving does not.",
    problems: {
      colour: (example: string) => `Use a colour like ${example}.`,
      logo: "Use a path on wsChat (/…) or an address on one of your allowed origins (Settings).",
      tooLong: (max: number) => `At most ${max} characters.`,
    },
  },
  settings: {
    title: "Settings",
    origins: "Allowed origins (one per line, e.g. https://www.example.com)",
    autoAssign: "Assign new chats automatically",
    ipTruncation: "Store visitors' IP addresses shortened",
    timeout: "Close a chat after the visitor has been gone for (minutes)",
    save: "Save settings",
    saved: "Settings saved.",
  },
  video: {
    title: "Video",
    mode: "Current mode",
    modes: { p2p: "Peer-to-peer", jitsi: "Jitsi" },
    hint: "Jitsi is used when its domain, app id and secret are all set; otherwise calls are peer-to-peer. Calls are never recorded.",
    stun: "STUN URLs (one per line, e.g. stun:turn.example.com:3478)",
    turn: "TURN URLs (one per line, e.g. turn:turn.example.com:3478?transport=udp)",
    turnSecret: "TURN secret (coturn static-auth-secret, 16+ bytes)",
    turnTtl: "TURN credential lifetime (seconds)",
    visitorCalls: "Visitors may start calls",
    visitorScreen: "Visitors may share their screen",
    inviteTimeout: "Invitation timeout (seconds)",
    jitsi: "Jitsi",
    domain: "Jitsi domain (e.g. meet.example.com)",
    appId: "App id",
    jitsiSecret: "Jitsi secret (32+ bytes)",
    audience: "Audience",
    sub: "Sub",
    tokenTtl: "Token lifetime (seconds)",
    secretSet: "set — leave empty to keep",
    secretUnset: "not set",
    removeTurn: "Remove the TURN secret",
    removeJitsi: "Remove the Jitsi secret (turns Jitsi off)",
    save: "Save video settings",
    saved: "Video settings saved.",
    unchanged: "Nothing to save: no field was changed.",
  },
  a11y: {
    sections: "Sections",
    sidebar: "Queue and chats",
    dismiss: "Dismiss",
    newChat: (names: string) => `New chat waiting: ${names}`,
    newMessage: (name: string, text: string) => `${name}: ${text}`,
  },
  days: { today: "Today", yesterday: "Yesterday" },
  languages: { en: "English", de: "Deutsch" },
  language: "Console language",
  banner: {
    reconnecting: "Connection lost — reconnecting…",
    offline: "You are offline. Chats will resume when the connection is back.",
  },
  errors: {
    VALIDATION_FAILED: "Please check your input.",
    INVALID_CREDENTIALS: "Company, login or password is wrong.",
    AUTH_INVALID: "Your session has ended. Please sign in again.",
    FORBIDDEN: "You are not allowed to do that.",
    TENANT_LOCKED: "This account is locked. Please contact wsChat support.",
    ORIGIN_NOT_ALLOWED: "This address may not use the console.",
    NOT_FOUND: "That no longer exists.",
    CONFLICT: "That conflicts with the current state (for example, the login is taken, or the last admin would be removed).",
    ALREADY_ASSIGNED: "Another agent took this chat first.",
    CONVERSATION_CLOSED: "This chat has already ended.",
    AGENT_UNAVAILABLE: "Not possible: the agent is offline or has no free chat slot.",
    TOO_LARGE: "That is too large.",
    RATE_LIMITED: "Too many attempts. Please wait a minute and try again.",
    UNAVAILABLE: "The server is not available right now. Please try again shortly.",
    INTERNAL: "Something went wrong on the server. Please try again.",
    UNSUPPORTED_IMAGE: "Please choose a JPEG, PNG or WebP image.",
    IMAGE_TOO_LARGE: "That image is too large.",
    METHOD_NOT_ALLOWED: "The server does not support this yet.",
    TIMEOUT: "The server did not answer in time. Please try again.",
    NETWORK: "No connection to the server.",
    BAD_ANSWER: "The server sent an answer this page does not understand.",
  },
  // System messages by their `event`: the server writes them in English already.
  system: {} as Record<string, (d: Data) => string>,
};

export type Strings = typeof en;

export const strings: Readonly<Record<Lang, Strings>> = { en, de };

/** The texts of the page's language. */
export const t: Strings = strings[lang];

/** A text from one of the sets' small maps (roles, modes, error codes) by a key the server sent. */
export function named(map: Readonly<Record<string, string>>, key: string): string | undefined {
  const value = map[key];
  return typeof value === "string" ? value : undefined; // a key such as "toString" finds no text
}

/** A human message for an error code; field details (VALIDATION_FAILED) are appended when present. */
export function errorText(error: { code: string; message?: string; details?: Record<string, unknown> }): string {
  const base = named(t.errors, error.code) ?? (error.message || t.errors.INTERNAL);
  const fields = error.details?.["fields"];
  if (Array.isArray(fields) && fields.length > 0) {
    const parts = fields
      .map((f) => (f && typeof f === "object" ? `${String((f as Record<string, unknown>)["field"])}: ${String((f as Record<string, unknown>)["message"])}` : ""))
      .filter(Boolean);
    if (parts.length) return `${base} (${parts.join("; ")})`;
  }
  return base;
}

/** A message's text in the page's language: a system message worded from its `event` and `data`, any other
 * message (and an event this page does not know) as written. */
export function messageText(message: Pick<Message, "event" | "data" | "text">, texts: Strings = t): string {
  return wordedText(message, texts.system);
}
