import { describe, expect, it } from "vitest";
import { Api } from "./api";
import { fixture } from "../shared/fixtures";
import { SessionAnswer, TenantAnswer } from "./wire";
import * as v from "valibot";

const session = {
  token: "t1",
  expires_at: "2026-11-29T09:00:00.000000+00:00",
  user: { id: "usr_1", tenant_id: "ten_1", login: "anna", display_name: "Anna", role: "admin", max_chats: 3, disabled: false, photo_url: "/media/initials/ten_1/usr_1-256.webp", created_at: "2026-11-29T08:00:00.000000+00:00" },
  tenant: { id: "ten_1", slug: "acme", name: "ACME", plan: "demo", demo_ends_at: null, allowed_origins: [], ip_truncation: true, auto_assign: true, visitor_timeout_minutes: 30 },
};

function json(status: number, body: unknown): Response {
  return new Response(body === null ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("Api", () => {
  it("parses a login answer", async () => {
    const api = new Api(async () => json(200, session));
    const answer = await api.login("acme", "anna", "pw");
    expect(answer.ok && answer.value.user.login).toBe("anna");
    expect(v.safeParse(SessionAnswer, session).success).toBe(true);
  });

  it("returns the error code of a refused login", async () => {
    const api = new Api(async () => json(401, { error: { code: "INVALID_CREDENTIALS", message: "no" } }));
    const answer = await api.login("acme", "anna", "bad");
    expect(answer).toEqual({ ok: false, status: 401, error: { code: "INVALID_CREDENTIALS", message: "no" } });
  });

  it("renews the token once on AUTH_INVALID and retries with it", async () => {
    const seen: (string | undefined)[] = [];
    const api = new Api(async (_path, init) => {
      const auth = (init?.headers as Record<string, string>)["Authorization"];
      seen.push(auth);
      return auth === "Bearer fresh" ? json(200, { tenant: session.tenant }) : json(401, { error: { code: "AUTH_INVALID", message: "" } });
    });
    api.token = "stale";
    api.onExpired = async () => (api.token = "fresh");
    const answer = await api.call("GET", "/api/tenant", TenantAnswer);
    expect(answer.ok).toBe(true);
    expect(seen).toEqual(["Bearer stale", "Bearer fresh"]);
  });

  it("refuses an answer that does not match the schema", async () => {
    const api = new Api(async () => json(200, { tenant: { id: 1 } }));
    const answer = await api.call("GET", "/api/tenant", TenantAnswer);
    expect(answer.ok === false && answer.error.code).toBe("BAD_ANSWER");
  });

  it("reports a network failure", async () => {
    const api = new Api(async () => {
      throw new TypeError("offline");
    });
    const answer = await api.call("GET", "/api/tenant", TenantAnswer);
    expect(answer.ok === false && answer.error.code).toBe("NETWORK");
    expect(fixture("error/ack.json").direction).toBe("error");
  });
});
