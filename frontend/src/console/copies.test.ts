import { describe, expect, it } from "vitest";
import { copyText } from "./copies";
import { strings } from "./strings";

const at = "2026-11-28T10:00:00.000000+00:00";
const copy = (kind: string, to: string, by: { id: string | null; display_name: string }) => ({ id: "trs_1", kind, to, at, by, note: null });

describe("copies of a conversation", () => {
  it("says who sent or exported what, in both languages", () => {
    const en = strings.en;
    const de = strings.de;
    expect(copyText(copy("agent", "crm@example.com", { id: "usr_1", display_name: "Bert" }), en)).toMatch(/^Sent by Bert to crm@example.com, /);
    expect(copyText(copy("visitor", "sam@example.com", { id: "vis_1", display_name: "Sam" }), en)).toMatch(/^Sent to the visitor at their request \(sam@example.com\)/);
    expect(copyText(copy("export", "csv", { id: "usr_2", display_name: "Anna" }), en)).toMatch(/^Exported as CSV by Anna, /);
    expect(copyText(copy("export", "jsonl", { id: "operator", display_name: "" }), en)).toMatch(/^Exported as JSONL by the operator/);
    expect(copyText(copy("export", "csv", { id: "usr_2", display_name: "Anna" }), de)).toMatch(/^Von Anna als CSV exportiert, /);
  });

  it("names an agent deleted since as a former agent", () => {
    const en = strings.en;
    expect(copyText(copy("export", "csv", { id: "usr_2", display_name: "" }), en)).toContain(en.formerAgent.label);
  });
});
