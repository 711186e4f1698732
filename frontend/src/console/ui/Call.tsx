// The agent's call inside the conversation: an invitation (Accept / Decline), a call in progress after a
// reload (Rejoin / End), or the call itself — the visitor's video large, the own camera small, mute, camera,
// share screen, hang-up, the status and the not-recorded notice. Jitsi calls mount the tenant's meeting.
import { Elapsed, Jitsi, Video } from "../../shared/call/views";
import { duration } from "../../shared/call/schemas";
import { controller } from "../controller";
import { errorText, t } from "../strings";

async function act(step: Promise<string | null>): Promise<void> {
  const code = await step;
  if (code === "MEDIA") controller.notify(t.call.media, "error");
  // CONFLICT: this console is in a call already; AGENT_UNAVAILABLE: another tab of yours is (docs/protocol.md §12).
  else if (code) controller.notify(code === "CONFLICT" || code === "AGENT_UNAVAILABLE" ? t.call.busy : errorText({ code, message: "" }), "error");
}

/** The Video and Share screen buttons of the conversation header. */
export function CallButtons({ conversationId, mine }: { conversationId: string; mine: boolean }) {
  const calls = controller.calls;
  const { call, phase } = calls.state;
  const here = call?.conversation_id === conversationId;
  const elsewhere = calls.inCall && !here;
  const inHere = calls.inCall && here;
  // An open call here that this window is not in (an invitation, or one to rejoin): its bar offers the way in.
  const pending = here && (phase === "invited" || phase === "away");
  // While the agent is in this conversation's call, its own controls take over.
  if (inHere) return null;
  return (
    <span class="call-actions">
      <button type="button" disabled={!mine || calls.inCall || pending} onClick={() => void act(calls.start(conversationId, "video"))}>
        {t.conversation.video}
      </button>
      <button type="button" disabled={!mine || elsewhere || pending} onClick={() => void act(calls.shareScreen(conversationId))}>
        {t.conversation.shareScreen}
      </button>
    </span>
  );
}

export function CallPanel({ conversationId }: { conversationId: string }) {
  const calls = controller.calls;
  const { phase, call, local, remote, mic, camera, problem, jitsi, sharing, since } = calls.state;
  if (!call || call.conversation_id !== conversationId || phase === "idle") return null;
  const visitor = call.participants.find((p) => p.side === "visitor")?.display_name ?? "";
  if (phase === "ended") {
    return (
      <div class="call-bar" role="status">
        <span>{call.started_at ? t.call.ended(duration(call.duration)) : t.call.over(call.end_reason ?? "")}</span>
        <button type="button" onClick={() => calls.dismiss()}>
          {t.call.close}
        </button>
      </div>
    );
  }
  if (phase === "invited" || phase === "away") {
    const invited = phase === "invited";
    return (
      <div class="call-bar" role="group" aria-label={t.call.label}>
        <span>{invited ? t.call.invite(visitor, call.kind === "screen") : t.call.away}</span>
        <button type="button" class="primary" onClick={() => void act(calls.join())}>
          {invited ? t.call.accept : t.call.rejoin}
        </button>
        <button type="button" class="danger" onClick={() => void (invited ? calls.decline() : calls.hangUp())}>
          {invited ? t.call.decline : t.call.end}
        </button>
      </div>
    );
  }
  // The presenter of a screen call sees their own screen large: the visitor sends nothing.
  const own = call.kind === "screen" && !remote.length;
  const main = remote[remote.length - 1] ?? (own ? local : null);
  const status = phase === "connected" ? t.call.connected : phase === "ringing" ? t.call.ringing : t.call.connecting;
  const video = call.kind === "video";
  return (
    <section class="call" aria-label={video ? t.call.video : t.call.screen}>
      <div class="call-stage">
        {jitsi ? (
          <Jitsi calls={calls} side="agent" failedText={t.call.failed} />
        ) : (
          <>
            <Video stream={main} muted={own} label={own ? t.call.local : t.call.remote} cls="call-remote" />
            {local && !own && <Video stream={local} muted label={t.call.local} cls="call-local" />}
          </>
        )}
      </div>
      <div class="call-controls">
        <span class="call-status">
          <span role="status">{status}</span>
          {since !== null && phase === "connected" && <Elapsed since={since} />}
        </span>
        <strong class="call-notice">{t.call.notRecorded}</strong>
        {problem && <span class="error">{problem === "media" ? t.call.noMedia : t.call.failed}</span>}
        {video && local && !jitsi && (
          <>
            <button type="button" aria-pressed={!mic} onClick={() => calls.toggleMic()}>
              {mic ? t.call.mute : t.call.unmute}
            </button>
            <button type="button" aria-pressed={!camera} onClick={() => calls.toggleCamera()}>
              {camera ? t.call.cameraOff : t.call.cameraOn}
            </button>
          </>
        )}
        {video && !jitsi && (
          <button type="button" aria-pressed={sharing} onClick={() => void (sharing ? calls.stopSharing() : act(calls.shareScreen(conversationId)))}>
            {sharing ? t.conversation.stopSharing : t.conversation.shareScreen}
          </button>
        )}
        <button type="button" class="danger" onClick={() => void calls.hangUp()}>
          {t.call.hangUp}
        </button>
      </div>
    </section>
  );
}
