// The tenant's public widget configuration (docs/protocol.md §4, `GET /api/widget/{tenant}`), parsed at the
// boundary. Colours that are not #rrggbb fall back to the defaults: they end up in a stylesheet.
import * as v from "valibot";
import { readableText } from "../shared/contrast";
import { httpUrl, isServerPath } from "../shared/urls";

const Color = (fallback: string) => v.fallback(v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/)), fallback);

const Texts = v.object({ title: v.string(), greeting: v.string(), offline: v.string(), queued: v.string() });
export type Texts = v.InferOutput<typeof Texts>;

export const WidgetConfig = v.object({
  tenant: v.object({ slug: v.string(), name: v.string() }),
  online: v.boolean(),
  language: v.fallback(v.picklist(["auto", "en", "de"]), "auto"),
  branding: v.object({
    primary_color: Color("#0b5fff"),
    text_color: Color("#ffffff"),
    position: v.fallback(v.picklist(["left", "right"]), "right"),
    logo_url: v.fallback(v.nullable(v.string()), null),
  }),
  texts: v.object({ en: Texts, de: Texts }),
  features: v.fallback(
    v.object({
      contact_form: v.boolean(),
      offline_messages: v.boolean(),
      end_chat: v.boolean(),
      // Whether the visitor may start a call (the tenant's allow_visitor_calls), and share their screen.
      video: v.optional(v.boolean(), false),
      screen_share: v.optional(v.boolean(), false),
    }),
    { contact_form: true, offline_messages: true, end_chat: true, video: false, screen_share: false },
  ),
});
export type WidgetConfig = v.InferOutput<typeof WidgetConfig>;

/** The brand colours to paint with: the text colour is replaced by black or white when it is unreadable. */
export function palette(config: WidgetConfig): { primary: string; onPrimary: string } {
  const primary = config.branding.primary_color;
  return { primary, onPrimary: readableText(primary, config.branding.text_color) };
}

/**
 * An image address the widget may load. Paths are on the wsChat server, so they get the server's origin (taken
 * from the script's own `src`, never from the page). Full http(s) URLs are accepted only where the server
 * vouches for them (`allowFull`: the logo, which must be on one of the tenant's allowed origins).
 */
export function assetUrl(serverOrigin: string, url: string | null, allowFull = false): string | null {
  if (!url) return null;
  if (isServerPath(url)) return serverOrigin + url;
  return allowFull ? (httpUrl(url)?.href ?? null) : null;
}

/** The small (64 px) variant of a profile photo path (docs/protocol.md §4, profile photos). */
export function smallPhoto(path: string | null): string | null {
  return path ? path.replace(/-256\.webp$/, "-64.webp") : null;
}
