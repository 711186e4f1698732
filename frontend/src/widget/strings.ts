// Every text of the panel and the call, in English here and in German in strings.de.ts (language.ts chooses
// between them). The German set has the type of the English one, so neither can miss a text. They load with
// the panel (ui/Panel.tsx); the launcher's few texts load with the widget (ui/Launcher.tsx). The tenant's own
// texts (title, greeting, offline, queued) come from its configuration.
import type { Lang } from "../shared/language";
import { senderName, wordedText, type Data } from "../shared/systemText";
import type { Message } from "../shared/wire";
import { de } from "./strings.de";

const en = {
  online: "We are online",
  offlineStatus: "We are offline",
  agentStatus: "Your contact person",
  connecting: "Connecting…",
  reconnecting: "Connection lost. Reconnecting…",
  unavailable: "The chat is not available right now. Please try again later.",
  nameLabel: "Your name or alias (optional)",
  offlineNameLabel: "Name (optional)",
  offlineEmailLabel: "E-mail (for our answer)",
  offlineConsent: "We use your name and e-mail address only to answer this message.",
  transcript: "Send me this conversation",
  transcriptEmail: "Your e-mail address",
  transcriptConsent: "We use this address only to send you this conversation.",
  transcriptSend: "Send",
  transcriptSent: "The conversation is on its way to your inbox.",
  transcriptLimit: "This conversation has been sent as often as it can be.",
  agentsOnline: "Somebody is online now: you can chat with us instead.",
  emailLabel: "E-mail (optional)",
  messageLabel: "Your message",
  startChat: "Start chat",
  sendMessage: "Send message",
  send: "Send",
  composerLabel: "Write a message",
  log: "Messages",
  composerPlaceholder: "Write a message…",
  anonymousHint: "You can chat anonymously. Leave a name if you like.",
  offlineSent: "Thank you! Your message has reached our team. We will get back to you as soon as we can.",
  you: "You",
  // An agent since deleted, whose messages stay without a name (docs/privacy.md).
  formerAgent: { label: "Former agent", subject: "A former agent" },
  sending: "Sending…",
  notSent: "Not sent.",
  retry: "Retry",
  seen: "Seen",
  typing: (name: string) => `${name} is typing…`,
  endChat: "End chat",
  endConfirmTitle: "End this chat?",
  endConfirmText: "The conversation will be closed. You can start a new chat at any time.",
  endConfirm: "Yes, end chat",
  cancel: "Cancel",
  ended: "This chat has ended.",
  newChat: "Start a new chat",
  contact: "Contact details",
  contactTitle: "Leave your contact details",
  contactText: "So that we can get back to you. All fields are optional.",
  contactName: "Name",
  contactEmail: "E-mail",
  contactPhone: "Phone",
  contactSave: "Save details",
  contactSaved: "Thank you, we have your contact details.",
  contactEmpty: "Please fill in at least one field.",
  back: "Back to the chat",
  myData: {
    open: "Your data",
    title: "Your chat data",
    text: "Download everything this chat stores about you, or delete it for good.",
    download: "Download my data",
    downloaded: "Your data is in your downloads (a ZIP file with a readable page and a JSON file).",
    delete: "Delete my chat data",
    confirmTitle: "Delete your chat data?",
    confirmText:
      "Your chats, messages, contact details and visited pages are deleted for good. An open chat is ended first.",
    confirm: "Yes, delete everything",
    deleted: "Your chat data has been deleted.",
    limited: "Too many requests just now. Please try again in a few minutes.",
  },
  invalid: {
    email: "Please enter a valid e-mail address.",
    phone: "Please enter a valid phone number (digits, spaces, + - ( )).",
    name: "Please enter a shorter name.",
    text: "Please write between 1 and 4000 characters.",
  } as Record<string, string>,
  failed: "That did not work. Please try again.",
  agentPhoto: (name: string) => `Photo of ${name}`,
  call: {
    label: "Video call",
    away: "A call is in progress",
    join: "Join",
    decline: "Decline",
    rejoin: "Rejoin",
    start: "Start video call",
    share: "Share my screen",
    presenting: "You are sharing your screen.",
    busy: "Your contact person is in another call right now. Please try again later.",
    notStarted: "The call could not be started.",
    notRecorded: "This call is not recorded.",
    ringing: "Ringing…",
    connecting: "Connecting…",
    connected: "Connected",
    ended: (d: string) => `Call ended (${d})`,
    over: "The call has ended.",
    close: "Close",
    mute: "Mute microphone",
    unmute: "Unmute microphone",
    cameraOff: "Turn camera off",
    cameraOn: "Turn camera on",
    hangUp: "Hang up",
    full: "Enlarge the call",
    small: "Show the chat",
    remote: "The other side's video",
    local: "Your camera",
    noMedia: "No camera or microphone: you can watch and listen.",
    failed: "The call could not be connected.",
  },
  booking: {
    open: "Pick a time",
    callback: "Book a call back",
    loading: "Looking for free times…",
    title: (name: string, minutes: number) => `${name} (${minutes} min)`,
    zone: (zone: string) => `Times in your time zone (${zone}).`,
    none: "No free time on these days.",
    later: "Later days",
    chosen: (day: string, time: string) => `${day}, ${time}`,
    other: "Other time",
    name: "Your name",
    email: "Your e-mail address",
    phone: "Phone (optional)",
    consent: "We use these details only for this appointment; you get a confirmation by e-mail.",
    book: "Book",
    taken: "This time was just taken. Please pick another.",
    invalid: "Please check your name and e-mail address.",
    booked: (title: string, day: string, time: string) =>
      `Booked: ${title}, ${day}, ${time}. A confirmation with a calendar entry is on its way to your inbox.`,
  },
  system: {
    assigned: (d: Data) => `${d.agent ?? "An agent"} joined the chat.`,
    transferred: (d: Data) => `${d.to ?? "A colleague"} has taken over the chat.`,
    requeued: (d: Data) =>
      `${d.agent ?? "The agent"} is no longer available. The chat is waiting for the next free colleague.`,
    ended_by_visitor: () => "You ended the chat.",
    closed_by_agent: (d: Data) => (d.agent ? `${d.agent} closed the chat.` : ""),
    visitor_gone: () => "The chat was closed after a period of inactivity.",
    // The server's own (English) text names the caller: keep it.
    call_started: () => "",
    call_ended: () => "",
    appointment_offered: () => "We offer you an appointment: pick a time that suits you.",
    appointment_booked: () => "Your appointment is booked.",
    appointment_cancelled: () => "Your appointment was cancelled.",
    appointment_moved: () => "Your appointment was moved.",
  } as Record<string, (d: Data) => string>,
};

export type Strings = typeof en;

export const strings: Readonly<Record<Lang, Strings>> = { en, de };

/** A message's text in the visitor's language: a system message worded from its `event` and `data`, any
 * other message (and an event this widget does not know) as written. */
export function messageText(message: Pick<Message, "event" | "data" | "text">, texts: Strings): string {
  return wordedText(message, texts.system, texts.formerAgent);
}

/** Who sent a message, as the visitor reads it: an agent since deleted is a former agent. */
export function senderText(message: Pick<Message, "sender">, texts: Strings): string {
  return senderName(message.sender, texts.formerAgent);
}
