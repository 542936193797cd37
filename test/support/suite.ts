// Servers a whole suite shares: started before its tests, stopped after them, even when a
// test fails. The returned function is the running one; call it inside tests and hooks.
import { afterAll, beforeAll } from "vitest";

export function forSuite<T extends { stop(): Promise<unknown> }>(
  start: () => Promise<T>,
  timeoutMs = 60_000,
): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  }, timeoutMs);
  afterAll(async () => {
    await started?.stop();
  });
  return () => {
    if (!started) throw new Error("not running: use it inside tests and hooks");
    return started;
  };
}
