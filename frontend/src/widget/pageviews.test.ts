import { afterEach, describe, expect, it, vi } from "vitest";
import { fixture } from "../shared/fixtures";
import { pageView, watchPages } from "./pageviews";

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

describe("pageView", () => {
  it("matches the fixture for a plain page", () => {
    const f = fixture("client/visitor/page.view.json");
    const sent = f.payload as { url: string; title: string; referrer: string };
    expect(pageView(sent.url, sent.title, sent.referrer)).toEqual(sent);
  });

  it("never sends query, fragment or credentials", () => {
    const view = pageView("https://u:p@shop.example/order?email=a@b.example#x", "Order", "https://shop.example/?q=1");
    expect(view).toEqual({
      url: "https://shop.example/order",
      title: "Order",
      referrer: "https://shop.example/",
    });
  });

  it("leaves out empty fields and other schemes", () => {
    expect(pageView("https://a.example/x", "  ", "")).toEqual({ url: "https://a.example/x" });
    expect(pageView("file:///home/me/page.html", "Local", "")).toBeNull();
    expect(pageView("https://a.example/x", "Pricing", "android-app://com.example")).toEqual({
      url: "https://a.example/x",
      title: "Pricing",
    });
  });

  it("caps long values", () => {
    const view = pageView("https://a.example/" + "x".repeat(5000), "t".repeat(1000), "");
    expect([view?.url.length, view?.title?.length]).toEqual([2048, 300]);
  });
});
