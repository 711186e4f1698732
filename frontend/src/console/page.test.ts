import { describe, expect, it } from "vitest";
import { needsReload, tenantCookie } from "./page";

describe("the console page's tenant", () => {
  it("reloads after signing in to a tenant the page was not made for", () => {
    expect(needsReload("", "acme", null)).toBe(true); // the first sign-in in this browser
    expect(needsReload("globex", "acme", null)).toBe(true); // another company
  });

  it("does not reload when the page fits, or once more for the same tenant", () => {
    expect(needsReload("acme", "acme", null)).toBe(false);
    expect(needsReload("", "acme", "acme")).toBe(false); // reloaded already: the cookie did not stick
    expect(needsReload("", "globex", "acme")).toBe(true);
  });

  it("does not reload a page without the server's tenant tag (the development server)", () => {
    expect(needsReload(null, "acme", null)).toBe(false);
  });

  it("remembers only the slug, for the console's path, same-site only", () => {
    expect(tenantCookie("acme", false)).toBe("wschat_tenant=acme; Path=/console/; Max-Age=31536000; SameSite=Strict");
    expect(tenantCookie("acme", true)).toMatch(/; Secure$/);
  });
});
