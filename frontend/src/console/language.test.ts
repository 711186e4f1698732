import { describe, expect, it } from "vitest";
import { chooseLanguage, localeFor } from "./language";

describe("chooseLanguage", () => {
  it("keeps the agent's stored choice whatever the browser prefers", () => {
    expect(chooseLanguage("de", ["en-US", "en"])).toBe("de");
    expect(chooseLanguage("en", ["de-DE", "de"])).toBe("en");
  });

  it("follows the first language of the browser that the console speaks", () => {
    expect(chooseLanguage(null, ["de-AT", "en"])).toBe("de");
    expect(chooseLanguage(null, ["fr-FR", "de", "en"])).toBe("de");
    expect(chooseLanguage(null, ["fr-FR", "en-GB", "de"])).toBe("en");
    expect(chooseLanguage(null, ["DE_ch"])).toBe("de");
  });

  it("falls back to English, and ignores a stored value it does not know", () => {
    expect(chooseLanguage(null, [])).toBe("en");
    expect(chooseLanguage(null, ["fr", "it"])).toBe("en");
    expect(chooseLanguage("fr", ["de-DE"])).toBe("de");
    expect(chooseLanguage("", ["fr"])).toBe("en");
  });
});

describe("localeFor", () => {
  it("uses the browser's own variant of the language, else de-DE or en-GB", () => {
    expect(localeFor("de", ["en-US", "de-AT"])).toBe("de-AT");
    expect(localeFor("en", ["de-DE", "en-US"])).toBe("en-US");
    expect(localeFor("de", ["en-US"])).toBe("de-DE");
    expect(localeFor("en", ["fr"])).toBe("en-GB");
  });

  it("skips a tag that is no valid locale", () => {
    expect(localeFor("de", ["de-!!", "de-CH"])).toBe("de-CH");
  });
});
