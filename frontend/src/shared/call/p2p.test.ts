import { describe, expect, it } from "vitest";
import { asStream, FakePeer, FakeStream, FakeTrack, settle } from "./fakes";
import { P2PSession, type Outgoing } from "./p2p";
import type { Signal } from "./schemas";

const CALL = "cal_5c4b3a29180f7e6d5c4b3a29";
const signal = (s: Outgoing): Signal => ({ call_id: CALL, ...s }) as Signal;

function session(polite: boolean, local: FakeStream | null = null) {
  const pc = new FakePeer();
  const sent: Outgoing[] = [];
  const s = new P2PSession(pc.asPeer(), (out) => sent.push(out), polite, local && asStream(local));
  return { pc, sent, s };
}

describe("p2p negotiation", () => {
  it("offers with the local tracks, then takes the answer", async () => {
    const camera = new FakeStream("cam");
    const { pc, sent, s } = session(false, camera);
    await s.offer();
    expect(pc.senders.map((x) => x.track)).toEqual(camera.tracks);
    expect(sent).toEqual([{ type: "offer", sdp: "v=0\r\no=- offer 1\r\n" }]);
    await s.handle(signal({ type: "answer", sdp: "v=0\r\nanswer" }));
    expect(pc.remoteDescription).toEqual({ type: "answer", sdp: "v=0\r\nanswer" });
    expect(pc.signalingState).toBe("stable");
  });

  it("answers an offer, adding its tracks after the offer so they take the offer's transceivers", async () => {
    const camera = new FakeStream("cam");
    const { pc, sent, s } = session(true, camera);
    let tracksAtRemote = -1;
    const setRemote = pc.setRemoteDescription.bind(pc);
    pc.setRemoteDescription = async (d) => {
      tracksAtRemote = pc.senders.length;
      await setRemote(d);
    };
    await s.handle(signal({ type: "offer", sdp: "v=0\r\noffer" }));
    expect(tracksAtRemote).toBe(0);
    expect(pc.senders).toHaveLength(2);
    expect(sent).toEqual([{ type: "answer", sdp: "v=0\r\no=- answer\r\n" }]);
  });

  it("answers receive-only without local media", async () => {
    const { pc, sent, s } = session(true);
    await s.handle(signal({ type: "offer", sdp: "v=0\r\noffer" }));
    expect(pc.senders).toEqual([]);
    expect(sent.map((x) => x.type)).toEqual(["answer"]);
  });

  it("queues candidates until the remote description is set, in order", async () => {
    const { pc, s } = session(true);
    const a = { candidate: "candidate:1 1 udp 1 10.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    const end = { candidate: "", sdpMid: "0", sdpMLineIndex: 0 };
    let open!: () => void;
    pc.gate = new Promise((resolve) => (open = resolve));
    void s.handle(signal({ type: "candidate", candidate: a }));
    void s.handle(signal({ type: "offer", sdp: "v=0\r\noffer" }));
    void s.handle(signal({ type: "candidate", candidate: end }));
    await settle();
    expect(pc.candidates).toEqual([]);
    open();
    await settle();
    await s.handle(signal({ type: "bye" }));
    expect(pc.candidates).toEqual([a, end]);
  });

  it("trickles its candidates as toJSON(), and an empty candidate at the end", () => {
    const { pc, sent } = session(false);
    const c = { candidate: "candidate:1 1 udp 1 10.0.0.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "u" };
    pc.gather(c);
    pc.gather(null);
    expect(sent).toEqual([
      { type: "candidate", candidate: c },
      { type: "candidate", candidate: { candidate: "", sdpMid: "0", sdpMLineIndex: 0 } },
    ]);
  });

  it("adds the screen by renegotiating on the same connection, and removes it the same way", async () => {
    const { pc, sent, s } = session(false, new FakeStream("cam"));
    await s.offer();
    await s.handle(signal({ type: "answer", sdp: "v=0\r\na1" }));
    const screen = new FakeStream("screen", [new FakeTrack("video")]);
    await s.addScreen(asStream(screen));
    expect(pc.senders.map((x) => x.track)).toContain(screen.tracks[0]);
    expect(sent.filter((x) => x.type === "offer")).toHaveLength(2);
    await s.handle(signal({ type: "answer", sdp: "v=0\r\na2" }));
    await s.removeScreen();
    expect(pc.senders.map((x) => x.track)).not.toContain(screen.tracks[0]);
    expect(sent.filter((x) => x.type === "offer")).toHaveLength(3);
  });

  it("on colliding offers the agent keeps its own, the visitor rolls back and answers", async () => {
    const agent = session(false);
    await agent.s.offer();
    await agent.s.handle(signal({ type: "offer", sdp: "v=0\r\nvisitor" }));
    expect(agent.pc.signalingState).toBe("have-local-offer");
    expect(agent.sent.map((x) => x.type)).toEqual(["offer"]);

    const visitor = session(true);
    await visitor.s.offer();
    await visitor.s.handle(signal({ type: "offer", sdp: "v=0\r\nagent" }));
    expect(visitor.pc.remoteDescription?.sdp).toBe("v=0\r\nagent");
    expect(visitor.sent.map((x) => x.type)).toEqual(["offer", "answer"]);
  });

  it("reports remote streams and the connection state", () => {
    const { pc, s } = session(true);
    const states: string[] = [];
    s.onstate = (state) => states.push(state);
    const remote = new FakeStream("their-cam");
    pc.ontrack?.({ track: remote.tracks[1]!, streams: [remote] });
    expect([...s.remote.keys()]).toEqual(["their-cam"]);
    pc.state("connected");
    expect(states).toEqual(["connected"]);
  });

  it("closes on bye, and says bye itself when it hangs up", async () => {
    const other = session(true);
    await other.s.handle(signal({ type: "bye" }));
    expect(other.pc.closed).toBe(true);
    expect(other.sent).toEqual([]);
    const me = session(false);
    me.s.close(true);
    me.s.close(true);
    expect(me.sent).toEqual([{ type: "bye" }]);
    expect(me.pc.closed).toBe(true);
    await me.s.offer();
    expect(me.sent).toEqual([{ type: "bye" }]); // nothing after the end
  });
});
