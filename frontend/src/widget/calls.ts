// The visitor's call, loaded on first use. The call client and its UI (shared/call/*, ui/Call.tsx) are a
// chunk of their own, which a visitor who never calls never downloads: the first call event (an invitation)
// or the visitor's own "Start video call" loads it, and events that arrive meanwhile wait and are then
// handled in order. Until then there is no call on this page, and nothing to resume after a reconnect.
import * as v from "valibot";
import type { CallClient, Emit } from "../shared/call/client";
import type { CallEventName } from "../shared/call/events";
import type { Call } from "../shared/call/schemas";
import { Chunk } from "./chunk";

export type CallModule = typeof import("./ui/Call");

export const callChunk = (): Chunk<CallModule> => new Chunk(() => import("./ui/Call"));

/** `call.current`, read only as far as "is there a call?": the call client reads the whole answer itself. */
const OpenCall = v.object({ call: v.nullable(v.object({ id: v.string() })) });

/** The agent's name on a call. */
export const caller = (call: Call): string => call.participants.find((p) => p.side === "agent")?.display_name ?? "";

export class Calls {
  /** The call client; null until the chunk is loaded. */
  client: CallClient | null = null;
  private waiting: [CallEventName, unknown][] = [];

  constructor(
    private readonly emit: Emit,
    private readonly changed: () => void,
    private readonly chunk: Chunk<CallModule> = callChunk(),
  ) {}

  /** The call's banner and view, once the client runs. */
  get ui(): CallModule | null {
    return this.client ? this.chunk.value : null;
  }

  preload(): void {
    this.chunk.preload();
  }

  /** A call event from the socket. */
  handle(name: CallEventName, raw: unknown): void {
    if (this.client) return this.client.handle(name, raw);
    this.waiting.push([name, raw]);
    void this.load();
  }

  /** Starts the visitor's call; resolves with an error code (`UNAVAILABLE`: the call could not load), or null. */
  async start(conversationId: string, kind: "video" | "screen"): Promise<string | null> {
    const client = await this.load();
    return client ? client.start(conversationId, kind) : "UNAVAILABLE";
  }

  /**
   * After a (re)connect, for an active chat: its open call, to answer or rejoin (an invitation or a call that
   * went on while this page was away). The chunk loads only when there is one.
   */
  async current(conversationId: string): Promise<void> {
    if (!this.client) {
      const reply = await this.emit("call.current", { conversation_id: conversationId }, OpenCall);
      if (!reply.ok || reply.value.call === null) return;
    }
    await (await this.load())?.current(conversationId);
  }

  /** After a reconnect: back into the call this page was in, if any. */
  async resume(): Promise<void> {
    await this.client?.resume();
  }

  private async load(): Promise<CallClient | null> {
    let module: CallModule;
    try {
      module = await this.chunk.get();
    } catch (e) {
      // The events that waited are lost (an invitation then times out for the agent); the next one tries again.
      console.warn("wsChat: the call could not be loaded", e);
      this.waiting = [];
      return null;
    }
    if (!this.client) {
      const client = new module.CallClient("visitor", this.emit, this.changed);
      this.client = client;
      const waiting = this.waiting;
      this.waiting = [];
      for (const [name, raw] of waiting) client.handle(name, raw);
      this.changed();
    }
    return this.client;
  }
}
