// Test helper: reads the protocol fixtures the Python tests also read (tests/fixtures/protocol/).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface Fixture {
  direction: "client" | "server";
  namespace: string;
  event: string;
  payload: unknown;
  ack?: unknown;
  [key: string]: unknown;
}

const root = new URL("../../../tests/fixtures/protocol/", import.meta.url).pathname;

export function fixture(path: string): Fixture {
  return JSON.parse(readFileSync(join(root, path), "utf8")) as Fixture;
}

export function fixtures(dir: string): Fixture[] {
  return readdirSync(join(root, dir))
    .filter((name) => name.endsWith(".json"))
    .map((name) => fixture(join(dir, name)));
}
