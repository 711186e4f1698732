import { describe, expect, it } from "vitest";
import { contrast, fromWidget, patchBody, problems } from "./branding";

const widget = {
  language: "auto" as const,
  branding: { primary_color: "#0b5fff", text_color: "#ffffff", position: "right" as const, logo_url: null },
  texts: {
    en: { title: "Chat with us", greeting: "Hello!", offline: "Offline", queued: "Queued" },
    de: { title: "Chatten", greeting: "Hallo!", offline: "Offline", queued: "Warten" },
  },
};

describe("branding", () => {
  it("overlays the stored branding on what the widget shows", () => {
    const b = fromWidget(widget, { primary_color: "#12ab34", texts: { de: { greeting: "Moin!" } } });
    expect(b.primary_color).toBe("#12ab34");
    expect(b.texts.de.greeting).toBe("Moin!");
    expect(b.texts.de.title).toBe("Chatten");
    expect(b.texts.en.greeting).toBe("Hello!");
  });

  it("warns below WCAG AA", () => {
    expect(contrast(fromWidget(widget, null))!.ok).toBe(true);
    expect(contrast(fromWidget(widget, { primary_color: "#ffee00" }))!.ok).toBe(false);
    expect(contrast(fromWidget(widget, { primary_color: "#fff" }))).toBeNull();
  });

  it("accepts a logo on wsChat or an allowed origin only", () => {
    const with_ = (logo_url: string) => problems({ ...fromWidget(widget, null), logo_url }, ["https://www.acme.example"]).map((p) => p.field);
    expect(with_("/media/logo.png")).toEqual([]);
    expect(with_("https://www.acme.example/logo.png")).toEqual([]);
    expect(with_("https://cdn.evil.example/logo.png")).toEqual(["logo_url"]);
    expect(with_("javascript:alert(1)")).toEqual(["logo_url"]);
    expect(with_("//evil.example/x.png")).toEqual(["logo_url"]);
  });

  it("refuses bad colours and over-long texts", () => {
    const b = fromWidget(widget, null);
    const fields = problems({ ...b, primary_color: "red", texts: { ...b.texts, en: { ...b.texts.en, title: "x".repeat(61) } } }).map((p) => p.field);
    expect(fields).toEqual(["primary_color", "texts.en.title"]);
  });

  it("sends an empty logo as \"\" so that the server removes it", () => {
    const body = patchBody({ ...fromWidget(widget, null), logo_url: null, primary_color: "#ABCDEF" });
    expect(body.branding.logo_url).toBe("");
    expect(body.branding.primary_color).toBe("#abcdef");
  });
});
