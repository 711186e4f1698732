import { describe, expect, it } from "vitest";
import { LANGS, languageOf } from "./language";

describe("languageOf", () => {
  it("reads the base language of a tag, in any case and with either separator", () => {
    expect(languageOf("de-AT")).toBe("de");
    expect(languageOf("DE_ch")).toBe("de");
    expect(languageOf(" en ")).toBe("en");
    expect(languageOf("en-US")).toBe("en");
  });

  it("gives null for a language wsChat does not speak, and for nothing", () => {
    expect(languageOf("fr-FR")).toBeNull();
    expect(languageOf("")).toBeNull();
    expect(languageOf(null)).toBeNull();
    expect(languageOf(undefined)).toBeNull();
    expect(languageOf("deutsch")).toBeNull();
  });

  it("lists every language once", () => {
    expect([...LANGS].sort()).toEqual(["de", "en"]);
  });
});
