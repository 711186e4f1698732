import { describe, expect, it } from "vitest";
import { chooseLanguage } from "./language";

describe("chooseLanguage", () => {
  it("follows the page when the tenant says auto", () => {
    expect(chooseLanguage("auto", "de-AT")).toBe("de");
    expect(chooseLanguage("auto", "en")).toBe("en");
    expect(chooseLanguage("auto", "fr")).toBe("en");
    expect(chooseLanguage("auto", "")).toBe("en");
  });

  it("lets the tenant fix it, and data-lang override both", () => {
    expect(chooseLanguage("de", "en")).toBe("de");
    expect(chooseLanguage("en", "de")).toBe("en");
    expect(chooseLanguage("en", "de", "DE")).toBe("de");
    expect(chooseLanguage("de", "de", "xx")).toBe("de");
  });
});
