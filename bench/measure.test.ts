// The benchmark's arithmetic: nearest-rank percentiles over successes, failures counted apart.
import { expect, test } from "vitest";
import { runPhase, summarise } from "./measure.ts";

test("percentiles are nearest-rank over successful samples only", () => {
  const samples = Array.from({ length: 100 }, (_, i) => ({ ok: true, latencyMs: i + 1 }));
  samples.push({ ok: false, latencyMs: 10_000 });
  const stats = summarise({ samples, wallMs: 2_000 });
  expect(stats).toMatchObject({
    count: 100,
    errors: 1,
    skipped: 0,
    latencyMsP50: 50,
    latencyMsP90: 90,
    latencyMsP99: 99,
    latencyMsMax: 100,
    throughputOpsPerS: 50,
  });
});

test("runPhase never has more than `concurrency` tasks in flight and runs each index once", async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  const result = await runPhase(20, 3, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    seen.push(i);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    return { ok: i !== 7, problem: i === 7 ? "boom" : undefined };
  });
  expect(peak).toBe(3);
  expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(summarise(result).errors).toBe(1);
});

test("runPhase stops early when aborted", async () => {
  const controller = new AbortController();
  let ran = 0;
  const phase = runPhase(
    1_000,
    1,
    async () => {
      if (++ran === 5) controller.abort(new Error("stop"));
      return { ok: true };
    },
    controller.signal,
  );
  await expect(phase).rejects.toThrow("stop");
  expect(ran).toBe(5);
});
