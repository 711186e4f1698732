// One peer-to-peer connection of a call, negotiated exactly as docs/protocol.md §12.4 says: the side that was
// in the call first offers when the other side joins, the other answers; candidates trickle as `candidate`
// signals (`""` for their end) and wait until the remote description is set; only the agent renegotiates
// (adding or removing the screen), so offers do not collide. No socket, no DOM: the caller hands in the
// peer connection and a `send` for the signals, which keeps this testable with a fake peer connection.
import type { Signal } from "./schemas";

/** A signal as this side sends it; the caller adds the `call_id`. */
export type Outgoing =
  | { type: "offer" | "answer"; sdp: string }
  | { type: "candidate"; candidate: RTCIceCandidateInit }
  | { type: "bye" };

/** The part of RTCPeerConnection a session uses (a fake one in the tests). */
export type Peer = Pick<
  RTCPeerConnection,
  | "addIceCandidate"
  | "addTrack"
  | "close"
  | "connectionState"
  | "createAnswer"
  | "createOffer"
  | "getSenders"
  | "remoteDescription"
  | "removeTrack"
  | "setLocalDescription"
  | "setRemoteDescription"
  | "signalingState"
  | "localDescription"
  | "onicecandidate"
  | "ontrack"
  | "onconnectionstatechange"
>;

export class P2PSession {
  /** The remote streams by id, in arrival order: the camera first, a screen added later after it. */
  readonly remote = new Map<string, MediaStream>();
  onremote: () => void = () => {};
  onstate: (state: RTCPeerConnectionState) => void = () => {};
  closed = false;
  private candidates: RTCIceCandidateInit[] = [];
  private queue: Promise<void> = Promise.resolve();
  private screen: RTCRtpSender[] = [];

  /** `polite`: on colliding offers this side gives way (the visitor); the agent's offer wins. */
  constructor(
    readonly pc: Peer,
    private readonly send: (signal: Outgoing) => void,
    private readonly polite: boolean,
    private local: MediaStream | null = null,
  ) {
    pc.onicecandidate = (e) =>
      send({ type: "candidate", candidate: e.candidate ? e.candidate.toJSON() : { candidate: "", sdpMid: "0", sdpMLineIndex: 0 } });
    pc.ontrack = (e) => {
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      this.remote.set(stream.id, stream);
      const gone = () => {
        if (stream.getVideoTracks().every((t) => t.readyState === "ended" || t.muted)) this.remote.delete(stream.id);
        this.onremote();
      };
      stream.onremovetrack = gone;
      e.track.onended = gone;
      e.track.onunmute = () => {
        this.remote.set(stream.id, stream);
        this.onremote();
      };
      this.onremote();
    };
    pc.onconnectionstatechange = () => this.onstate(pc.connectionState);
  }

  /** The local camera/microphone (or the presented screen of a `screen` call); sent from the next offer or answer. */
  setLocal(stream: MediaStream | null): void {
    this.local = stream;
  }

  /** Creates and sends an offer (the side that was in the call first, or the agent adding the screen). */
  offer(): Promise<void> {
    return this.serially(async () => {
      this.attachLocal();
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      this.send({ type: "offer", sdp: this.pc.localDescription?.sdp ?? offer.sdp ?? "" });
    });
  }

  /** Handles a signal of this call from the other side, one at a time in arrival order. */
  handle(signal: Signal): Promise<void> {
    return this.serially(async () => {
      if (signal.type === "offer") await this.answer(signal.sdp);
      else if (signal.type === "answer") {
        if (this.pc.signalingState !== "have-local-offer") return;
        await this.pc.setRemoteDescription({ type: "answer", sdp: signal.sdp });
        await this.flush();
      } else if (signal.type === "candidate") {
        if (this.pc.remoteDescription) await this.addCandidate(signal.candidate);
        else this.candidates.push(signal.candidate);
      } else this.close(false);
    });
  }

  /** Adds the agent's screen to the running call: a new offer on the same connection. */
  async addScreen(stream: MediaStream): Promise<void> {
    this.screen = stream.getVideoTracks().map((track) => this.pc.addTrack(track, stream));
    await this.offer();
  }

  async removeScreen(): Promise<void> {
    if (this.closed || !this.screen.length) return;
    for (const sender of this.screen) this.pc.removeTrack(sender);
    this.screen = [];
    await this.offer();
  }

  /** Closes the connection; with `bye` the other browser closes its own at once. */
  close(bye: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (bye) this.send({ type: "bye" });
    this.pc.onicecandidate = this.pc.ontrack = this.pc.onconnectionstatechange = null;
    this.pc.close();
    this.onstate("closed");
  }

  private async answer(sdp: string): Promise<void> {
    if (this.pc.signalingState !== "stable") {
      if (!this.polite) return; // the agent's own offer wins; the visitor answers it
      await this.pc.setLocalDescription({ type: "rollback" });
    }
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    // Added after the offer, the tracks take the offer's transceivers (sendrecv) instead of new m-lines.
    this.attachLocal();
    await this.flush();
    const answer = await this.pc.createAnswer();
    await this.pc.setLocalDescription(answer);
    this.send({ type: "answer", sdp: this.pc.localDescription?.sdp ?? answer.sdp ?? "" });
  }

  private attachLocal(): void {
    if (!this.local) return;
    const sent = new Set(this.pc.getSenders().map((s) => s.track));
    for (const track of this.local.getTracks()) if (!sent.has(track)) this.pc.addTrack(track, this.local);
  }

  private async flush(): Promise<void> {
    const waiting = this.candidates;
    this.candidates = [];
    for (const candidate of waiting) await this.addCandidate(candidate);
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // A candidate for a description that was replaced meanwhile: harmless, ICE goes on with the others.
    }
  }

  private serially(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(() => (this.closed ? undefined : step())).catch((e: unknown) => console.warn("wsChat: call negotiation", e));
    return this.queue;
  }
}
