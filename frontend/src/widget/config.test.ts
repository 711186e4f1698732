import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { assetUrl, palette, smallPhoto, WidgetConfig } from "./config";

// The example of docs/protocol.md §4 (`GET /api/widget/{tenant}`).
const sample = {
  tenant: { slug: "acme", name: "ACME GmbH" },
  online: true,
  language: "auto",
  branding: { primary_color: "#0b5fff", text_color: "#ffffff", position: "right", logo_url: null },
  texts: {
    en: { title: "Chat with us", greeting: "Hello!", offline: "Nobody is available.", queued: "Please wait." },
    de: { title: "Chatten Sie mit uns", greeting: "Hallo!", offline: "Niemand da.", queued: "Bitte warten." },
  },
  features: { contact_form: true, offline_messages: true, end_chat: true, video: false, screen_share: false },
};

describe("WidgetConfig", () => {
  it("parses the documented example", () => {
    const config = v.parse(WidgetConfig, sample);
    expect(config.branding.position).toBe("right");
    expect(palette(config)).toEqual({ primary: "#0b5fff", onPrimary: "#ffffff" });
  });

  it("never lets a colour that is not #rrggbb into the stylesheet", () => {
    const evil = { ...sample, branding: { ...sample.branding, primary_color: "red;}*{display:none", position: "top" } };
    const config = v.parse(WidgetConfig, evil);
    expect(config.branding.primary_color).toBe("#0b5fff");
    expect(config.branding.position).toBe("right");
  });

  it("replaces an unreadable text colour", () => {
    const pale = { ...sample, branding: { ...sample.branding, primary_color: "#ffe066", text_color: "#ffffff" } };
    expect(palette(v.parse(WidgetConfig, pale)).onPrimary).toBe("#000000");
  });

  it("reads the call features, and offers none to a server that does not send them", () => {
    const allowed = { ...sample, features: { ...sample.features, video: true, screen_share: true } };
    expect(v.parse(WidgetConfig, allowed).features).toMatchObject({ video: true, screen_share: true });
    const { video: _, screen_share: __, ...older } = sample.features;
    expect(v.parse(WidgetConfig, { ...sample, features: older }).features).toMatchObject({ video: false, screen_share: false });
  });

  it("refuses a configuration without texts", () => {
    expect(v.safeParse(WidgetConfig, { ...sample, texts: {} }).success).toBe(false);
  });
});

describe("assetUrl", () => {
  const origin = "https://chat.example";

  it("puts the wsChat origin in front of a path", () => {
    expect(assetUrl(origin, "/media/photos/pho_1-256.webp")).toBe("https://chat.example/media/photos/pho_1-256.webp");
  });

  it("never loads a photo from anywhere else", () => {
    expect(assetUrl(origin, "//evil.example/x.png")).toBeNull();
    expect(assetUrl(origin, "https://evil.example/x.png")).toBeNull();
    expect(assetUrl(origin, null)).toBeNull();
  });

  it("takes a full logo URL (the server checked its origin) but no other scheme", () => {
    expect(assetUrl(origin, "https://www.acme.example/logo.png", true)).toBe("https://www.acme.example/logo.png");
    expect(assetUrl(origin, "javascript:alert(1)", true)).toBeNull();
    expect(assetUrl(origin, "data:image/svg+xml,<svg/>", true)).toBeNull();
  });

  it("uses the small photo variant in the thread", () => {
    expect(smallPhoto("/media/initials/ten_1/usr_1-256.webp")).toBe("/media/initials/ten_1/usr_1-64.webp");
  });
});
