import { describe, expect, it } from "vitest";

import { senderName, wordedText, type Data } from "./systemText";

const system = { assigned: (d: Data) => (d.agent ? `${d.agent} ist da.` : "") };

describe("wordedText", () => {
  it("words a known system event from its data", () => {
    expect(wordedText({ event: "assigned", data: { agent: "Anna" }, text: "Anna joined." }, system)).toBe("Anna ist da.");
  });

  it("keeps the text of an unknown event, of a text message, and when the wording comes out empty", () => {
    expect(wordedText({ event: "later_feature", data: {}, text: "as sent" }, system)).toBe("as sent");
    expect(wordedText({ event: null, data: {}, text: "Hello" }, system)).toBe("Hello");
    expect(wordedText({ event: "assigned", data: {}, text: "An agent joined." }, system)).toBe("An agent joined.");
  });

  it("passes only strings and numbers to the wording", () => {
    const seen: Data[] = [];
    const spy = { e: (d: Data) => (seen.push(d), "x") };
    wordedText({ event: "e", data: { a: "s", n: 3, o: { nested: true }, b: true }, text: "" }, spy);
    expect(seen).toEqual([{ a: "s", n: "3" }]);
  });
});

describe("a deleted agent", () => {
  const former = { label: "Former agent", subject: "A former agent" };

  it("is named as a former agent where their name was removed, and only there", () => {
    expect(wordedText({ event: "assigned", data: { agent: "" }, text: "A former agent joined." }, system, former)).toBe(
      "A former agent ist da.",
    );
    expect(wordedText({ event: "assigned", data: { agent: "Anna" }, text: "" }, system, former)).toBe("Anna ist da.");
  });

  it("sends under the former agent's label; everyone else under their own name", () => {
    expect(senderName({ kind: "agent", display_name: "" }, former)).toBe("Former agent");
    expect(senderName({ kind: "agent", display_name: "Bert" }, former)).toBe("Bert");
    expect(senderName({ kind: "visitor", display_name: "" }, former)).toBe("");
  });
});
