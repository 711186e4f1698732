// The call of one app (widget or console), as a small state machine over the §12 events: invitation,
// joining, the peer connection (p2p.ts) or the Jitsi connect data (the UI mounts Jitsi), the local media,
// mute/camera/screen, the end. The app hands in its ack-parsing `emit` and forwards the socket's call events
// to `handle`; the UI reads `state` and calls the methods. No DOM here beyond the media APIs.
import type * as v from "valibot";
import { parseEvent, type Ack } from "../wire";
import type { CallEventName } from "./events";
import { P2PSession, type Outgoing } from "./p2p";
import {
  CallAck,
  Connect,
  CurrentAck,
  ParticipantEvent,
  present,
  Signal,
  SignalAck,
  type Call,
  type JitsiConnect,
  type Side,
} from "./schemas";

export type Emit = <T>(event: string, payload: object, schema: v.GenericSchema<unknown, T>) => Promise<Ack<T>>;

/**
 * idle: no call. invited: an invitation to answer. away: an open call this window is not in (another tab,
 * or before a reload). ringing: in the call, the other side is not. connecting/connected: both are in.
 * ended: the call is over (`call` says how and how long).
 */
export type Phase = "idle" | "invited" | "away" | "ringing" | "connecting" | "connected" | "ended";

export interface CallState {
  phase: Phase;
  call: Call | null;
  jitsi: JitsiConnect | null;
  local: MediaStream | null;
  /** Remote streams, oldest first: the other side's camera, then a screen they added. */
  remote: readonly MediaStream[];
  mic: boolean;
  camera: boolean;
  sharing: boolean;
  /** "media": no camera/microphone (refused or missing), the call goes on receive-only; else an error code. */
  problem: string | null;
  /** When the running call began, in this browser's clock (ms), for the call timer; derived, see `since`. */
  since: number | null;
}

export interface Media {
  user(): Promise<MediaStream>;
  display(): Promise<MediaStream>;
  peer(config: RTCConfiguration): RTCPeerConnection;
}

export const browserMedia: Media = {
  user: () => navigator.mediaDevices.getUserMedia({ audio: true, video: true }),
  display: () => navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }),
  peer: (config) => new RTCPeerConnection(config),
};

const idle: CallState = {
  phase: "idle",
  call: null,
  jitsi: null,
  local: null,
  remote: [],
  mic: true,
  camera: true,
  sharing: false,
  problem: null,
  since: null,
};

/**
 * When `call` began, in this browser's clock. A call seen turning active here began now; one that was already
 * active when it arrived (after a reload) began at its server time, never in the future, so a visitor's clock
 * that is off shows a timer that is at worst off, not negative.
 */
export function since(before: CallState, call: Call | null, now: number): number | null {
  if (!call || call.status !== "active") return null;
  if (before.call?.id === call.id) {
    if (before.since !== null) return before.since;
    if (before.call.status === "ringing") return now;
  }
  const started = Date.parse(call.started_at ?? "");
  return Number.isFinite(started) ? Math.min(started, now) : now;
}

export class CallClient {
  state: CallState = idle;
  private session: P2PSession | null = null;
  private ice: RTCIceServer[] = [];
  private invite: v.InferOutput<typeof Connect> | null = null;
  private screen: MediaStream | null = null;
  private joining = false;
  private early: Signal[] = [];

  constructor(
    readonly side: Side,
    private readonly emit: Emit,
    private readonly changed: () => void,
    private readonly media: Media = browserMedia,
  ) {}

  private set(patch: Partial<CallState>): void {
    const next = { ...this.state, ...patch };
    this.state = { ...next, since: since(this.state, next.call, Date.now()) };
    this.changed();
  }

  /** Whether this window is in the call (started or joined it). */
  get inCall(): boolean {
    return ["ringing", "connecting", "connected"].includes(this.state.phase);
  }

  /** A call event from the socket; malformed ones are dropped. */
  handle(name: CallEventName, raw: unknown): void {
    if (name === "rtc.signal") {
      const signal = parseEvent(name, raw, Signal);
      if (signal && signal.call_id === this.state.call?.id) this.onSignal(signal);
    } else if (name === "call.invite") {
      const invite = parseEvent(name, raw, Connect);
      if (invite && !this.inCall && !this.joining) {
        this.invite = invite;
        this.set({ ...idle, phase: "invited", call: invite.call });
      }
    } else if (name === "call.ended") {
      const event = parseEvent(name, raw, CallAck);
      if (event && (event.call.id === this.state.call?.id || !this.inCall)) this.ended(event.call);
    } else {
      const event = parseEvent(name, raw, ParticipantEvent);
      if (event) this.onParticipant(name === "call.joined", event.call, event.participant.side);
    }
  }

  /** After a (re)connect: the conversation's open call (`call.current`), to rejoin or answer it. */
  async current(conversationId: string): Promise<void> {
    if (this.inCall || this.joining) return;
    const reply = await this.emit("call.current", { conversation_id: conversationId }, CurrentAck);
    if (!reply.ok || this.inCall || this.joining) return;
    const call = reply.value.call;
    if (call) this.set({ ...idle, phase: call.started_by === this.side || call.status === "active" ? "away" : "invited", call });
    else if (this.state.call?.conversation_id === conversationId && this.state.phase !== "ended") this.set(idle);
  }

  /**
   * After a reconnect: the server took the closed socket out of the call, so a window that was in it joins
   * again from the new socket, keeping its camera; the other side then offers on a fresh connection.
   */
  async resume(): Promise<void> {
    const call = this.state.call;
    if (!call || !this.inCall || this.joining) return;
    this.joining = true;
    this.session?.close(false);
    this.session = null; // signals that come before the ack wait for the new connection
    try {
      const reply = await this.emit("call.join", { call_id: call.id }, Connect);
      if (reply.ok) this.enter(reply.value, this.state.local);
      else if (reply.error.code === "CALL_ENDED") this.ended({ ...call, status: "ended" });
      else {
        this.cleanUp();
        this.set({ ...idle, phase: "away", call });
      }
    } finally {
      this.joining = false;
    }
  }

  /** Starts a call; a screen call presents this side's screen. Resolves with an error code, or null. */
  async start(conversationId: string, kind: "video" | "screen"): Promise<string | null> {
    if (this.inCall || this.joining) return "CONFLICT";
    this.joining = true;
    this.state = { ...this.state, problem: null };
    try {
      const local = kind === "screen" ? await this.grabScreen() : await this.grabUser();
      if (kind === "screen" && !local) return "MEDIA";
      const reply = await this.emit("call.start", { conversation_id: conversationId, kind }, Connect);
      if (!reply.ok) {
        stop(local);
        this.screen = null;
        return reply.error.code;
      }
      this.enter(reply.value, kind === "screen" ? null : local);
      return null;
    } finally {
      this.joining = false;
    }
  }

  /** Answers the invitation, or rejoins the open call. A screen call is watched: no camera is asked for. */
  async join(): Promise<string | null> {
    const call = this.state.call;
    if (!call || this.inCall || this.joining) return null;
    this.joining = true;
    this.state = { ...this.state, problem: null };
    try {
      const watch = call.kind === "screen" && call.started_by !== this.side;
      const local = watch || call.mode === "jitsi" ? null : await this.grabUser();
      const reply = await this.emit("call.join", { call_id: call.id }, Connect);
      if (!reply.ok) {
        stop(local);
        if (reply.error.code === "CALL_ENDED") this.ended({ ...call, status: "ended" });
        return reply.error.code;
      }
      this.enter(reply.value, local);
      return null;
    } finally {
      this.joining = false;
    }
  }

  async decline(): Promise<void> {
    const call = this.state.call;
    if (!call) return;
    const reply = await this.emit("call.decline", { call_id: call.id }, CallAck);
    this.ended(reply.ok ? reply.value.call : { ...call, status: "ended" });
  }

  /** Ends the call for both sides. */
  async hangUp(): Promise<void> {
    const call = this.state.call;
    if (!call) return;
    this.session?.close(true);
    const reply = await this.emit("call.end", { call_id: call.id }, CallAck);
    if (reply.ok) this.ended(reply.value.call);
    else this.cleanUp();
  }

  /** Leaves the call (Jitsi's own hang-up): the call ends when nobody is left in it. */
  async leave(): Promise<void> {
    const call = this.state.call;
    if (!call || !this.inCall) return;
    this.cleanUp();
    this.set({ ...idle, phase: "away", call });
    await this.emit("call.leave", { call_id: call.id }, CallAck);
  }

  /** Forgets an ended call (the "ended" line is dismissed). */
  dismiss(): void {
    if (this.state.phase === "ended") this.set(idle);
  }

  toggleMic(): void {
    const mic = !this.state.mic;
    for (const track of this.state.local?.getAudioTracks() ?? []) track.enabled = mic;
    this.set({ mic });
  }

  toggleCamera(): void {
    const camera = !this.state.camera;
    for (const track of this.state.local?.getVideoTracks() ?? []) track.enabled = camera;
    this.set({ camera });
  }

  /** The agent's screen: added to the running video call (renegotiated), or a screen call of its own. */
  async shareScreen(conversationId: string): Promise<string | null> {
    if (!this.inCall) return this.start(conversationId, "screen");
    if (this.state.sharing || !this.session) return null;
    const screen = await this.grabScreen();
    if (!screen) return "MEDIA";
    this.set({ sharing: true });
    await this.session.addScreen(screen);
    return null;
  }

  async stopSharing(): Promise<void> {
    if (this.state.call?.kind === "screen") return this.hangUp();
    stop(this.screen);
    this.screen = null;
    this.set({ sharing: false });
    await this.session?.removeScreen();
  }

  // ---------------------------------------------------------------------------------------------------

  private async grabUser(): Promise<MediaStream | null> {
    try {
      return await this.media.user();
    } catch {
      this.set({ problem: "media" });
      return null;
    }
  }

  private async grabScreen(): Promise<MediaStream | null> {
    try {
      const screen = await this.media.display();
      this.screen = screen;
      // The browser's own "Stop sharing" ends the track.
      for (const track of screen.getVideoTracks()) track.onended = () => void this.stopSharing();
      return screen;
    } catch {
      return null;
    }
  }

  /** This window is in the call now (the start or join ack). */
  private enter(connect: v.InferOutput<typeof Connect>, local: MediaStream | null): void {
    const call = connect.call;
    const presenting = call.kind === "screen" && call.started_by === this.side;
    this.ice = connect.ice_servers ?? this.invite?.ice_servers ?? [];
    this.invite = null;
    this.set({
      ...idle,
      phase: present(call, this.other) ? "connecting" : "ringing",
      call,
      jitsi: connect.jitsi ?? null,
      local: presenting ? this.screen : local,
      sharing: presenting || this.state.sharing,
      mic: this.state.mic,
      camera: this.state.camera,
      problem: this.state.problem,
    });
    if (call.mode === "p2p") this.newSession();
    const early = this.early;
    this.early = [];
    for (const signal of early) this.onSignal(signal);
  }

  private get other(): Side {
    return this.side === "agent" ? "visitor" : "agent";
  }

  private newSession(): void {
    this.session?.close(false);
    const call = this.state.call!;
    const pc = this.media.peer({ iceServers: this.ice });
    const send = (signal: Outgoing) => void this.emit("rtc.signal", { call_id: call.id, ...signal }, SignalAck);
    const session = new P2PSession(pc, send, this.side === "visitor", this.state.local);
    session.onremote = () => session === this.session && this.set({ remote: [...session.remote.values()] });
    session.onstate = (state) => {
      if (session !== this.session) return;
      if (state === "connected") this.set({ phase: "connected" });
      else if (state === "failed") this.set({ problem: "connection" });
    };
    this.session = session;
    // A screen added earlier to this video call goes on with the new connection (after a rejoin).
    if (this.screen && this.state.call?.kind === "video") void session.addScreen(this.screen);
  }

  private onParticipant(joined: boolean, call: Call, side: Side): void {
    const mine = this.state.call?.id === call.id;
    if (!mine && (this.inCall || this.joining)) return;
    if (!this.inCall) {
      // Another window of this side joined or left; or we learn of a call we have not seen.
      if (this.joining) return;
      if (call.status === "ended") return this.ended(call);
      const phase = present(call, this.side) || call.status === "active" ? "away" : this.state.phase === "invited" ? "invited" : "away";
      return this.set({ phase, call });
    }
    this.set({ call });
    if (side === this.side) return;
    if (joined) {
      // The other side (re)joined: this side was in first, so it offers, on a fresh connection if needed.
      if (this.session?.pc.remoteDescription || this.session?.closed) this.newSession();
      this.set({ phase: "connecting" });
      if (call.mode === "p2p") void this.session?.offer();
    } else {
      if (call.mode === "p2p") this.newSession();
      this.set({ phase: "ringing", remote: [] });
    }
  }

  private onSignal(signal: Signal): void {
    if (this.joining && !this.session) {
      this.early.push(signal);
      return;
    }
    if (signal.type === "offer" && this.session?.closed) this.newSession();
    if (signal.type === "bye") this.set({ remote: [] });
    void this.session?.handle(signal);
  }

  private ended(call: Call): void {
    this.cleanUp();
    this.set({ ...idle, phase: "ended", call });
  }

  private cleanUp(): void {
    this.session?.close(false);
    this.session = null;
    stop(this.state.local);
    stop(this.screen);
    this.screen = null;
    this.invite = null;
    this.early = [];
  }
}

function stop(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
