import { describe, expect, it } from "vitest";
import { errorText, strings, messageText, senderText, t, userName } from "./strings";

/** Every text of a set by its path ("call.over"); a function is called with sample arguments. */
function texts(set: object, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(set)) {
    const path = prefix + key;
    if (typeof value === "string") out.set(path, value);
    else if (typeof value === "function") out.set(path, String((value as (...a: unknown[]) => unknown)("Anna", 3)));
    else if (value && typeof value === "object") for (const [p, v] of texts(value, `${path}.`)) out.set(p, v);
  }
  return out;
}

// The same word in both languages on purpose: names, codes and words German uses as they are.
const SAME = new Set([
  "appName",
  "status.online",
  "status.offline",
  "nav.chats",
  "nav.video",
  "conversation.video",
  "visitor.name",
  "visitor.browser",
  "visitor.unknown",
  "live.chat",
  "agents.status",
  "branding.position",
  "video.title",
  "video.modes.jitsi",
  "video.jitsi",
  "languages.en",
  "languages.de",
  "a11y.newMessage",
  "settings.contract.states.demo",
  "nav.webhooks",
  "audit.families.webhook",
  "webhooks.title",
]);

describe("the German console texts", () => {
  const en = texts(strings.en);
  const de = texts(strings.de);

  it("cover every English text, and nothing else", () => {
    expect([...de.keys()].filter((k) => !k.startsWith("system."))).toEqual([...en.keys()]);
    for (const [path, text] of de) expect(text, path).not.toBe("");
  });

  it("are German, apart from a few words both languages share", () => {
    const same = [...en].filter(([path, text]) => de.get(path) === text).map(([path]) => path);
    expect(same.sort()).toEqual([...SAME].sort());
  });

  it("use the widget's words for a call and the console's terms", () => {
    expect(strings.de.call.notRecorded).toBe("Dieser Anruf wird nicht aufgezeichnet.");
    expect(strings.de.conversation.transfer).toBe("Übergeben…");
    expect(strings.de.queue.title).toBe("Warteschlange");
    expect(strings.de.agents.roles.agent).toBe("Mitarbeiter");
  });

  it("count in German", () => {
    expect(strings.de.chats.unread(1)).toBe("1 ungelesene Nachricht");
    expect(strings.de.chats.unread(4)).toBe("4 ungelesene Nachrichten");
  });

  it("word the server's system messages from their event and data", () => {
    const message = { event: "assigned", data: { agent: "Bert" }, text: "Bert joined the chat." };
    expect(messageText(message, strings.en)).toBe("Bert joined the chat.");
    expect(messageText(message, strings.de)).toBe("Bert ist dem Chat beigetreten.");
    const ended = { event: "call_ended", data: { kind: "video", duration: 125, reason: "hangup" }, text: "The video call ended (2:05)." };
    expect(messageText(ended, strings.de)).toBe("Der Videoanruf wurde beendet (2:05).");
    expect(messageText({ ...ended, data: { kind: "screen", duration: 0, reason: "hangup" } }, strings.de)).toBe("Die Bildschirmfreigabe wurde abgebrochen.");
    expect(messageText({ ...message, event: "something_new", text: "Something new." }, strings.de)).toBe("Something new.");
  });

  it("have a German text for every event the server writes", () => {
    const events = ["assigned", "transferred", "requeued", "ended_by_visitor", "closed_by_agent", "visitor_gone", "call_started", "call_ended"];
    events.push("appointment_offered", "appointment_booked", "appointment_cancelled", "appointment_moved");
    expect(Object.keys(strings.de.system).sort()).toEqual(events.sort());
  });
});

describe("errorText", () => {
  it("names the error in the page's language, and falls back to the server's message", () => {
    expect(errorText({ code: "INVALID_CREDENTIALS" })).toBe(t.errors.INVALID_CREDENTIALS);
    expect(errorText({ code: "SOMETHING_NEW", message: "Something new." })).toBe("Something new.");
    expect(errorText({ code: "toString" })).toBe(t.errors.INTERNAL);
  });
});

describe("a deleted agent in the console", () => {
  const closed = { event: "closed_by_agent", data: { agent: "" }, text: "A former agent closed the chat." };

  it("is a former agent: as a sender, in a system message, in a log", () => {
    expect(messageText(closed, strings.en)).toBe("A former agent closed the chat.");
    expect(messageText(closed, strings.de)).toBe("Ein ehemaliges Teammitglied hat den Chat beendet.");
    expect(senderText({ kind: "agent", display_name: "" }, strings.de)).toBe("Ehemaliges Teammitglied");
    expect(senderText({ kind: "agent", display_name: "" }, strings.en)).toBe("Former agent");
    expect(userName("", strings.en)).toBe("Former agent");
    expect(userName(null, strings.de)).toBe("Ehemaliges Teammitglied");
  });

  it("leaves a named agent and a visitor as they are", () => {
    expect(senderText({ kind: "agent", display_name: "Bert" }, strings.de)).toBe("Bert");
    expect(senderText({ kind: "visitor", display_name: "Vera" }, strings.de)).toBe("Vera");
    expect(messageText({ ...closed, data: { agent: "Bert" } }, strings.de)).toBe("Bert hat den Chat beendet.");
  });
});
