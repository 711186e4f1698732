// The call payloads of docs/protocol.md §12, as valibot schemas: acks, events and rtc.signal, on both
// namespaces alike. Every call payload from the server is parsed here before the call logic sees it.
import * as v from "valibot";

const Side = v.picklist(["agent", "visitor"]);
export type Side = v.InferOutput<typeof Side>;
const str = v.nullable(v.string());

export const Participant = v.object({
  side: Side,
  id: v.string(),
  display_name: v.string(),
  joined_at: v.string(),
  left_at: str,
});
export type Participant = v.InferOutput<typeof Participant>;

export const Call = v.object({
  id: v.pipe(v.string(), v.regex(/^cal_[0-9a-f]{24}$/)),
  conversation_id: v.string(),
  kind: v.picklist(["video", "screen"]),
  mode: v.picklist(["p2p", "jitsi"]),
  status: v.picklist(["ringing", "active", "ended"]),
  room: str,
  started_by: Side,
  participants: v.array(Participant),
  created_at: v.string(),
  started_at: str,
  ended_at: str,
  end_reason: str,
  duration: v.number(),
});
export type Call = v.InferOutput<typeof Call>;

const IceServer = v.object({
  urls: v.union([v.string(), v.array(v.string())]),
  username: v.optional(v.string()),
  credential: v.optional(v.string()),
});

export const JitsiConnect = v.object({ domain: v.string(), room: v.string(), jwt: v.string() });
export type JitsiConnect = v.InferOutput<typeof JitsiConnect>;

/** `call.start`/`call.join` acks and `call.invite`: the call and what the browser needs to connect. */
export const Connect = v.object({
  call: Call,
  ice_servers: v.optional(v.array(IceServer)),
  jitsi: v.optional(JitsiConnect),
});
export type Connect = v.InferOutput<typeof Connect>;

export const CallAck = v.object({ call: Call });
/** The ack of `rtc.signal`. */
export const SignalAck = v.object({ ok: v.literal(true) });
export const CurrentAck = v.object({ call: v.nullable(Call) });
/** `call.joined` and `call.left`. */
export const ParticipantEvent = v.object({ call: Call, participant: Participant });

const Candidate = v.strictObject({
  candidate: v.string(),
  sdpMid: v.optional(str),
  sdpMLineIndex: v.optional(v.nullable(v.number())),
  usernameFragment: v.optional(str),
});

export const Signal = v.union([
  v.strictObject({ call_id: v.string(), type: v.picklist(["offer", "answer"]), sdp: v.pipe(v.string(), v.startsWith("v=0")) }),
  v.strictObject({ call_id: v.string(), type: v.literal("candidate"), candidate: Candidate }),
  v.strictObject({ call_id: v.string(), type: v.literal("bye") }),
]);
export type Signal = v.InferOutput<typeof Signal>;

/** The participant of `side` who is in the call now (no `left_at`). */
export function present(call: Call, side: Side): Participant | undefined {
  return call.participants.find((p) => p.side === side && p.left_at === null);
}

/** "2:05" for a call's duration in seconds. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** The ack of every call event (both namespaces alike; docs/protocol.md §12.2), by event name. */
export const CALL_ACKS = {
  "call.start": Connect,
  "call.join": Connect,
  "call.current": CurrentAck,
  "call.decline": CallAck,
  "call.leave": CallAck,
  "call.end": CallAck,
  "rtc.signal": SignalAck,
} as const;

/** The payload of every call event the server sends (both namespaces alike; §12.3), by event name. */
export const CALL_EVENTS = {
  "call.invite": Connect,
  "call.joined": ParticipantEvent,
  "call.left": ParticipantEvent,
  "call.ended": CallAck,
  "rtc.signal": Signal,
} as const;
