// The two call components the widget and the console share: a <video> bound to a MediaStream, and the
// tenant's Jitsi meeting mounted into a node. Layout, controls and texts stay with each app.
import { useEffect, useRef, useState } from "preact/hooks";
import type { CallClient } from "./client";
import { openJitsi, type JitsiApi } from "./jitsi";
import { duration } from "./schemas";

interface VideoProps {
  stream: MediaStream | null;
  muted: boolean;
  label: string;
  cls: string;
}

export function Video({ stream, muted, label, cls }: VideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video || video.srcObject === stream) return;
    video.srcObject = stream;
    if (stream) video.play().catch(() => {});
  }, [stream]);
  return <video ref={ref} class={cls} autoPlay playsInline muted={muted} aria-label={label} />;
}

/** The running call's time (m:ss) since `since`, ticking every second; outside any live region on purpose. */
export function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <time class="elapsed">{duration(Math.floor((now - since) / 1000))}</time>;
}

/**
 * The meeting of the current Jitsi call, in an iframe on the tenant's Jitsi host (jitsi.ts). A screen call
 * joins without camera and microphone; its presenter starts sharing the screen as soon as they are in the
 * meeting (the browser asks which screen, as in p2p).
 */
export function Jitsi({ calls, side, failedText }: { calls: CallClient; side: "agent" | "visitor"; failedText: string }) {
  const node = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const { jitsi, call } = calls.state;
  const screen = call?.kind === "screen";
  const presenting = screen && call?.started_by === side;
  useEffect(() => {
    if (!jitsi || !node.current) return;
    let api: JitsiApi;
    try {
      api = openJitsi(jitsi, node.current, screen);
    } catch {
      return setFailed(true); // not a host name: nothing is opened
    }
    api.addListener("readyToClose", () => void calls.leave());
    if (presenting) api.addListener("videoConferenceJoined", () => api.executeCommand("toggleShareScreen"));
    return () => api.dispose();
  }, [jitsi]);
  return <div class="jitsi" ref={node}>{failed && <p class="error">{failedText}</p>}</div>;
}
