// The widget proper, an ES module that widget.js (loader.ts) imports from the wsChat server and hands its own
// <script> element. Everything lives in a shadow root on a host element of its own; the server's origin comes
// from that script's `src`, never from the page. The call and the contact form are chunks of their own,
// loaded on first use (calls.ts, ui/App.tsx).
import { render } from "preact";
import { WidgetController } from "./controller";
import { chooseLanguage } from "./language";
import { VisitorStorage } from "./storage";
import { App } from "./ui/App";

/** Mounts the widget for the tenant `script` names (loader.ts checked it). */
export function mount(script: HTMLScriptElement): void {
  const tenant = (script.dataset["tenant"] ?? "").trim().toLowerCase();
  const origin = new URL(script.src, document.baseURI).origin;
  // A video appointment's call page (wschat/appointments/call_page.py): the join link stands for the visitor.
  const appointment = script.dataset["appointment"] || null;
  const controller = new WidgetController(origin, tenant, new VisitorStorage(tenant), appointment);
  const host = document.createElement("wschat-widget");
  host.style.setProperty("all", "initial");
  document.body.appendChild(host);
  const shadow = host.attachShadow({ mode: "open" });
  void controller.start().then(() => {
    const page = document.documentElement.lang;
    const lang = chooseLanguage(controller.config?.language ?? "auto", page, script.dataset["lang"]);
    render(<App controller={controller} lang={lang} />, shadow);
    if (appointment) controller.setOpen(true);
  });
}
