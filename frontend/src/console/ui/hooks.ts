// Preact bindings for the controller: re-render on every change.
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import { controller } from "../controller";

export function useConsole() {
  const [, setTick] = useState(0);
  // A layout effect subscribes within the first render itself. A plain effect would wait for the next frame,
  // and a change made before then (the session check answering quickly) would be missed for good: the
  // console stayed on its blank loading screen.
  useLayoutEffect(() => controller.subscribe(() => setTick((n) => n + 1)), []);
  return { state: controller.state, ui: controller.ui };
}

/** The current time, refreshed every `ms` (live waiting times). */
export function useNow(ms = 1_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
