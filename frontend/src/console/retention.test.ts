import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { categoryNames, retentionPatch, toRetentionForm } from "./retention";
import { RetentionAnswer } from "./wire";

// The example answer of docs/protocol.md §4 "Retention": the tenant chose 180 days of chats.
const documented = {
  retention: {
    categories: {
      chat: { days: 180, max_days: 365, min_days: 1, chosen: true },
      ip: { days: 30, max_days: 30, min_days: 0, chosen: false },
      mail: { days: 90, max_days: 90, min_days: 1, chosen: false },
    },
    ip_action: "delete",
    legal_hold: false,
  },
};
const saved = v.parse(RetentionAnswer, documented).retention;

describe("the retention card's form", () => {
  it("parses the documented answer and lists the categories in the server's order", () => {
    expect(categoryNames(saved)).toEqual(["chat", "ip", "mail"]);
    expect(toRetentionForm(saved)).toEqual({ days: { chat: "180", ip: "30", mail: "90" }, ipAction: "delete" });
  });

  it("sends only what changed", () => {
    const form = toRetentionForm(saved);
    expect(retentionPatch(saved, form)).toEqual({ body: {}, invalid: [] });
    const changed = { days: { ...form.days, ip: "0", mail: " 14 " }, ipAction: "shorten" as const };
    expect(retentionPatch(saved, changed)).toEqual({ body: { days: { ip: 0, mail: 14 }, ip_action: "shorten" }, invalid: [] });
  });

  it("an emptied field goes back to the operator's maximum, if a number was chosen", () => {
    const form = toRetentionForm(saved);
    expect(retentionPatch(saved, { ...form, days: { ...form.days, chat: "", mail: "" } }).body).toEqual({ days: { chat: null } });
  });

  it("refuses what is not a whole number within the category's bounds, and sends nothing then", () => {
    const form = toRetentionForm(saved);
    for (const typed of ["366", "0", "-1", "30.5", "1e2", "abc"]) {
      const { body, invalid } = retentionPatch(saved, { ...form, days: { ...form.days, chat: typed } });
      expect(invalid, typed).toEqual([{ name: "chat", min: 1, max: 365 }]);
      expect(body, typed).toEqual({});
    }
  });

  it("refuses an answer of the wrong shape", () => {
    expect(() => v.parse(RetentionAnswer, { retention: { ...documented.retention, ip_action: "truncate" } })).toThrow();
  });
});
