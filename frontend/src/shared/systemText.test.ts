import { describe, expect, it } from "vitest";

import { wordedText, type Data } from "./systemText";

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
