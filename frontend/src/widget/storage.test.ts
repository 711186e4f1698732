import { describe, expect, it } from "vitest";
import { VisitorStorage } from "./storage";

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe("VisitorStorage", () => {
  it("keeps the token and the read position per tenant", () => {
    const local = new MemoryStorage();
    const acme = new VisitorStorage("acme", local, new MemoryStorage());
    expect(acme.load()).toBeNull();
    acme.save("tok", { conversationId: "cnv_1", seq: 4 });
    expect(local.getItem("wschat:acme")).not.toBeNull();
    expect(acme.load()).toEqual({ token: "tok", seen: { conversationId: "cnv_1", seq: 4 } });
    expect(new VisitorStorage("other", local, null).load()).toBeNull();
  });

  it("forgets the visitor whose data was deleted, and only that tenant's", () => {
    const local = new MemoryStorage();
    const session = new MemoryStorage();
    const acme = new VisitorStorage("acme", local, session);
    acme.save("tok", { conversationId: "cnv_1", seq: 4 });
    acme.setOpen(true);
    new VisitorStorage("other", local, session).save("tok2", { conversationId: null, seq: 0 });
    acme.forget();
    expect(acme.load()).toBeNull();
    expect(acme.wasOpen()).toBe(false);
    expect(new VisitorStorage("other", local, session).load()?.token).toBe("tok2");
  });

  it("forgets a record it cannot read", () => {
    const local = new MemoryStorage();
    local.setItem("wschat:acme", "{not json");
    expect(new VisitorStorage("acme", local, null).load()).toBeNull();
    local.setItem("wschat:acme", JSON.stringify({ token: "" }));
    expect(new VisitorStorage("acme", local, null).load()).toBeNull();
    local.setItem("wschat:acme", JSON.stringify({ token: "tok", seen: "garbage" }));
    expect(new VisitorStorage("acme", local, null).load()?.seen).toEqual({ conversationId: null, seq: 0 });
  });

  it("remembers an open panel for the tab only", () => {
    const session = new MemoryStorage();
    const acme = new VisitorStorage("acme", new MemoryStorage(), session);
    acme.setOpen(true);
    expect(acme.wasOpen()).toBe(true);
    acme.setOpen(false);
    expect(session.length).toBe(0);
  });

  it("works without storage at all", () => {
    const none = new VisitorStorage("acme", null, null);
    none.save("tok", { conversationId: null, seq: 0 });
    expect(none.load()).toBeNull();
    expect(none.wasOpen()).toBe(false);
  });
});
