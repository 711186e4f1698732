import { describe, expect, it } from "vitest";
import * as v from "valibot";
import { emptyThread, mergeMessages } from "./thread";
import { Message } from "./wire";
import { fixture } from "./fixtures";

const sample = v.parse(Message, (fixture("server/visitor/message.new.json").payload as { message: unknown }).message);
const at = (seq: number) => ({ ...sample, id: `msg_${seq}`, seq });

describe("mergeMessages", () => {
  it("keeps seq order and drops messages seen before", () => {
    let thread = mergeMessages(emptyThread, [at(3), at(1)]);
    thread = mergeMessages(thread, [at(2), at(3), at(1)]);
    expect(thread.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(thread.lastSeq).toBe(3);
  });

  it("returns the same thread when nothing is new", () => {
    const thread = mergeMessages(emptyThread, [at(1)]);
    expect(mergeMessages(thread, [at(1)])).toBe(thread);
  });

  it("drops a duplicate within one batch", () => {
    expect(mergeMessages(emptyThread, [at(5), at(5)]).messages).toHaveLength(1);
  });
});
