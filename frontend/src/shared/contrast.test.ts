import { describe, expect, it } from "vitest";
import { contrastRatio, isHexColor, readableText } from "./contrast";

describe("contrast", () => {
  it("measures WCAG contrast", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#ffffff")).toBeCloseTo(1, 5);
  });

  it("keeps a readable text colour and replaces an unreadable one", () => {
    expect(readableText("#0b5fff", "#ffffff")).toBe("#ffffff");
    expect(readableText("#ffe066", "#ffffff")).toBe("#000000");
    expect(readableText("#12324f", "#1d2433")).toBe("#ffffff");
  });

  it("knows a colour", () => {
    expect(isHexColor("#0b5fff")).toBe(true);
    expect(isHexColor("red")).toBe(false);
  });
});
