import { afterEach, describe, expect, it, vi } from "vitest";
import { watchPages } from "./pageviews";

/** Just enough of a window for the History API watcher. */
function fakeWindow(start: string) {
  const listeners = new Map<string, () => void>();
  const win = {
    location: { href: start },
    document: { referrer: "https://search.example/" },
    history: {
      pushState(_data: unknown, _unused: string, url?: string | URL | null) {
        if (url) win.location.href = new URL(String(url), win.location.href).href;
      },
      replaceState(_data: unknown, _unused: string, url?: string | URL | null) {
        if (url) win.location.href = new URL(String(url), win.location.href).href;
      },
    },
    addEventListener: (name: string, fn: () => void) => listeners.set(name, fn),
    removeEventListener: (name: string) => listeners.delete(name),
    fire: (name: string) => listeners.get(name)?.(),
  };
  return win;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("watchPages", () => {
  it("reports the first page, then every change of address", () => {
    vi.useFakeTimers();
    const win = fakeWindow("https://shop.example/");
    const seen: [string, string][] = [];
    const stop = watchPages((url, referrer) => seen.push([url, referrer]), win as unknown as Window);
    expect(seen).toEqual([["https://shop.example/", "https://search.example/"]]);

    win.history.pushState({}, "", "/pricing");
    vi.runAllTimers();
    win.history.replaceState({}, "", "/pricing"); // same address: nothing new
    vi.runAllTimers();
    win.location.href = "https://shop.example/";
    win.fire("popstate"); // back
    vi.runAllTimers();
    expect(seen.slice(1)).toEqual([
      ["https://shop.example/pricing", "https://shop.example/"],
      ["https://shop.example/", "https://shop.example/pricing"],
    ]);

    stop();
    win.history.pushState({}, "", "/contact");
    vi.runAllTimers();
    expect(seen).toHaveLength(3);
  });

  it("reports a burst of navigations once, at its end", () => {
    vi.useFakeTimers();
    const win = fakeWindow("https://shop.example/");
    const seen: string[] = [];
    watchPages((url) => seen.push(url), win as unknown as Window);
    win.history.pushState({}, "", "/a");
    win.history.pushState({}, "", "/b");
    vi.runAllTimers();
    expect(seen).toEqual(["https://shop.example/", "https://shop.example/b"]);
  });
});
