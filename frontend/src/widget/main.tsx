// The embeddable widget: <script src="https://chat.example/widget.js" data-tenant="acme" async></script>.
// Everything lives in a shadow root on a host element of its own; the server's origin comes from this
// script's own `src`, never from the page.
import { render } from "preact";
import { WidgetController } from "./controller";
import { chooseLanguage } from "./language";
import { VisitorStorage } from "./storage";
import { App } from "./ui/App";

declare global {
  interface Window {
    __wsChatWidget?: boolean;
  }
}

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset["tenant"]) return current;
  return document.querySelector<HTMLScriptElement>('script[data-tenant][src*="widget.js"]');
}

function mount(script: HTMLScriptElement): void {
  const tenant = (script.dataset["tenant"] ?? "").trim().toLowerCase();
  const origin = new URL(script.src, document.baseURI).origin;
  const controller = new WidgetController(origin, tenant, new VisitorStorage(tenant));
  const host = document.createElement("wschat-widget");
  host.style.setProperty("all", "initial");
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });
  void controller.start().then(() => {
    const page = document.documentElement.lang;
    const lang = chooseLanguage(controller.config?.language ?? "auto", page, script.dataset["lang"]);
    render(<App controller={controller} lang={lang} />, shadow);
  });
}

const script = findScript();
if (!script || !/^[a-z0-9-]{1,40}$/i.test((script.dataset["tenant"] ?? "").trim())) {
  console.warn("wsChat: the widget's <script> needs data-tenant=\"<your tenant>\"");
} else if (!window.__wsChatWidget) {
  window.__wsChatWidget = true;
  if (document.body) mount(script);
  else document.addEventListener("DOMContentLoaded", () => mount(script), { once: true });
}
