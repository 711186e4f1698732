// The visitor's page views, for agents' page trail (`page.view`): the first load and in-page navigation through
// the History API (pushState, replaceState, back/forward), cut to what the server may store.

export type PageListener = (url: string, referrer: string) => void;

/** Calls `listener` now and after every change of `location.href`; returns a function that stops watching. */
export function watchPages(listener: PageListener, win: Window = window): () => void {
  let current = win.location.href;
  let timer: ReturnType<typeof setTimeout> | undefined;
  listener(current, win.document.referrer);

  const check = () => {
    // Single-page apps set document.title right after pushState: read it a moment later.
    clearTimeout(timer);
    timer = setTimeout(() => {
      const next = win.location.href;
      if (next === current) return;
      const previous = current;
      current = next;
      listener(next, previous);
    }, 50);
  };

  const history = win.history;
  const originals = { pushState: history.pushState, replaceState: history.replaceState };
  for (const name of ["pushState", "replaceState"] as const) {
    const original = originals[name];
    history[name] = function (this: History, ...args: Parameters<History["pushState"]>) {
      const result = original.apply(this, args);
      check();
      return result;
    };
  }
  win.addEventListener("popstate", check);
  return () => {
    clearTimeout(timer);
    history.pushState = originals.pushState;
    history.replaceState = originals.replaceState;
    win.removeEventListener("popstate", check);
  };
}

/** The page a visitor is on, for `page.view` (agents see the page trail). */
export interface PageView {
  url: string;
  title?: string;
  referrer?: string;
}

/**
 * A page view as the server stores it (docs/protocol.md §9.1): http(s) addresses without query, fragment and
 * credentials, which often carry personal data, so they never leave the browser. `null` for other schemes.
 */
export function pageView(url: string, title: string, referrer: string): PageView | null {
  const page = pageAddress(url);
  if (!page) return null;
  const view: PageView = { url: page };
  if (title.trim()) view.title = title.trim().slice(0, 300);
  const from = pageAddress(referrer);
  if (from) view.referrer = from;
  return view;
}

function pageAddress(raw: string): string | null {
  try {
    const url = new URL(raw);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    return (url.origin + url.pathname).slice(0, 2048);
  } catch {
    return null;
  }
}
