// The simulator's sweep, inside `npm test`: a thousand seeds of seeded faults against the
// real replication core. Safety is checked at every step of every seed, convergence after
// each heal. Known findings (known.ts) are recorded, not fatal here; regressions.test.ts
// pins them, so they stay visible until fixed.
import { expect, test } from "vitest";
import { KNOWN_FINDINGS, type KnownFinding } from "./known.ts";
import { reproduction, runSeed } from "./sim.ts";

const SEEDS = 1_000;
const KNOWN = Object.keys(KNOWN_FINDINGS) as KnownFinding[];

test(`[LF1][LF2][LF3][LF4] ${SEEDS} seeds of faults: every rule holds at every step, and the regions converge after the heal`, async () => {
  const started = performance.now();
  const failures: string[] = [];
  const tolerated = new Map<string, number[]>();
  for (let seed = 0; seed < SEEDS; seed++) {
    const r = await runSeed({ seed, tolerate: KNOWN });
    for (const t of r.tolerated)
      tolerated.set(t.finding, [...(tolerated.get(t.finding) ?? []), seed]);
    if (!r.ok) failures.push(`${r.failure!.message}\n  reproduce: ${reproduction(seed)}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const known = [...tolerated]
    .map(([f, seeds]) => `${f} in ${new Set(seeds).size} seeds`)
    .join(", ");
  console.info(
    `sim: ${SEEDS} seeds in ${seconds.toFixed(1)} s (${(SEEDS / seconds).toFixed(0)} seeds/s); known findings: ${known || "none"}`,
  );
  expect(failures).toEqual([]);
}, 180_000);
