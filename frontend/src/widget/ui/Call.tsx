// The visitor's call: the invitation banner (Join / Decline), and the call view (the other side's video large,
// the own camera small, mute / camera / hang-up, the not-recorded notice). Jitsi calls mount the tenant's
// meeting into the view instead of the <video> elements. This module is the call chunk, loaded on first use
// (calls.ts), so it also hands over the call client it drives.
import type { CallClient } from "../../shared/call/client";
import { Elapsed, Jitsi, Video } from "../../shared/call/views";
import { duration } from "../../shared/call/schemas";
import type { Strings } from "../strings";
import css from "./call.css?inline";
import { Icon } from "./icons";

export { CallClient } from "../../shared/call/client";

/** The invitation (Join / Decline), worded by the launcher (`invite`), or a call this page is not in (Rejoin). */
export function CallBanner({ calls, t, invite }: { calls: CallClient; t: Strings; invite: string }) {
  const { phase, call } = calls.state;
  if (!call || (phase !== "invited" && phase !== "away")) return null;
  const invited = phase === "invited";
  const text = invited ? invite : t.call.away;
  return (
    <div class="callbar" role="group" aria-label={text}>
      <Icon name="video" />
      <span>{text}</span>
      <button type="button" class="btn" onClick={() => void calls.join()}>
        {invited ? t.call.join : t.call.rejoin}
      </button>
      {invited && (
        <button type="button" class="btn quiet" onClick={() => void calls.decline()}>
          {t.call.decline}
        </button>
      )}
    </div>
  );
}

export function CallView({ calls, t, full, onFull }: { calls: CallClient; t: Strings; full: boolean; onFull: () => void }) {
  const { phase, call, local, remote, mic, camera, problem, jitsi, since } = calls.state;
  if (!call) return null;
  if (phase === "ended") {
    return (
      <div class="callbar" role="status">
        <span>{call.started_at ? t.call.ended(duration(call.duration)) : t.call.over}</span>
        <button type="button" class="btn quiet" onClick={() => calls.dismiss()}>
          {t.call.close}
        </button>
      </div>
    );
  }
  if (phase !== "ringing" && phase !== "connecting" && phase !== "connected") return null;
  // The visitor presenting their own screen sees it large; the agent sends nothing in a screen call.
  const presenting = call.kind === "screen" && call.started_by === "visitor";
  const main = remote[remote.length - 1] ?? (presenting ? local : null);
  const inset = remote.length > 1 ? remote[0]! : null;
  const status = phase === "connected" ? t.call.connected : phase === "ringing" ? t.call.ringing : t.call.connecting;
  return (
    <section class={"call" + (full ? " full" : "")} aria-label={t.call.label}>
      <style>{css}</style>
      <div class="stage">
        {jitsi ? (
          <Jitsi calls={calls} side="visitor" failedText={t.call.failed} />
        ) : (
          <>
            <Video stream={main} muted={presenting} label={presenting ? t.call.presenting : t.call.remote} cls="remote" />
            {inset && <Video stream={inset} muted={false} label={t.call.remote} cls="inset" />}
            {local && call.kind === "video" && <Video stream={local} muted label={t.call.local} cls="local" />}
          </>
        )}
      </div>
      <p class="callnote">
        <span role="status">{status}</span>
        {since !== null && phase === "connected" && (
          <>
            {" "}
            <Elapsed since={since} />
          </>
        )}{" "}
        · <strong>{t.call.notRecorded}</strong>
      </p>
      {presenting && <p class="callnote">{t.call.presenting}</p>}
      {problem && <p class="callnote">{problem === "media" ? t.call.noMedia : t.call.failed}</p>}
      <div class="controls">
        {local && call.kind === "video" && !jitsi && (
          <>
            <button type="button" class="icon mute" aria-pressed={!mic} aria-label={mic ? t.call.mute : t.call.unmute} title={mic ? t.call.mute : t.call.unmute} onClick={() => calls.toggleMic()}>
              <Icon name="mic" />
            </button>
            <button type="button" class="icon mute" aria-pressed={!camera} aria-label={camera ? t.call.cameraOff : t.call.cameraOn} title={camera ? t.call.cameraOff : t.call.cameraOn} onClick={() => calls.toggleCamera()}>
              <Icon name="video" />
            </button>
          </>
        )}
        <button type="button" class="icon" aria-pressed={full} aria-label={full ? t.call.small : t.call.full} title={full ? t.call.small : t.call.full} onClick={onFull}>
          <Icon name="expand" />
        </button>
        <button type="button" class="icon hang" aria-label={t.call.hangUp} title={t.call.hangUp} onClick={() => void calls.hangUp()}>
          <Icon name="hang" />
        </button>
      </div>
    </section>
  );
}
