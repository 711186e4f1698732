// Notices the visitor's page changes: the first load and in-page navigation through the History API
// (pushState, replaceState, back/forward), so agents see the page trail (`page.view`).

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
