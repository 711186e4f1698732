// Preact bindings for the controller: re-render on every change.
import { useEffect, useState } from "preact/hooks";
import { controller } from "../controller";

export function useConsole() {
  const [, setTick] = useState(0);
  useEffect(() => controller.subscribe(() => setTick((n) => n + 1)), []);
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
