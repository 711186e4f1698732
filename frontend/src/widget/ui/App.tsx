// The widget's UI: the launcher and the panel. It reads the controller's state and calls its methods; it
// holds only view state of its own (which form is shown, what is being typed, where focus goes next).
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { assetUrl, palette } from "../config";
import type { WidgetController } from "../controller";
import type { Lang } from "../../shared/language";
import { strings } from "../strings";
import { seenByAgent, unreadCount, view } from "../state";
import { CallBanner, CallView, caller } from "./Call";
import { ConfirmEnd, ContactForm, OfflineForm } from "./Forms";
import { Icon, type IconName } from "./icons";
import { stylesheet } from "./styles";
import { hide, Thread } from "./Thread";

type Focus = "body" | "launcher" | null;

const FOCUSABLE = "input, textarea, button:not([disabled]), [tabindex]";

export function App({ controller, lang }: { controller: WidgetController; lang: Lang }) {
  const [, rerender] = useState(0);
  // Subscribed within the first render (a plain effect waits for the next frame and could miss a change).
  useLayoutEffect(() => controller.subscribe(() => rerender((n) => n + 1)), [controller]);
  const [mode, setMode] = useState<"chat" | "contact">("chat");
  const [confirming, setConfirming] = useState(false);
  const [alias, setAlias] = useState("");
  const [draft, setDraft] = useState("");
  const [full, setFull] = useState(false);
  const [callError, setCallError] = useState("");
  const launcher = useRef<HTMLButtonElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const focusNext = useRef<Focus>(null);

  const state = controller.state;
  const config = controller.config;
  const shown = config ? view(state) : "loading";
  const count = state.thread.messages.length + state.pending.length;

  useLayoutEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    // "body": where the visitor most likely acts next: the composer if there is one, else the first control.
    if (target === "launcher") launcher.current?.focus();
    else if (target) (composer.current ?? body.current?.querySelector<HTMLElement>(FOCUSABLE))?.focus();
  });
  useLayoutEffect(() => {
    const el = body.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, state.agentTyping, shown, state.open, mode]);

  if (!config) return null;
  const t = strings[lang];
  const texts = config.texts[lang];
  const colours = palette(config);
  const conversation = state.conversation;
  const closed = conversation?.status === "closed";
  const agent = conversation && conversation.status !== "queued" ? conversation.agent : null;
  const unread = state.open ? 0 : unreadCount(state);
  const logo = assetUrl(controller.origin, config.branding.logo_url, true);
  const photo = agent ? assetUrl(controller.origin, agent.photo_url) : null;

  const toggle = () => {
    const open = !state.open;
    focusNext.current = open ? "body" : "launcher";
    setConfirming(false);
    controller.setOpen(open);
  };
  const minimise = () => {
    focusNext.current = "launcher";
    setConfirming(false);
    controller.setOpen(false);
  };
  const onPanelKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    if (mode === "contact") {
      setMode("chat");
      focusNext.current = "body";
    } else minimise();
  };
  const submit = (e?: Event) => {
    e?.preventDefault();
    if (!draft.trim()) return;
    void controller.send(draft, alias);
    setDraft("");
    focusNext.current = "body";
  };
  const onComposerKey = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
  };
  const onDraft = (e: Event) => {
    const area = e.currentTarget as HTMLTextAreaElement;
    setDraft(area.value);
    area.style.height = "auto";
    area.style.height = `${area.scrollHeight + 2}px`;
    controller.typing(area.value);
  };

  const lost = !state.connected && state.phase === "ready";
  const status = lost ? t.reconnecting : agent ? t.agentStatus : state.online ? t.online : t.offlineStatus;
  const showComposer = mode === "chat" && (shown === "start" || (shown === "chat" && !closed));
  const calls = controller.calls;
  const call = calls.state.call;
  const invite = calls.state.phase === "invited" && call ? t.call.invite(caller(call), call.kind === "screen") : "";
  const inCall = calls.inCall;
  /** An invitation while the panel is closed: the launcher pulses and shows a badge. */
  const ringing = !state.open && invite !== "";
  /** A call the server refused shows why; a screen choice the visitor cancelled ("MEDIA") shows nothing. */
  const startCall = async (id: string, kind: "video" | "screen") => {
    setCallError("");
    const code = await calls.start(id, kind);
    if (code && code !== "MEDIA") setCallError(code === "AGENT_UNAVAILABLE" ? t.call.busy : t.call.notStarted);
  };
  const canCall =
    config.features.video && conversation?.status === "active" && !inCall && calls.state.phase !== "invited" && calls.state.phase !== "away";

  return (
    <div class={`root ${config.branding.position}${state.open ? " open" : ""}`} lang={lang}>
      <style>{stylesheet(colours.primary, colours.onPrimary)}</style>
      <div
        class="panel"
        id="wsc-panel"
        role="dialog"
        aria-labelledby="wsc-title"
        hidden={!state.open}
        onKeyDown={onPanelKey}
      >
        <div class="head">
          {photo ? (
            <img class="avatar" src={photo} alt={t.agentPhoto(agent!.display_name)} onError={hide} />
          ) : (
            logo && <img class="logo" src={logo} alt="" onError={hide} />
          )}
          <div class="titles">
            <h2 class="title" id="wsc-title">
              {agent ? agent.display_name : texts.title}
            </h2>
            <p class="sub">
              <span class={"dot" + (state.online || agent ? " on" : "")} aria-hidden="true" />
              {status}
            </p>
          </div>
          {config.features.contact_form && shown !== "unavailable" && shown !== "loading" && (
            <HeadButton
              icon="contact"
              label={t.contact}
              pressed={mode === "contact"}
              onClick={() => {
                setMode(mode === "contact" ? "chat" : "contact");
                focusNext.current = "body";
              }}
            />
          )}
          {canCall && <HeadButton icon="video" label={t.call.start} onClick={() => void startCall(conversation.id, "video")} />}
          {canCall && config.features.screen_share && (
            <HeadButton icon="screen" label={t.call.share} onClick={() => void startCall(conversation.id, "screen")} />
          )}
          {config.features.end_chat && conversation && !closed && (
            <HeadButton icon="end" label={t.endChat} onClick={() => setConfirming(true)} />
          )}
          <HeadButton icon="down" label={t.closeChat} onClick={minimise} />
        </div>

        <CallBanner calls={calls} t={t} />
        {callError && (
          <div class="callbar" role="alert">
            <span>{callError}</span>
            <button type="button" class="btn quiet" onClick={() => setCallError("")}>
              {t.call.close}
            </button>
          </div>
        )}
        <CallView calls={calls} t={t} full={full && inCall} onFull={() => setFull(!full)} />

        <div class="body" ref={body} hidden={full && inCall}>
          {mode === "contact" ? (
            <ContactForm
              t={t}
              onSave={(fields) => controller.submitContact(fields)}
              onBack={() => {
                setMode("chat");
                focusNext.current = "body";
              }}
            />
          ) : shown === "loading" ? (
            <p class="notice" role="status">{t.connecting}</p>
          ) : shown === "unavailable" ? (
            <p class="notice" role="status">{t.unavailable}</p>
          ) : shown === "offline" && !config.features.offline_messages ? (
            <p class="notice" role="status">{texts.offline}</p>
          ) : shown === "offline" ? (
            <OfflineForm t={t} text={texts.offline} onSend={(n, e, m) => controller.leaveMessage(n, e, m)} />
          ) : (
            <>
              {shown === "start" && (
                <>
                  <p class="notice greeting">{texts.greeting}</p>
                  <label>
                    {t.nameLabel}
                    <input
                      value={alias}
                      maxLength={80}
                      autoComplete="nickname"
                      onInput={(e) => setAlias(e.currentTarget.value)}
                    />
                  </label>
                  <p class="typing">{t.anonymousHint}</p>
                </>
              )}
              {conversation?.status === "queued" && (
                <p class="notice" role="status">{state.online ? texts.queued : t.offlineSent}</p>
              )}
              <Thread
                messages={state.thread.messages}
                pending={state.pending}
                seenSeq={seenByAgent(state)}
                lang={lang}
                t={t}
                origin={controller.origin}
                connected={state.connected}
                onRetry={(id) => controller.retry(id)}
              />
              {closed ? (
                <div class="form">
                  <p class="notice" role="status">{t.ended}</p>
                  <div class="row">
                    <button
                      type="button"
                      class="btn"
                      onClick={() => {
                        controller.newChat();
                        focusNext.current = "body";
                      }}
                    >
                      {t.newChat}
                    </button>
                  </div>
                </div>
              ) : (
                <p class="typing" aria-live="polite">
                  {state.agentTyping && t.typing(state.agentTyping)}
                </p>
              )}
            </>
          )}
        </div>

        {showComposer && !(full && inCall) && (
          <form class="composer" onSubmit={submit}>
            <textarea
              ref={composer}
              rows={1}
              value={draft}
              maxLength={4000}
              aria-label={t.composerLabel}
              placeholder={t.composerPlaceholder}
              onInput={onDraft}
              onKeyDown={onComposerKey}
            />
            <button class="send" type="submit" aria-label={t.send} title={t.send} disabled={!draft.trim()}>
              <Icon name="send" />
            </button>
          </form>
        )}

        {confirming && (
          <ConfirmEnd
            t={t}
            onCancel={() => {
              setConfirming(false);
              focusNext.current = "body";
            }}
            onConfirm={async () => {
              const failed = await controller.endChat();
              if (!failed) {
                setConfirming(false);
                focusNext.current = "body";
              }
              return failed;
            }}
          />
        )}
      </div>

      <p class="sr" role="status">
        {invite}
      </p>
      <button
        ref={launcher}
        type="button"
        class={"launcher" + (ringing ? " ring" : "")}
        aria-expanded={state.open}
        aria-controls="wsc-panel"
        aria-label={
          state.open ? t.closeChat : invite ? `${t.openChat}, ${invite}` : unread ? `${t.openChat}, ${t.unread(unread)}` : t.openChat
        }
        title={state.open ? t.closeChat : texts.title}
        onClick={toggle}
      >
        <Icon name={state.open ? "close" : "chat"} size={26} />
        {(unread > 0 || ringing) && (
          <span class="badge" aria-hidden="true">
            {ringing ? "1" : unread > 9 ? "9+" : unread}
          </span>
        )}
      </button>
    </div>
  );
}

/** An icon button of the panel's header: the label is its accessible name and its tooltip. */
function HeadButton({ icon, label, pressed, onClick }: { icon: IconName; label: string; pressed?: boolean; onClick: () => void }) {
  return (
    <button type="button" class="icon" aria-label={label} title={label} aria-pressed={pressed} onClick={onClick}>
      <Icon name={icon} />
    </button>
  );
}
