// The branding editor's data: what the widget shows now (GET /api/widget/{tenant}, defaults included),
// overlaid with what the tenant stored (GET /api/tenant), and the PATCH /api/tenant body built from it.
import { contrastRatio, isHexColor, meetsAA } from "../shared/contrast";
import { LANGS, type Lang } from "../shared/language";
import { httpUrl, isServerPath } from "../shared/urls";
import { t } from "./strings";
import type { StoredBranding, Texts, WidgetConfig } from "./wire";

export const TEXT_FIELDS: readonly (keyof Texts)[] = ["title", "greeting", "offline", "queued"];

export interface Branding {
  primary_color: string;
  text_color: string;
  position: "left" | "right";
  logo_url: string | null;
  language: "auto" | "de" | "en";
  texts: Record<Lang, Texts>;
}

export const FALLBACK: Branding = {
  primary_color: "#0b5fff",
  text_color: "#ffffff",
  position: "right",
  logo_url: null,
  language: "auto",
  texts: {
    en: { title: "Chat with us", greeting: "Hello! How can we help you?", offline: "Nobody is available right now.", queued: "Please wait a moment." },
    de: { title: "Chatten Sie mit uns", greeting: "Hallo! Wie können wir Ihnen helfen?", offline: "Gerade ist niemand erreichbar.", queued: "Einen Moment bitte." },
  },
};

export function fromWidget(config: WidgetConfig | null, stored: StoredBranding | null | undefined): Branding {
  const base: Branding = config
    ? { ...config.branding, language: config.language, texts: { en: { ...config.texts.en }, de: { ...config.texts.de } } }
    : structuredClone(FALLBACK);
  if (!stored) return base;
  return {
    primary_color: stored.primary_color ?? base.primary_color,
    text_color: stored.text_color ?? base.text_color,
    position: stored.position ?? base.position,
    logo_url: stored.logo_url === undefined ? base.logo_url : stored.logo_url,
    language: stored.language ?? base.language,
    texts: {
      en: { ...base.texts.en, ...definedOnly(stored.texts?.en) },
      de: { ...base.texts.de, ...definedOnly(stored.texts?.de) },
    },
  };
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

export interface Problem {
  field: string;
  message: string;
}

export const TEXT_LIMITS: Record<keyof Texts, number> = { title: 60, greeting: 400, offline: 400, queued: 400 };

/** Problems that block saving (docs/protocol.md §4 `branding`): colours, text lengths, where the logo lives. */
export function problems(b: Branding, allowedOrigins: readonly string[] = []): Problem[] {
  const out: Problem[] = [];
  if (!isHexColor(b.primary_color)) out.push({ field: "primary_color", message: t.branding.problems.colour("#0b5fff") });
  if (!isHexColor(b.text_color)) out.push({ field: "text_color", message: t.branding.problems.colour("#ffffff") });
  const logo = b.logo_url?.trim();
  if (logo && !isServerPath(logo)) {
    const origin = httpUrl(logo)?.origin;
    if (!origin || !allowedOrigins.includes(origin)) {
      out.push({ field: "logo_url", message: t.branding.problems.logo });
    }
  }
  for (const lang of LANGS) {
    for (const f of TEXT_FIELDS) {
      if ([...b.texts[lang][f]].length > TEXT_LIMITS[f]) out.push({ field: `texts.${lang}.${f}`, message: t.branding.problems.tooLong(TEXT_LIMITS[f]) });
    }
  }
  return out;
}

export function contrast(b: Branding): { ratio: number; ok: boolean } | null {
  if (!isHexColor(b.primary_color) || !isHexColor(b.text_color)) return null;
  return { ratio: contrastRatio(b.primary_color, b.text_color), ok: meetsAA(b.primary_color, b.text_color) };
}

/** The PATCH /api/tenant body. An empty logo is sent as "" (removes it; null would keep the old one), an
 * empty text as "" (back to the default text). */
export function patchBody(b: Branding): { branding: Omit<Branding, "logo_url"> & { logo_url: string } } {
  const trim = (t: Texts): Texts => ({ title: t.title.trim(), greeting: t.greeting.trim(), offline: t.offline.trim(), queued: t.queued.trim() });
  return {
    branding: {
      ...b,
      primary_color: b.primary_color.toLowerCase(),
      text_color: b.text_color.toLowerCase(),
      logo_url: b.logo_url?.trim() ?? "",
      texts: { en: trim(b.texts.en), de: trim(b.texts.de) },
    },
  };
}
