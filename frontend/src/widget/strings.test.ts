import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { fixture } from "../shared/fixtures";
import { SyncResult } from "./wire";
import { messageText, senderText, strings } from "./strings";

const assigned = v.parse(SyncResult, fixture("client/visitor/messages.sync.json").ack).messages[0]!;
const { en, de } = strings;

describe("strings", () => {
  it("has every text in both languages", () => {
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(de)).toEqual(keys(en));
    expect(keys(de.system)).toEqual(keys(en.system));
    expect(keys(de.invalid)).toEqual(keys(en.invalid));
    expect(keys(de.call)).toEqual(keys(en.call));
    expect(keys(de.myData)).toEqual(keys(en.myData));
    expect(de.call.notRecorded).toBe("Dieser Anruf wird nicht aufgezeichnet.");
    expect(en.call.notRecorded).toBe("This call is not recorded.");
  });
});

describe("messageText", () => {
  it("translates system messages from their event and data", () => {
    expect(messageText(assigned, en)).toBe("Anna joined the chat.");
    expect(messageText(assigned, de)).toBe("Anna ist dem Chat beigetreten.");
  });

  it("falls back to the server's text for an event it does not know, and keeps people's messages", () => {
    expect(messageText({ ...assigned, event: "something_new", text: "Something new." }, de)).toBe("Something new.");
    expect(messageText({ event: null, data: {}, text: "Hallo" }, de)).toBe("Hallo");
  });

  it("says how a call ended, in German too; English keeps the server's text with the caller's name", () => {
    const ended = { ...assigned, event: "call_ended", text: "The video call ended (2:05)." };
    const data = { call_id: "cal_1", kind: "video", mode: "p2p", duration: 125, reason: "hangup" };
    expect(messageText({ ...ended, data }, en)).toBe("The video call ended (2:05).");
    expect(messageText({ ...ended, data }, de)).toBe("Der Videoanruf wurde beendet (2:05).");
    expect(messageText({ ...ended, data: { ...data, kind: "screen", reason: "declined" } }, de)).toBe(
      "Die Bildschirmfreigabe wurde abgelehnt.",
    );
    const started = { ...assigned, event: "call_started", text: "Anna started a video call.", data };
    expect(messageText(started, en)).toBe("Anna started a video call.");
    expect(messageText({ ...started, data: { ...data, by: "Anna" } }, de)).toBe("Anna hat einen Videoanruf gestartet.");
    expect(messageText({ ...started, data: { ...data, by: "Anna", kind: "screen" } }, de)).toBe(
      "Anna hat die Bildschirmfreigabe gestartet.",
    );
    expect(messageText(started, de)).toBe("Ein Videoanruf hat begonnen.");
  });
});

describe("a deleted agent in the widget", () => {
  // As the server leaves a deleted agent's records (wschat/agent_data/former.py).
  const joined = { ...assigned, data: { agent: "" }, text: "A former agent joined the chat." };
  const theirs = { sender: { kind: "agent" as const, id: "usr_1", display_name: "", photo_url: null } };

  it("is a former agent, in the visitor's language", () => {
    expect(messageText(joined, en)).toBe("A former agent joined the chat.");
    expect(messageText(joined, de)).toBe("Eine ehemalige Ansprechperson ist dem Chat beigetreten.");
    expect(senderText(theirs, en)).toBe("Former agent");
    expect(senderText(theirs, de)).toBe("Ehemalige Ansprechperson");
  });

  it("leaves every named sender as named", () => {
    expect(senderText({ sender: { ...theirs.sender, display_name: "Bert" } }, de)).toBe("Bert");
  });
});
