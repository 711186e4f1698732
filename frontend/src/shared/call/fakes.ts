// Test doubles for the call logic: a peer connection that keeps the signalling state the way the browser
// does (without media), tracks and streams, and an `emit` that answers from the protocol fixtures.
import type { Peer } from "./p2p";

export class FakeTrack {
  enabled = true;
  readyState = "live";
  muted = false;
  onended: (() => void) | null = null;
  constructor(readonly kind: "audio" | "video") {}
  stop(): void {
    this.readyState = "ended";
  }
}

export class FakeStream {
  onremovetrack: (() => void) | null = null;
  constructor(
    readonly id: string,
    readonly tracks: FakeTrack[] = [new FakeTrack("audio"), new FakeTrack("video")],
  ) {}
  getTracks(): FakeTrack[] {
    return this.tracks;
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === "audio");
  }
  getVideoTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === "video");
  }
}

export const asStream = (stream: FakeStream) => stream as unknown as MediaStream;

export class FakePeer {
  signalingState: RTCSignalingState = "stable";
  connectionState: RTCPeerConnectionState = "new";
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  candidates: RTCIceCandidateInit[] = [];
  senders: { track: FakeTrack | null }[] = [];
  offers = 0;
  closed = false;
  onicecandidate: ((e: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null;
  ontrack: ((e: { track: FakeTrack; streams: FakeStream[] }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  /** What the fake's `setRemoteDescription` waits for: lets a test hold the remote description back. */
  gate: Promise<void> = Promise.resolve();

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: "offer", sdp: `v=0\r\no=- offer ${++this.offers}\r\n` };
  }
  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    return { type: "answer", sdp: "v=0\r\no=- answer\r\n" };
  }
  async setLocalDescription(d: RTCSessionDescriptionInit): Promise<void> {
    if (d.type === "rollback") {
      this.signalingState = "stable";
      this.localDescription = null;
      return;
    }
    this.localDescription = d;
    this.signalingState = d.type === "offer" ? "have-local-offer" : "stable";
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
    await this.gate;
    this.remoteDescription = d;
    this.signalingState = d.type === "offer" ? "have-remote-offer" : "stable";
  }
  async addIceCandidate(c: RTCIceCandidateInit): Promise<void> {
    this.candidates.push(c);
  }
  addTrack(track: FakeTrack): { track: FakeTrack | null } {
    const sender = { track };
    this.senders.push(sender);
    return sender;
  }
  removeTrack(sender: { track: FakeTrack | null }): void {
    sender.track = null;
  }
  getSenders(): { track: FakeTrack | null }[] {
    return this.senders;
  }
  close(): void {
    this.closed = true;
  }
  /** The browser reports the connection's state. */
  state(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.onconnectionstatechange?.();
  }
  /** The browser gathered a candidate (or `null`: the end of candidates). */
  gather(candidate: RTCIceCandidateInit | null): void {
    this.onicecandidate?.({ candidate: candidate && { toJSON: () => candidate } });
  }
  asPeer(): Peer {
    return this as unknown as Peer;
  }
}

/** Lets queued promise steps run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
