// The widget in German (Sie-form). The agent is the visitor's "Ansprechperson"; calls are "Videoanruf" and
// "Bildschirmfreigabe", as in the German console.
import type { Strings } from "./strings";

export const de: Strings = {
  online: "Wir sind online",
  offlineStatus: "Wir sind gerade nicht erreichbar",
  agentStatus: "Ihre Ansprechperson",
  connecting: "Verbindung wird aufgebaut…",
  reconnecting: "Verbindung unterbrochen. Neuer Versuch…",
  unavailable: "Der Chat ist gerade nicht verfügbar. Bitte versuchen Sie es später noch einmal.",
  nameLabel: "Ihr Name oder Pseudonym (optional)",
  offlineNameLabel: "Name (optional)",
  offlineEmailLabel: "E-Mail (für unsere Antwort)",
  offlineConsent: "Wir verwenden Ihren Namen und Ihre E-Mail-Adresse nur, um diese Nachricht zu beantworten.",
  transcript: "Dieses Gespräch per E-Mail erhalten",
  transcriptEmail: "Ihre E-Mail-Adresse",
  transcriptConsent: "Wir verwenden diese Adresse nur, um Ihnen dieses Gespräch zu senden.",
  transcriptSend: "Senden",
  transcriptSent: "Das Gespräch ist unterwegs in Ihr Postfach.",
  transcriptLimit: "Dieses Gespräch wurde so oft gesendet, wie es möglich ist.",
  agentsOnline: "Jetzt ist jemand erreichbar: Sie können stattdessen mit uns chatten.",
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
  formerAgent: { label: "Ehemalige Ansprechperson", subject: "Eine ehemalige Ansprechperson" },
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
  myData: {
    open: "Ihre Daten",
    title: "Ihre Chat-Daten",
    text: "Laden Sie alles herunter, was dieser Chat über Sie speichert, oder löschen Sie es endgültig.",
    download: "Meine Daten herunterladen",
    downloaded: "Ihre Daten liegen in Ihren Downloads (eine ZIP-Datei mit einer lesbaren Seite und einer JSON-Datei).",
    delete: "Meine Chat-Daten löschen",
    confirmTitle: "Ihre Chat-Daten löschen?",
    confirmText:
      "Ihre Chats, Nachrichten, Kontaktdaten und besuchten Seiten werden endgültig gelöscht. Ein offener Chat wird vorher beendet.",
    confirm: "Ja, alles löschen",
    deleted: "Ihre Chat-Daten wurden gelöscht.",
    limited: "Gerade kamen zu viele Anfragen. Bitte versuchen Sie es in ein paar Minuten erneut.",
  },
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
