// The widget's UI: the launcher, from the start, and the panel, a chunk of its own (Panel.tsx) that is fetched
// when the pointer or the focus reaches the launcher, when the visitor opens it, when the panel was open on
// the tab's previous page, or when a call comes (its banner and view are in the panel). It reads the
// controller's state and calls its methods; the panel, once loaded, stays mounted and is hidden when closed.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Lang } from "../../shared/language";
import { caller } from "../calls";
import { Chunk } from "../chunk";
import { palette } from "../config";
import type { WidgetController } from "../controller";
import { unreadCount } from "../state";
import css from "./launcher.css?inline";
import { Launcher, launcherTexts } from "./Launcher";

const panel = new Chunk(() => import("./Panel"));

export function App({ controller, lang }: { controller: WidgetController; lang: Lang }) {
  const [, rerender] = useState(0);
  // Subscribed within the first render (a plain effect waits for the next frame and could miss a change).
  useLayoutEffect(() => controller.subscribe(() => rerender((n) => n + 1)), [controller]);
  /** How often the visitor opened the panel: each opening moves the focus into it. */
  const [opened, setOpened] = useState(0);
  const launcher = useRef<HTMLButtonElement>(null);
  const focusLauncher = useRef(false);

  const state = controller.state;
  const config = controller.config;
  const calls = controller.calls;
  const needed = state.open || calls.client !== null;
  useEffect(() => {
    if (!needed || panel.value) return;
    panel.get().then(
      () => rerender((n) => n + 1),
      (e: unknown) => {
        // Nothing to show: the launcher closes again, and the next click asks once more.
        console.warn("wsChat: the chat panel could not be loaded", e);
        controller.setOpen(false);
      },
    );
  }, [needed]);
  useLayoutEffect(() => {
    if (!focusLauncher.current) return;
    focusLauncher.current = false;
    launcher.current?.focus();
  });

  if (!config) return null;
  const t = launcherTexts[lang];
  const colours = palette(config);
  const call = calls.client?.state.call ?? null;
  const invite =
    calls.client?.state.phase === "invited" && call ? t.invite(caller(call), call.kind === "screen") : "";
  const close = () => {
    focusLauncher.current = true;
    controller.setOpen(false);
  };
  const toggle = () => {
    if (state.open) return close();
    setOpened((n) => n + 1);
    controller.setOpen(true);
  };
  const Panel = panel.value?.Panel;

  return (
    <div class={`root ${config.branding.position}${state.open ? " open" : ""}${controller.appointment ? " page" : ""}`} lang={lang}>
      {/* The brand colours are checked #rrggbb values (config.ts). */}
      <style>{`.root{--p:${colours.primary};--op:${colours.onPrimary}}${css}`}</style>
      {Panel && (
        <Panel controller={controller} lang={lang} hidden={!state.open} opened={opened} invite={invite} onClose={close} />
      )}
      <p class="sr" role="status">
        {invite}
      </p>
      <Launcher
        t={t}
        open={state.open}
        title={config.texts[lang].title}
        unread={state.open ? 0 : unreadCount(state)}
        invite={invite}
        buttonRef={launcher}
        onToggle={toggle}
        onPreload={() => panel.preload()}
      />
    </div>
  );
}
