// The console shell: header (navigation, sound, sign-out), connection banner, notices, the three columns.
import { useEffect } from "preact/hooks";
import { ADMIN_VIEWS, controller, VIEWS, type View } from "../controller";
import { setSoundEnabled, soundEnabled } from "../sound";
import { t } from "../strings";
import { Agents } from "./Agents";
import { Appointments } from "./Appointments";
import { Archive } from "./Archive";
import { Audit } from "./Audit";
import { Reports } from "./ReportsPage";
import { Avatar } from "./Avatar";
import { Branding } from "./Branding";
import { Conversation } from "./Conversation";
import { useConsole } from "./hooks";
import { LanguageSwitch } from "./LanguageSwitch";
import { LiveVisitors } from "./LiveVisitors";
import { Login } from "./Login";
import { Profile } from "./Profile";
import { Replies } from "./Replies";
import { Settings } from "./Settings";
import { Sidebar } from "./Sidebar";
import { Subjects } from "./Subjects";
import { Mail } from "./Mail";
import { Offline } from "./Offline";
import { Video } from "./Video";
import { VisitorPanel } from "./VisitorPanel";
import { Webhooks } from "./Webhooks";
import { useState } from "preact/hooks";

function viewFromHash(admin: boolean): View {
  const name = location.hash.replace(/^#\/?/, "") as View;
  if (!VIEWS.includes(name)) return "chats";
  return ADMIN_VIEWS.includes(name) && !admin ? "chats" : name;
}

/** Global shortcuts: Alt+1…9 open chat tab N, Alt+↑/↓ previous/next tab, Alt+Q accepts the longest-waiting chat. */
function onShortcut(e: KeyboardEvent): void {
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  const state = controller.state;
  if (/^Digit[1-9]$/.test(e.code)) {
    const id = state.tabs[Number(e.code.slice(5)) - 1];
    if (id) {
      e.preventDefault();
      controller.select(id);
    }
  } else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
    if (!state.tabs.length) return;
    e.preventDefault();
    const index = state.active ? state.tabs.indexOf(state.active) : -1;
    const next = state.tabs[(index + (e.key === "ArrowDown" ? 1 : -1) + state.tabs.length) % state.tabs.length];
    if (next) controller.select(next);
  } else if (e.code === "KeyQ") {
    const first = state.queue[0];
    if (first) {
      e.preventDefault();
      void controller.accept(first.id);
    }
  }
}

function SoundToggle() {
  const [on, setOn] = useState(soundEnabled());
  return (
    <label class="check sound">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => {
          setSoundEnabled(e.currentTarget.checked);
          setOn(e.currentTarget.checked);
        }}
      />{" "}
      {t.sound}
    </label>
  );
}

export function App() {
  const { state, ui } = useConsole();
  const admin = state.me?.role === "admin";

  useEffect(() => {
    const sync = () => controller.setUi({ view: viewFromHash(controller.state.me?.role === "admin") });
    const refocus = () => controller.markRead();
    window.addEventListener("hashchange", sync);
    window.addEventListener("keydown", onShortcut);
    window.addEventListener("focus", refocus);
    document.addEventListener("visibilitychange", refocus);
    return () => {
      window.removeEventListener("hashchange", sync);
      window.removeEventListener("keydown", onShortcut);
      window.removeEventListener("focus", refocus);
      document.removeEventListener("visibilitychange", refocus);
    };
  }, []);
  useEffect(() => {
    if (ui.phase === "app") controller.setUi({ view: viewFromHash(admin) });
  }, [ui.phase, admin]);
  useEffect(() => {
    const hash = `#/${ui.view}`;
    if (ui.phase === "app" && location.hash !== hash) history.replaceState(null, "", hash);
  }, [ui.view, ui.phase]);

  if (ui.phase === "loading") return <main class="loading" aria-busy="true" />;
  if (ui.phase === "login") return <Login error={ui.loginError} />;

  const chat = state.active ? state.chats[state.active] : undefined;
  const nav: View[] = admin ? [...VIEWS] : ["chats", "visitors", "offline", "archive", "appointments", "profile", "replies", "reports"];
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">{t.appName}</span>
        <nav aria-label={t.a11y.sections}>
          {nav.map((v) => (
            <a key={v} href={`#/${v}`} aria-current={ui.view === v ? "page" : undefined}>
              {t.nav[v]}
              {v === "offline" && ui.offlineOpen ? (
                <span class="count" aria-label={t.offline.count(ui.offlineOpen)}>
                  {" "}
                  {ui.offlineOpen}
                </span>
              ) : null}
            </a>
          ))}
        </nav>
        <div class="notice-slot">
          {ui.notice && (
            <div class={`notice ${ui.notice.kind}`} role={ui.notice.kind === "error" ? "alert" : "status"}>
              <span class="notice-text" title={ui.notice.text}>
                {ui.notice.text}
              </span>
              <button type="button" class="link" aria-label={t.a11y.dismiss} onClick={() => controller.setUi({ notice: null })}>
                ×
              </button>
            </div>
          )}
        </div>
        <SoundToggle />
        <LanguageSwitch />
        {state.me && (
          <span class="me">
            <Avatar name={state.me.display_name} url={state.me.photo_url} size={28} />
            <span>{state.me.display_name}</span>
          </span>
        )}
        <button type="button" onClick={() => void controller.logout()}>
          {t.logout}
        </button>
      </header>
      {state.connection === "reconnecting" && (
        <div class="banner" role="status">
          {t.banner.reconnecting}
        </div>
      )}
      <div class="visually-hidden" aria-live="polite" aria-atomic="true">
        {ui.announce}
      </div>
      <div class={`columns view-${ui.view}`}>
        <Sidebar state={state} />
        {ui.view === "chats" ? (
          chat ? (
            <>
              <Conversation state={state} chat={chat} />
              <VisitorPanel chat={chat} />
            </>
          ) : (
            <main class="conversation empty-state">
              <p>{t.chats.none}</p>
            </main>
          )
        ) : (
          <main class="content">
            {ui.view === "visitors" && <LiveVisitors state={state} />}
            {ui.view === "offline" && <Offline open={ui.offlineOpen} />}
            {ui.view === "archive" && <Archive state={state} />}
            {ui.view === "profile" && <Profile state={state} />}
            {ui.view === "replies" && <Replies admin={admin} />}
            {ui.view === "appointments" && <Appointments admin={admin} />}
            {ui.view === "agents" && admin && <Agents state={state} />}
            {ui.view === "branding" && admin && <Branding state={state} />}
            {ui.view === "settings" && admin && <Settings state={state} />}
            {ui.view === "video" && admin && <Video />}
            {ui.view === "mail" && admin && <Mail />}
            {ui.view === "subjects" && admin && <Subjects />}
            {ui.view === "audit" && admin && <Audit />}
            {ui.view === "reports" && <Reports />}
            {ui.view === "webhooks" && admin && <Webhooks />}
          </main>
        )}
      </div>
    </div>
  );
}
