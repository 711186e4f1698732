// A profile photo from the wsChat server (a same-origin path), with an initials placeholder when it fails.
import { useState } from "preact/hooks";

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0]?.[0] ?? "?";
  const last = words.length > 1 ? (words[words.length - 1]?.[0] ?? "") : "";
  return (first + last).toUpperCase();
}

/** Only paths on this server are loaded: a photo URL is never followed to another host. */
export function sameOriginPath(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url, location.origin);
    return parsed.origin === location.origin ? parsed.pathname + parsed.search : null;
  } catch {
    return null;
  }
}

export function Avatar({ name, url, size = 32 }: { name: string; url: string | null | undefined; size?: number }) {
  const [failed, setFailed] = useState<string | null>(null);
  const src = sameOriginPath(url);
  const small = src && size <= 64 ? src.replace(/-256\.webp$/, "-64.webp") : src;
  if (!small || failed === small) {
    return (
      <span class="avatar avatar-placeholder" style={{ width: `${size}px`, height: `${size}px` }} aria-hidden="true">
        {initials(name)}
      </span>
    );
  }
  return <img class="avatar" src={small} width={size} height={size} alt="" onError={() => setFailed(small)} />;
}
