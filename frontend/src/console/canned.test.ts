import { describe, expect, it } from "vitest";
import { composeReply, filterReplies, fillPlaceholders, fold, insertReply, replyLanguage, replyText, slashQuery, unknownPlaceholders, usable } from "./canned";
import type { CannedReply } from "./wire";

function reply(shortcut: string, title: string, text: CannedReply["text"], scope: CannedReply["scope"] = "shared"): CannedReply {
  return { id: `cnr_${scope}_${shortcut}`, scope, title, shortcut, text, version: 1, unknown_placeholders: [] };
}

const greeting = reply("greeting", "Begrüßung", { de: "Guten Tag {visitor_name}, hier ist {agent_name}.", en: "Hello {visitor_name}, {agent_name} here." });
const ownGreeting = reply("greeting", "My greeting", { en: "Hi {visitor_name}!" }, "personal");
const grusse = reply("grusse", "Grüße zum Schluss", { de: "Schöne Grüße, {visitor_name}" });
const prices = reply("prices", "Preise", { en: "See {pricing_url}" });

describe("the / query in the composer", () => {
  it("starts at the beginning of the input or after whitespace", () => {
    expect(slashQuery("/gr", 3)).toEqual({ start: 0, query: "gr" });
    expect(slashQuery("Hello /gre", 10)).toEqual({ start: 6, query: "gre" });
    expect(slashQuery("Hello\n/", 7)).toEqual({ start: 6, query: "" });
  });

  it("is no query inside a word, a URL or after a space", () => {
    expect(slashQuery("and/or", 6)).toBeNull();
    expect(slashQuery("https://x", 9)).toBeNull();
    expect(slashQuery("/gr now", 7)).toBeNull();
    expect(slashQuery("/gr", 0)).toBeNull();
  });

  it("replaces the query with the reply at the cursor and keeps the rest", () => {
    const at = slashQuery("Hi /gr and more", 6)!;
    expect(insertReply("Hi /gr and more", at, 6, "Guten Tag")).toEqual({ text: "Hi Guten Tag and more", cursor: 12 });
  });
});

describe("finding replies", () => {
  it("folds accents, ß and case", () => {
    expect(fold("Grüße")).toBe("grusse");
    expect(fold("GRÜSSE")).toBe("grusse");
  });

  it("matches shortcut and title, accent- and case-insensitively, shortcut prefix first", () => {
    const all = [greeting, grusse, prices];
    expect(filterReplies(all, "gr").map((r) => r.shortcut)).toEqual(["greeting", "grusse"]);
    expect(filterReplies(all, "GRÜ").map((r) => r.shortcut)).toEqual(["grusse", "greeting"]);
    expect(filterReplies(all, "preis").map((r) => r.shortcut)).toEqual(["prices"]);
    expect(filterReplies(all, "").length).toBe(3);
    expect(filterReplies(all, "zzz")).toEqual([]);
  });

  it("an agent's own reply hides the shared one with the same shortcut", () => {
    expect(usable([greeting, ownGreeting, grusse])).toEqual([ownGreeting, grusse]);
    expect(filterReplies([greeting, ownGreeting], "greet")).toEqual([ownGreeting]);
  });
});

describe("the text of a reply", () => {
  it("is in the visitor's language, or the other one when it has none", () => {
    expect(replyText(greeting, "en")).toEqual({ text: greeting.text.en, lang: "en" });
    expect(replyText(grusse, "en")).toEqual({ text: grusse.text.de, lang: "de" });
    expect(replyText(ownGreeting, "de")).toEqual({ text: "Hi {visitor_name}!", lang: "en" });
  });

  it("is taken in the widget's fixed language, else in the console's", () => {
    expect(replyLanguage("de", "en")).toBe("de");
    expect(replyLanguage("en", "de")).toBe("en");
    expect(replyLanguage("auto", "de")).toBe("de");
    expect(replyLanguage(undefined, "en")).toBe("en");
  });

  it("fills in the visitor's and the agent's name", () => {
    expect(composeReply(greeting, "de", { visitor: "Vera", agent: "Bert" })).toBe("Guten Tag Vera, hier ist Bert.");
  });

  it("uses a neutral word in the text's language for a visitor without a name", () => {
    expect(fillPlaceholders("Hello {visitor_name}!", { visitor: null, agent: "Bert" }, "en")).toBe("Hello there!");
    expect(fillPlaceholders("Guten Tag {visitor_name}", { visitor: "  ", agent: "Bert" }, "de")).toBe("Guten Tag Sie");
    expect(composeReply(grusse, "en", { visitor: null, agent: "Bert" })).toBe("Schöne Grüße, Sie");
  });

  it("leaves unknown placeholders as typed, and names them", () => {
    expect(composeReply(prices, "en", { visitor: "Vera", agent: "Bert" })).toBe("See {pricing_url}");
    expect(unknownPlaceholders("{visitor_name} {pricing_url} {x} {agent_name} {x}")).toEqual(["pricing_url", "x"]);
  });
});
