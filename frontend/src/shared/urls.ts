// Addresses from the server or typed by people: only http(s) URLs are ever used as links or images, and a
// path means a path on the wsChat server.

/** `text` as an http(s) URL; null for anything else (javascript:, data:, a path, malformed). */
export function httpUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch {
    return null;
  }
}

/** A path on the wsChat server ("/media/…"), never a protocol-relative URL ("//host/…"). */
export const isServerPath = (text: string): boolean => text.startsWith("/") && !text.startsWith("//");
