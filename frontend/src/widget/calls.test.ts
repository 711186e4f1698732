import * as v from "valibot";
import { describe, expect, it, vi } from "vitest";
import type { Emit } from "../shared/call/client";
import { fixture } from "../shared/fixtures";
import { parseAck } from "../shared/wire";
import { callChunk, Calls, type CallModule } from "./calls";
import { Chunk } from "./chunk";

const CONVERSATION = "cnv_0f1e2d3c4b5a69788796a5b4";
const event = (name: string) => fixture(`server/visitor/${name}.json`).payload;

/** Calls whose emits are answered with the fixtures' acks, or with `answers[event]`; counts the chunk's loads. */
function calls(answers: Record<string, unknown> = {}, chunk: Chunk<CallModule> = callChunk()) {
  const emitted: string[] = [];
  const emit: Emit = async (name, _payload, schema) => {
    emitted.push(name);
    const ack = name in answers ? answers[name] : fixture(`client/visitor/${name}.json`).ack;
    return parseAck(ack, schema as v.GenericSchema<unknown, never>);
  };
  let loads = 0;
  const counted = new Chunk<CallModule>(() => {
    loads++;
    return chunk.get();
  });
  let changes = 0;
  return { door: new Calls(emit, () => changes++, counted), emitted, loads: () => loads, changes: () => changes };
}

/** Until the chunk has loaded (the first import of the real module takes a moment). */
const loaded = (door: Calls) => vi.waitFor(() => expect(door.client).not.toBeNull(), { timeout: 5000 });
const settled = () => new Promise((resolve) => setTimeout(resolve, 10));
const unloadable = () => new Chunk<CallModule>(() => Promise.reject(new TypeError("Failed to fetch dynamically imported module")));

describe("Calls", () => {
  it("loads nothing while no call happens: no client, no UI, nothing to resume", async () => {
    const { door, emitted, loads } = calls({ "call.current": { ok: true, call: null } });
    await door.current(CONVERSATION);
    await door.resume();
    expect(emitted).toEqual(["call.current"]);
    expect(loads()).toBe(0);
    expect(door.client).toBeNull();
    expect(door.ui).toBeNull();
  });

  it("loads the call on an invitation, then handles it and what came meanwhile, in order", async () => {
    const { door, loads, changes } = calls();
    door.handle("call.invite", event("call.invite"));
    expect(door.client).toBeNull();
    await loaded(door);
    expect(door.client?.state.phase).toBe("invited");
    expect(door.ui?.CallBanner).toBeTypeOf("function");
    door.handle("call.ended", event("call.ended"));
    expect(door.client?.state.phase).toBe("ended");
    expect(loads()).toBe(1);
    expect(changes()).toBeGreaterThan(0);

    const again = calls();
    again.door.handle("call.invite", event("call.invite"));
    again.door.handle("call.ended", event("call.ended"));
    await loaded(again.door);
    expect(again.door.client?.state.phase).toBe("ended");
  });

  it("loads the call for an open one after a reconnect, and lets the client answer it", async () => {
    const { door, emitted, loads } = calls();
    await door.current(CONVERSATION);
    expect(loads()).toBe(1);
    // Asked once for "is there one?", once more by the client for the whole call.
    expect(emitted).toEqual(["call.current", "call.current"]);
    expect(door.client?.state.phase).toBe("away");
  });

  it("loads the call when the visitor starts one", async () => {
    const { door, emitted } = calls({ "call.start": { ok: false, error: { code: "AGENT_UNAVAILABLE", message: "" } } });
    expect(await door.start(CONVERSATION, "video")).toBe("AGENT_UNAVAILABLE");
    expect(emitted).toEqual(["call.start"]);
    expect(door.client).not.toBeNull();
  });

  it("says UNAVAILABLE when the call cannot load, and tries again at the next event", async () => {
    let fail = true;
    const real = callChunk();
    const flaky = new Chunk<CallModule>(() => (fail ? unloadable().get() : real.get()));
    const { door } = calls({}, flaky);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(await door.start(CONVERSATION, "video")).toBe("UNAVAILABLE");
    door.handle("call.invite", event("call.invite"));
    await settled();
    expect(door.client).toBeNull();
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
    fail = false;
    door.handle("call.invite", event("call.invite"));
    await loaded(door);
    expect(door.client?.state.phase).toBe("invited");
  });
});
