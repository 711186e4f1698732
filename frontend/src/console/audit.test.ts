import { describe, expect, it } from "vitest";
import { ACTIONS, auditCsvPath, auditPath, detailsText, EMPTY_AUDIT_FILTER } from "./audit";

describe("the audit log's filter", () => {
  it("sends only the fields set, ids trimmed, the end day inclusive", () => {
    expect(auditPath(EMPTY_AUDIT_FILTER, null)).toBe("/api/audit");
    const filter = { action: "subject.*", actorId: " usr_0123456789abcdef ", targetId: "", from: "2026-01-31", to: "2026-02-28" };
    const params = new URL(auditPath(filter, "abc.def"), "http://x").searchParams;
    expect([...params.keys()]).toEqual(["action", "actor_id", "from", "to", "cursor"]);
    expect(params.get("action")).toBe("subject.*");
    expect(params.get("actor_id")).toBe("usr_0123456789abcdef");
    expect(params.get("to")).toBe("2026-03-01");
    expect(params.get("cursor")).toBe("abc.def");
  });

  it("downloads the same filter as CSV, never with a cursor", () => {
    expect(auditCsvPath(EMPTY_AUDIT_FILTER)).toBe("/api/audit.csv");
    const params = new URL(auditCsvPath({ ...EMPTY_AUDIT_FILTER, targetId: "cnv_00000000000000c3" }), "http://x").searchParams;
    expect([...params.entries()]).toEqual([["target_id", "cnv_00000000000000c3"]]);
  });

  it("offers every action under its own family", () => {
    for (const [family, actions] of Object.entries(ACTIONS)) {
      for (const action of actions) expect(action.split(".")[0]).toBe(family);
    }
  });
});

describe("an entry's details", () => {
  it("read as one line of keys and values, nested ones too", () => {
    expect(detailsText({ format: "csv", rows: 3 })).toBe("format: csv · rows: 3");
    expect(detailsText({ counts: { visitors: 1, messages: 12 } })).toBe("counts: (visitors 1, messages 12)");
    expect(detailsText({ fields: ["name", "contact.email"], filter: {} })).toBe("fields: name, contact.email · filter: —");
    expect(detailsText({ mailed: false, recipient: null })).toBe("mailed: false · recipient: —");
    expect(detailsText({})).toBe("");
  });
});
