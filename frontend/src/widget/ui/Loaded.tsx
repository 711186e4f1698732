// A part of the panel that comes from a chunk (chunk.ts): shown once its module is loaded; until then
// nothing (it is usually fetched ahead, on hover or focus), and a short alert if it cannot be loaded. Opening
// it again asks again.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Chunk } from "../chunk";

interface LoadedProps<T> {
  chunk: Chunk<T>;
  /** What the visitor reads when the chunk cannot be loaded. */
  failed: string;
  children: (module: T) => ComponentChildren;
}

export function Loaded<T>({ chunk, failed, children }: LoadedProps<T>) {
  const [, setLoaded] = useState(false);
  const [problem, setProblem] = useState(false);
  useEffect(() => {
    if (!chunk.value) chunk.get().then(() => setLoaded(true), () => setProblem(true));
  }, [chunk]);
  if (chunk.value) return <>{children(chunk.value)}</>;
  return problem ? (
    <p class="error" role="alert">
      {failed}
    </p>
  ) : null;
}
