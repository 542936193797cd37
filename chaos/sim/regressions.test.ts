// Seeds that failed while the simulator was built, each named after the rule it caught.
// The known findings (known.ts) are real defects, still open: their seeds are pinned to
// fail on exactly that finding and nothing else. Once a defect is fixed its test fails
// here; then assert that those seeds pass, and drop the finding from known.ts.
import { expect, test } from "vitest";
import { KNOWN_FINDINGS, type KnownFinding } from "./known.ts";
import { runSeed } from "./sim.ts";

const KNOWN = Object.keys(KNOWN_FINDINGS) as KnownFinding[];

async function failsOnlyOn(seed: number, finding: KnownFinding) {
  const strict = await runSeed({ seed });
  expect(strict.failure?.message).toContain(`[${finding}]`);
  expect(strict.failure?.rule).toBe(KNOWN_FINDINGS[finding].rule);
  const tolerant = await runSeed({ seed, tolerate: KNOWN });
  expect(tolerant.failure).toBeNull();
}

test("[LF2] a key retried in the other cn region, acknowledged there while pending here, replays the acknowledged body in both (was replay-answer-diverges: seeds 19, 36, 55, 95)", async () => {
  for (const seed of [19, 36, 55, 95]) {
    const r = await runSeed({ seed });
    expect(r.failure, `seed ${seed}`).toBeNull();
  }
});

test("[LF2] two pending attempts of one key whose entries cross replay one body everywhere — OPEN: its seeds still fail on replay-answer-diverges", async () => {
  for (const seed of KNOWN_FINDINGS["replay-answer-diverges"].seeds)
    await failsOnlyOn(seed, "replay-answer-diverges");
});

test("[LF1] a payment or signature re-entered under a new key is acknowledged only once a second cn region holds it (was strict-ack-without-peer: seeds 27, 147, 156, 165)", async () => {
  for (const seed of [27, 147, 156, 165]) {
    const r = await runSeed({ seed, tolerate: KNOWN });
    expect(r.failure, `seed ${seed}`).toBeNull();
  }
});

test("[LF3] an object's alarm never fires again while its drain runs: seed 8 takes a few hundred steps (2,589 when it did)", async () => {
  const r = await runSeed({ seed: 8, tolerate: KNOWN });
  expect(r.failure).toBeNull();
  expect(r.steps).toBeLessThan(400);
});
