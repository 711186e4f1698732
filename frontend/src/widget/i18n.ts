// Every text the widget shows, in English and German, and the choice between them. The tenant's own texts
// (title, greeting, offline, queued) come from its configuration; these are the rest.
import type { Message } from "../shared/wire";

export type Lang = "en" | "de";

const en = {
  openChat: "Open chat",
  closeChat: "Minimise chat",
  unread: (n: number) => (n === 1 ? "1 unread message" : `${n} unread messages`),
  online: "We are online",
  offlineStatus: "We are offline",
  agentStatus: "Your contact person",
  connecting: "Connecting…",
  reconnecting: "Connection lost. Reconnecting…",
  unavailable: "The chat is not available right now. Please try again later.",
  nameLabel: "Your name or alias (optional)",
  offlineNameLabel: "Name (optional)",
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
  invalid: {
    email: "Please enter a valid e-mail address.",
    phone: "Please enter a valid phone number (digits, spaces, + - ( )).",
    name: "Please enter a shorter name.",
    text: "Please write between 1 and 4000 characters.",
  } as Record<string, string>,
  failed: "That did not work. Please try again.",
  agentPhoto: (name: string) => `Photo of ${name}`,
  call: {
    invite: (name: string, screen: boolean) =>
      screen ? `${name} would like to show you their screen` : `${name} is inviting you to a video call`,
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
  } as Record<string, (d: Data) => string>,
};

type Data = Record<string, string | undefined>;
export type Strings = typeof en;

const de: Strings = {
  openChat: "Chat öffnen",
  closeChat: "Chat minimieren",
  unread: (n) => (n === 1 ? "1 ungelesene Nachricht" : `${n} ungelesene Nachrichten`),
  online: "Wir sind online",
  offlineStatus: "Wir sind gerade nicht erreichbar",
  agentStatus: "Ihre Ansprechperson",
  connecting: "Verbindung wird aufgebaut…",
  reconnecting: "Verbindung unterbrochen. Neuer Versuch…",
  unavailable: "Der Chat ist gerade nicht verfügbar. Bitte versuchen Sie es später noch einmal.",
  nameLabel: "Ihr Name oder Pseudonym (optional)",
  offlineNameLabel: "Name (optional)",
  emailLabel: "E-Mail (optional)",
  messageLabel: "Ihre Nachricht",
  startChat: "Chat starten",
  sendMessage: "Nachricht senden",
  send: "Senden",
  composerLabel: "Nachricht schreiben",
  log: "Nachrichten",
  composerPlaceholder: "Nachricht schreiben…",
  anonymousHint: "Sie können anonym chatten. Ein Name ist freiwillig.",
  offlineSent:
    "Vielen Dank! Ihre Nachricht ist bei unserem Team angekommen. Wir melden uns so bald wie möglich.",
  you: "Sie",
  sending: "Wird gesendet…",
  notSent: "Nicht gesendet.",
  retry: "Erneut senden",
  seen: "Gelesen",
  typing: (name) => `${name} schreibt…`,
  endChat: "Chat beenden",
  endConfirmTitle: "Chat beenden?",
  endConfirmText: "Das Gespräch wird geschlossen. Sie können jederzeit einen neuen Chat beginnen.",
  endConfirm: "Ja, Chat beenden",
  cancel: "Abbrechen",
  ended: "Dieser Chat ist beendet.",
  newChat: "Neuen Chat beginnen",
  contact: "Kontaktdaten",
  contactTitle: "Kontaktdaten hinterlassen",
  contactText: "Damit wir uns bei Ihnen melden können. Alle Felder sind freiwillig.",
  contactName: "Name",
  contactEmail: "E-Mail",
  contactPhone: "Telefon",
  contactSave: "Daten speichern",
  contactSaved: "Vielen Dank, wir haben Ihre Kontaktdaten.",
  contactEmpty: "Bitte füllen Sie mindestens ein Feld aus.",
  back: "Zurück zum Chat",
  invalid: {
    email: "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
    phone: "Bitte geben Sie eine gültige Telefonnummer ein (Ziffern, Leerzeichen, + - ( )).",
    name: "Bitte geben Sie einen kürzeren Namen ein.",
    text: "Bitte schreiben Sie zwischen 1 und 4000 Zeichen.",
  },
  failed: "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
  agentPhoto: (name) => `Foto von ${name}`,
  call: {
    invite: (name, screen) =>
      screen ? `${name} möchte Ihnen den Bildschirm zeigen` : `${name} lädt Sie zu einem Videoanruf ein`,
    label: "Videoanruf",
    away: "Ein Anruf läuft",
    join: "Teilnehmen",
    decline: "Ablehnen",
    rejoin: "Wieder teilnehmen",
    start: "Videoanruf starten",
    share: "Meinen Bildschirm teilen",
    presenting: "Sie teilen Ihren Bildschirm.",
    busy: "Ihre Ansprechperson ist gerade in einem anderen Anruf. Bitte versuchen Sie es später noch einmal.",
    notStarted: "Der Anruf konnte nicht gestartet werden.",
    notRecorded: "Dieser Anruf wird nicht aufgezeichnet.",
    ringing: "Es klingelt…",
    connecting: "Verbindung wird aufgebaut…",
    connected: "Verbunden",
    ended: (d) => `Anruf beendet (${d})`,
    over: "Der Anruf ist beendet.",
    close: "Schließen",
    mute: "Mikrofon stummschalten",
    unmute: "Mikrofon einschalten",
    cameraOff: "Kamera ausschalten",
    cameraOn: "Kamera einschalten",
    hangUp: "Auflegen",
    full: "Anruf vergrößern",
    small: "Chat anzeigen",
    remote: "Video der Gegenseite",
    local: "Ihre Kamera",
    noMedia: "Keine Kamera oder kein Mikrofon: Sie können zusehen und zuhören.",
    failed: "Der Anruf konnte nicht verbunden werden.",
  },
  system: {
    assigned: (d) => `${d.agent ?? "Jemand aus unserem Team"} ist dem Chat beigetreten.`,
    transferred: (d) => `${d.to ?? "Eine Kollegin oder ein Kollege"} hat den Chat übernommen.`,
    requeued: (d) =>
      `${d.agent ?? "Die Ansprechperson"} ist nicht mehr erreichbar. Der Chat wartet auf die nächste freie Person.`,
    ended_by_visitor: () => "Sie haben den Chat beendet.",
    closed_by_agent: (d) => (d.agent ? `${d.agent} hat den Chat beendet.` : "Der Chat wurde beendet."),
    visitor_gone: () => "Der Chat wurde nach längerer Inaktivität geschlossen.",
    call_started: (d) =>
      d.kind === "screen"
        ? d.by
          ? `${d.by} hat die Bildschirmfreigabe gestartet.`
          : "Die Bildschirmfreigabe hat begonnen."
        : d.by
          ? `${d.by} hat einen Videoanruf gestartet.`
          : "Ein Videoanruf hat begonnen.",
    call_ended: (d) => {
      const what = d.kind === "screen" ? "Die Bildschirmfreigabe" : "Der Videoanruf";
      if (d.reason === "declined") return `${what} wurde abgelehnt.`;
      if (d.reason === "expired") return `${what} wurde nicht angenommen.`;
      const s = Number(d.duration) || 0;
      return `${what} wurde beendet (${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}).`;
    },
  },
};

export const strings: Record<Lang, Strings> = { en, de };

/** The widget's language: a `data-lang` on the script, else the tenant's setting, else the page's `lang`. */
export function chooseLanguage(setting: string, pageLang: string, override?: string | null): Lang {
  const pick = (value: string | null | undefined): Lang | null => {
    const base = (value ?? "").trim().toLowerCase().split(/[-_]/)[0];
    return base === "de" || base === "en" ? base : null;
  };
  return pick(override) ?? pick(setting) ?? (pick(pageLang) === "de" ? "de" : "en");
}

/** A system message in the visitor's language, from its `event` and `data`; the server's text otherwise. */
export function systemText(message: Message, lang: Lang): string {
  const render = message.event ? strings[lang].system[message.event] : undefined;
  if (!render) return message.text;
  const data: Data = {};
  for (const [key, value] of Object.entries(message.data))
    if (typeof value === "string" || typeof value === "number") data[key] = String(value);
  return render(data) || message.text;
}

/** "14:05", in the visitor's time zone. */
export function formatTime(iso: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(lang === "de" ? "de-DE" : "en-GB", { hour: "2-digit", minute: "2-digit" }).format(
    date,
  );
}
