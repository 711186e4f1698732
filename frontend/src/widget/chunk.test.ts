import { describe, expect, it } from "vitest";
import { Chunk } from "./chunk";

describe("Chunk", () => {
  it("loads once, however often it is asked for, and keeps the module", async () => {
    let loads = 0;
    const chunk = new Chunk(async () => ({ n: ++loads }));
    expect(chunk.value).toBeNull();
    chunk.preload();
    const [a, b] = await Promise.all([chunk.get(), chunk.get()]);
    expect(a).toBe(b);
    expect(await chunk.get()).toBe(a);
    expect(chunk.value).toBe(a);
    expect(loads).toBe(1);
  });

  it("tries again after a failed load, and a failed preload stays quiet", async () => {
    let loads = 0;
    const chunk = new Chunk(async () => {
      if (++loads === 1) throw new TypeError("Failed to fetch dynamically imported module");
      return "module";
    });
    chunk.preload();
    await expect(chunk.get()).rejects.toThrow(TypeError);
    expect(chunk.value).toBeNull();
    expect(await chunk.get()).toBe("module");
    expect(loads).toBe(2);
  });
});
