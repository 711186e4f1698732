import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { fixture } from "../shared/fixtures";
import { SyncResult } from "./protocol";
import { chooseLanguage, formatTime, strings, systemText } from "./i18n";

const assigned = v.parse(SyncResult, fixture("client/visitor/messages.sync.json").ack).messages[0]!;

describe("chooseLanguage", () => {
  it("follows the page when the tenant says auto", () => {
    expect(chooseLanguage("auto", "de-AT")).toBe("de");
    expect(chooseLanguage("auto", "en")).toBe("en");
    expect(chooseLanguage("auto", "fr")).toBe("en");
    expect(chooseLanguage("auto", "")).toBe("en");
  });

  it("lets the tenant fix it, and data-lang override both", () => {
    expect(chooseLanguage("de", "en")).toBe("de");
    expect(chooseLanguage("en", "de")).toBe("en");
    expect(chooseLanguage("en", "de", "DE")).toBe("de");
    expect(chooseLanguage("de", "de", "xx")).toBe("de");
  });
});

describe("strings", () => {
  it("has every text in both languages", () => {
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(strings.de)).toEqual(keys(strings.en));
    expect(keys(strings.de.system)).toEqual(keys(strings.en.system));
    expect(keys(strings.de.invalid)).toEqual(keys(strings.en.invalid));
    expect(keys(strings.de.call)).toEqual(keys(strings.en.call));
    expect(strings.de.call.notRecorded).toBe("Dieser Anruf wird nicht aufgezeichnet.");
    expect(strings.en.call.notRecorded).toBe("This call is not recorded.");
  });
});

describe("systemText", () => {
  it("translates system messages from their event and data", () => {
    expect(systemText(assigned, "en")).toBe("Anna joined the chat.");
    expect(systemText(assigned, "de")).toBe("Anna ist dem Chat beigetreten.");
  });

  it("falls back to the server's text for an event it does not know", () => {
    expect(systemText({ ...assigned, event: "something_new", text: "Something new." }, "de")).toBe("Something new.");
  });

  it("says how a call ended, in German too; English keeps the server's text with the caller's name", () => {
    const ended = { ...assigned, event: "call_ended", text: "The video call ended (2:05)." };
    const data = { call_id: "cal_1", kind: "video", mode: "p2p", duration: 125, reason: "hangup" };
    expect(systemText({ ...ended, data }, "en")).toBe("The video call ended (2:05).");
    expect(systemText({ ...ended, data }, "de")).toBe("Der Videoanruf wurde beendet (2:05).");
    expect(systemText({ ...ended, data: { ...data, kind: "screen", reason: "declined" } }, "de")).toBe(
      "Die Bildschirmfreigabe wurde abgelehnt.",
    );
    const started = { ...assigned, event: "call_started", text: "Anna started a video call.", data };
    expect(systemText(started, "en")).toBe("Anna started a video call.");
    expect(systemText({ ...started, data: { ...data, by: "Anna" } }, "de")).toBe("Anna hat einen Videoanruf gestartet.");
    expect(systemText({ ...started, data: { ...data, by: "Anna", kind: "screen" } }, "de")).toBe(
      "Anna hat die Bildschirmfreigabe gestartet.",
    );
    expect(systemText(started, "de")).toBe("Ein Videoanruf hat begonnen.");
  });
});

describe("formatTime", () => {
  it("shows hours and minutes, and nothing for a broken time", () => {
    expect(formatTime("2026-11-29T08:05:00.000000+00:00", "de")).toMatch(/^\d\d:\d\d$/);
    expect(formatTime("not a time", "en")).toBe("");
  });
});
