// The call events the server sends (docs/protocol.md §12.3), by name only: what an app subscribes to on its
// socket before it holds any call code. The widget loads that code on the first of these events
// (widget/calls.ts); schemas.ts has the payload of each.

export const CALL_EVENT_NAMES = ["call.invite", "call.joined", "call.left", "call.ended", "rtc.signal"] as const;

export type CallEventName = (typeof CALL_EVENT_NAMES)[number];
