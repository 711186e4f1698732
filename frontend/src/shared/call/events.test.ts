import { describe, expect, it } from "vitest";
import { CALL_EVENT_NAMES } from "./events";
import { CALL_EVENTS } from "./schemas";

describe("CALL_EVENT_NAMES", () => {
  it("names exactly the call events that have a schema", () => {
    expect([...CALL_EVENT_NAMES].sort()).toEqual(Object.keys(CALL_EVENTS).sort());
  });
});
