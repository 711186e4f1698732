// WCAG 2.x contrast between two #rrggbb colours, so that a tenant's brand colours stay readable
// (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). Pure data, no DOM.

const HEX = /^#[0-9a-fA-F]{6}$/;

export function isHexColor(value: string): boolean {
  return HEX.test(value);
}

function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** WCAG AA for normal text: at least 4.5:1. */
export function meetsAA(a: string, b: string): boolean {
  return contrastRatio(a, b) >= 4.5;
}

/** `text` on `background` if it reaches `minimum` (4.5: WCAG AA for normal text), else black or white. */
export function readableText(background: string, text: string, minimum = 4.5): string {
  if (contrastRatio(background, text) >= minimum) return text;
  return contrastRatio(background, "#000000") >= contrastRatio(background, "#ffffff") ? "#000000" : "#ffffff";
}
