import { describe, expect, it } from "vitest";
import { httpUrl, isServerPath } from "./urls";

describe("httpUrl", () => {
  it("takes http and https URLs", () => {
    expect(httpUrl("https://www.acme.example/logo.png")?.origin).toBe("https://www.acme.example");
    expect(httpUrl("http://acme.example/a?b#c")?.href).toBe("http://acme.example/a?b#c");
  });

  it("refuses every other scheme, paths and malformed text", () => {
    for (const text of ["javascript:alert(1)", "data:text/html,x", "/media/logo.webp", "//evil.example/x", "not a url", ""]) {
      expect(httpUrl(text)).toBeNull();
    }
  });
});

describe("isServerPath", () => {
  it("is a path, not a protocol-relative URL", () => {
    expect(isServerPath("/media/photos/p-64.webp")).toBe(true);
    expect(isServerPath("//evil.example/x.png")).toBe(false);
    expect(isServerPath("https://acme.example/x.png")).toBe(false);
  });
});
