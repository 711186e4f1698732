// The chat panel: the header (agent or title, status, contact / call / end / minimise buttons), the call banner
// and view, the messages or the form of the moment, and the composer. A chunk of its own, loaded when the
// visitor reaches the launcher (App.tsx); it stays mounted, hidden, while the panel is closed. It reads the
// controller's state and calls its methods; it holds only view state of its own (which form is shown, what is
// being typed, where the focus goes next).
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Lang } from "../../shared/language";
import { Chunk } from "../chunk";
import { assetUrl } from "../config";
import type { WidgetController } from "../controller";
import { seenByAgent, view } from "../state";
import { strings, type Strings } from "../strings";
import { callbackOffered } from "../appointments";
import { ConfirmEnd, OfflineForm, TranscriptForm } from "./Forms";
import { Icon, type IconName } from "./icons";
import { launcherTexts } from "./Launcher";
import { Loaded } from "./Loaded";
import css from "./panel.css?inline";
import { hide, Thread } from "./Thread";

/** The contact form, loaded when the visitor first opens it (docs/widget.md, "Size"). */
const contactForm = new Chunk(() => import("./ContactForm"));
/** "Your data" (download, deletion), loaded when the visitor first opens it. */
const myData = new Chunk(() => import("./MyData"));
/** The booking card (docs/appointments.md), loaded when the visitor first opens an offer or the call back. */
const booking = new Chunk(() => import("./Booking"));

const FOCUSABLE = "input, textarea, button:not([disabled]), [tabindex]";

interface PanelProps {
  controller: WidgetController;
  lang: Lang;
  hidden: boolean;
  /** How often the visitor opened the panel: each time the focus moves into it. */
  opened: number;
  /** Invitation text of the call, as the launcher words it (empty when there is none). */
  invite: string;
  /** Minimises the panel and gives the focus back to the launcher. */
  onClose: () => void;
}

/** App.tsx re-renders it at every change of the controller's state. */
export function Panel({ controller, lang, hidden, opened, invite, onClose }: PanelProps) {
  const [mode, setMode] = useState<"chat" | "contact" | "data" | "booking">("chat");
  /** The type the booking card books (null: the call back). */
  const [bookType, setBookType] = useState<string | null>(null);
  const [callback, setCallback] = useState(false);
  /** Said once the visitor's data was deleted, in the start state that follows. */
  const [deleted, setDeleted] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [alias, setAlias] = useState("");
  const [draft, setDraft] = useState("");
  const [full, setFull] = useState(false);
  const [callError, setCallError] = useState("");
  /** The offline form was sent: its thanks stay until the visitor can chat again. */
  const [leftMessage, setLeftMessage] = useState(false);
  const body = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  /** Set where the visitor most likely acts next: the composer if there is one, else the first control. */
  const focusBody = useRef(false);

  const state = controller.state;
  const config = controller.config;
  const shown = config ? view(state) : "loading";
  const count = state.thread.messages.length + state.pending.length;
  const offline = shown === "offline";
  useEffect(() => {
    if (offline) void callbackOffered((e, p, s) => controller.ask(e, p, s)).then(setCallback);
  }, [offline]);
  const openBooking = (typeId: string | null) => {
    setBookType(typeId);
    setMode("booking");
  };

  // Opening moves the focus in (not a panel that was already open when the page loaded: opened is 0 then).
  useLayoutEffect(() => {
    if (opened > 0) focusBody.current = true;
  }, [opened]);
  useLayoutEffect(() => {
    if (!focusBody.current || hidden) return;
    focusBody.current = false;
    (composer.current ?? body.current?.querySelector<HTMLElement>(FOCUSABLE))?.focus();
  });
  useLayoutEffect(() => {
    const el = body.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [count, state.agentTyping, shown, hidden, mode]);
  useEffect(() => {
    if (hidden) setConfirming(false);
  }, [hidden]);

  if (!config) return null;
  const t = strings[lang];
  const texts = config.texts[lang];
  const conversation = state.conversation;
  const closed = conversation?.status === "closed";
  const agent = conversation && conversation.status !== "queued" ? conversation.agent : null;
  const logo = assetUrl(controller.origin, config.branding.logo_url, true);
  const photo = agent ? assetUrl(controller.origin, agent.photo_url) : null;

  const onPanelKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    if (mode !== "chat") {
      setMode("chat");
      focusBody.current = true;
    } else onClose();
  };
  const submit = (e?: Event) => {
    e?.preventDefault();
    if (!draft.trim()) return;
    void controller.send(draft, alias);
    setDraft("");
    focusBody.current = true;
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
  // The call client and its UI exist once the call chunk is loaded (calls.ts); until then there is no call.
  const calls = controller.calls;
  const client = calls.client;
  const callUi = calls.ui;
  const phase = client?.state.phase ?? "idle";
  const inCall = client?.inCall ?? false;
  /** A call the server refused shows why; a screen choice the visitor cancelled ("MEDIA") shows nothing. */
  const startCall = async (id: string, kind: "video" | "screen") => {
    setCallError("");
    const code = await calls.start(id, kind);
    if (code && code !== "MEDIA") setCallError(code === "AGENT_UNAVAILABLE" ? t.call.busy : t.call.notStarted);
  };
  const canCall =
    config.features.video && conversation?.status === "active" && !inCall && phase !== "invited" && phase !== "away";

  return (
    <div class="panel" id="wsc-panel" role="dialog" aria-labelledby="wsc-title" hidden={hidden} onKeyDown={onPanelKey}>
      <style>{css}</style>
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
            onPreload={() => contactForm.preload()}
            onClick={() => {
              setMode(mode === "contact" ? "chat" : "contact");
              focusBody.current = true;
            }}
          />
        )}
        {canCall && (
          <HeadButton
            icon="video"
            label={t.call.start}
            onPreload={() => calls.preload()}
            onClick={() => void startCall(conversation.id, "video")}
          />
        )}
        {canCall && config.features.screen_share && (
          <HeadButton
            icon="screen"
            label={t.call.share}
            onPreload={() => calls.preload()}
            onClick={() => void startCall(conversation.id, "screen")}
          />
        )}
        {config.features.end_chat && conversation && !closed && (
          <HeadButton icon="end" label={t.endChat} onClick={() => setConfirming(true)} />
        )}
        <HeadButton icon="down" label={launcherTexts[lang].closeChat} onClick={onClose} />
      </div>

      {client && callUi && <callUi.CallBanner calls={client} t={t} invite={invite} />}
      {callError && (
        <div class="callbar" role="alert">
          <span>{callError}</span>
          <button type="button" class="btn quiet" onClick={() => setCallError("")}>
            {t.call.close}
          </button>
        </div>
      )}
      {client && callUi && <callUi.CallView calls={client} t={t} full={full && inCall} onFull={() => setFull(!full)} />}

      <div class="body" ref={body} hidden={full && inCall}>
        {mode === "contact" ? (
          <Loaded chunk={contactForm} failed={t.failed}>
            {({ ContactForm }) => (
              <ContactForm
                t={t}
                onSave={(fields) => controller.submitContact(fields)}
                onBack={() => {
                  setMode("chat");
                  focusBody.current = true;
                }}
              />
            )}
          </Loaded>
        ) : mode === "booking" ? (
          <Loaded chunk={booking} failed={t.failed}>
            {({ Booking }) => (
              <Booking
                ask={(e, p, s) => controller.ask(e, p, s)}
                t={t}
                lang={lang}
                typeId={bookType}
                conversationId={bookType ? (conversation?.id ?? null) : null}
                onBack={() => {
                  setMode("chat");
                  focusBody.current = true;
                }}
              />
            )}
          </Loaded>
        ) : mode === "data" ? (
          <Loaded chunk={myData} failed={t.failed}>
            {({ MyData }) => (
              <MyData
                t={t}
                controller={controller}
                onBack={() => {
                  setMode("chat");
                  focusBody.current = true;
                }}
                onDeleted={() => {
                  setDeleted(true);
                  setMode("chat");
                  setDraft("");
                  focusBody.current = true;
                }}
              />
            )}
          </Loaded>
        ) : shown === "loading" ? (
          <p class="notice" role="status">{t.connecting}</p>
        ) : shown === "unavailable" ? (
          <p class="notice" role="status">{t.unavailable}</p>
        ) : shown === "offline" && callback && (!config.features.offline_messages || leftMessage) ? (
          <>
            <p class="notice" role="status">{leftMessage ? t.offlineSent : texts.offline}</p>
            <CallbackButton t={t} onOpen={() => openBooking(null)} />
          </>
        ) : shown === "offline" && !config.features.offline_messages ? (
          <p class="notice" role="status">{texts.offline}</p>
        ) : shown === "offline" && leftMessage ? (
          <p class="notice" role="status">{t.offlineSent}</p>
        ) : shown === "offline" ? (
          <>
          {callback && <CallbackButton t={t} onOpen={() => openBooking(null)} />}
          <OfflineForm
            t={t}
            text={texts.offline}
            onSend={async (n, e, m) => {
              const failed = await controller.leaveMessage(n, e, m, lang);
              if (!failed) setLeftMessage(true);
              return failed;
            }}
          />
          </>
        ) : (
          <>
            {shown === "start" && (
              <>
                {deleted && (
                  <p class="ok" role="status">
                    {t.myData.deleted}
                  </p>
                )}
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
                <DataButton t={t} onOpen={() => setMode("data")} />
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
              onBook={openBooking}
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
                      focusBody.current = true;
                    }}
                  >
                    {t.newChat}
                  </button>
                </div>
                <TranscriptForm t={t} onSend={(email) => controller.requestTranscript(email, lang)} />
                <DataButton t={t} onOpen={() => setMode("data")} />
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
            focusBody.current = true;
          }}
          onConfirm={async () => {
            const failed = await controller.endChat();
            if (!failed) {
              setConfirming(false);
              focusBody.current = true;
            }
            return failed;
          }}
        />
      )}
    </div>
  );
}

interface HeadButtonProps {
  icon: IconName;
  label: string;
  pressed?: boolean;
  onClick: () => void;
  /** Fetches what the click will need (a chunk) as soon as the pointer or the focus reaches the button. */
  onPreload?: () => void;
}

/** An icon button of the panel's header: the label is its accessible name and its tooltip. */
function HeadButton({ icon, label, pressed, onClick, onPreload }: HeadButtonProps) {
  return (
    <button
      type="button"
      class="icon"
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      onClick={onClick}
      onPointerEnter={onPreload}
      onFocus={onPreload}
    >
      <Icon name={icon} />
    </button>
  );
}

/** Opens "Your data": a quiet text button under the start form and under a chat that has ended. */
function DataButton({ t, onOpen }: { t: Strings; onOpen: () => void }) {
  return (
    <div class="row">
      <button type="button" class="btn quiet" onClick={onOpen} onPointerEnter={() => myData.preload()}>
        {t.myData.open}
      </button>
    </div>
  );
}

function CallbackButton({ t, onOpen }: { t: Strings; onOpen: () => void }) {
  return (
    <div class="row">
      <button type="button" class="btn" onClick={onOpen} onPointerEnter={() => booking.preload()} onFocus={() => booking.preload()}>
        {t.booking.callback}
      </button>
    </div>
  );
}
