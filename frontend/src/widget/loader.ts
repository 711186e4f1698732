// widget.js, what a site embeds: <script src="https://chat.example/widget.js" data-tenant="acme" async>.
// A classic script of a few hundred bytes (no import or export: sites load it without type="module"). It
// finds its own <script> element, which is only possible while it runs, and imports the widget proper
// (main.tsx) from next to itself on the wsChat server: widget/main-<hash>.js, by an address made from this
// script's own `src`, never from the page. The build writes that file name in for WIDGET_MAIN.

declare const WIDGET_MAIN: string;

// For TypeScript a module of its own (nothing here is global); the built file exports nothing.
export {};

interface Widget {
  mount(script: HTMLScriptElement): void;
}

type Flagged = Window & { __wsChatWidget?: boolean };

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset["tenant"]) return current;
  return document.querySelector<HTMLScriptElement>('script[data-tenant][src*="widget.js"]');
}

function whenReady(run: () => void): void {
  if (document.body) run();
  else document.addEventListener("DOMContentLoaded", run, { once: true });
}

const script = findScript();
const flagged = window as Flagged;
if (!script || !/^[a-z0-9-]{1,40}$/i.test((script.dataset["tenant"] ?? "").trim())) {
  console.warn('wsChat: the widget\'s <script> needs data-tenant="<your tenant>"');
} else if (!flagged.__wsChatWidget) {
  flagged.__wsChatWidget = true;
  const main = new URL(WIDGET_MAIN, script.src).href;
  import(/* @vite-ignore */ main).then(
    (widget: Widget) => whenReady(() => widget.mount(script)),
    (e: unknown) => console.warn("wsChat: the widget could not be loaded", e),
  );
}
