// The checks can fail: each planted bug (core/planted-bugs.ts) is caught within the first
// few seeds, by the rule it breaks. Without planted bugs those seeds pass (sim.test.ts).
// A region takes its planted bugs from plantedBugsOf(env) alone, which is inert outside
// local mode (core/planted-bugs.test.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import type { PlantedBug } from "../../core/planted-bugs.ts";
import { Run, toJsonl } from "../history.ts";
import { KNOWN_FINDINGS, type KnownFinding } from "./known.ts";
import { runSeed } from "./sim.ts";

/** Each bug must fail one of the first N seeds (today every one fails seed 0). */
const N = 3;
const KNOWN = Object.keys(KNOWN_FINDINGS) as KnownFinding[];

async function firstFailure(bug: PlantedBug) {
  for (let seed = 0; seed < N; seed++) {
    const r = await runSeed({ seed, bugs: new Set([bug]), tolerate: KNOWN });
    if (!r.ok) return r.failure!;
  }
  return null;
}

test(`[LF1] ack-before-peer-copy: a region-durable ack no peer holds fails within ${N} seeds`, async () => {
  const failure = await firstFailure("ack-before-peer-copy");
  expect(failure?.rule).toBe("LF1");
  expect(failure?.message).toMatch(/durability region while only \[cn-(east|south)\] held/);
});

test(`[LF2] skip-payment-dedup: two payments with one bank reference fail within ${N} seeds`, async () => {
  const failure = await firstFailure("skip-payment-dedup");
  expect(failure?.rule).toBe("LF2");
  expect(failure?.message).toMatch(/holds payments .* for reference/);
});

test(`[LF4] ship-unmasked: raw cn personal data on the wire to eu-central fails within ${N} seeds`, async () => {
  const failure = await firstFailure("ship-unmasked");
  expect(failure?.rule).toBe("LF4");
  expect(failure?.message).toMatch(/→eu-central carries raw .* of cn/);
});

test("with keepGoing a planted bug's seed records every violation and still runs to its final reads, its first violation the one a default run stops at", async () => {
  const bugs = new Set<PlantedBug>(["ship-unmasked"]);
  const stopped = await runSeed({ seed: 0, bugs, tolerate: KNOWN });
  const whole = await runSeed({ seed: 0, bugs, tolerate: KNOWN, keepGoing: true });
  expect(stopped.violations).toEqual([stopped.failure]);
  expect(whole.failure).toEqual(stopped.failure);
  expect(whole.violations[0]).toEqual(stopped.failure);
  expect(whole.violationCount).toBeGreaterThan(1);
  expect(whole.steps).toBeGreaterThan(stopped.steps);
  const run = Run.parse(whole.run);
  expect(Object.values(run.final.regions).map((r) => r.reachable)).toEqual([true, true, true]);
  expect(run.final.convergedAfterMs).not.toBeNull();
  const again = await runSeed({ seed: 0, bugs, tolerate: KNOWN, keepGoing: true });
  expect(JSON.stringify(again.run)).toBe(JSON.stringify(whole.run));
  expect(again.violations).toEqual(whole.violations);
});

test("keepGoing changes nothing in a seed that breaks no rule", async () => {
  const a = await runSeed({ seed: 1, tolerate: KNOWN });
  const b = await runSeed({ seed: 1, tolerate: KNOWN, keepGoing: true });
  expect(b.ok).toBe(true);
  expect(b.violations).toEqual([]);
  expect(JSON.stringify(b.run.final)).toBe(JSON.stringify(a.run.final));
  expect(toJsonl(b.history)).toBe(toJsonl(a.history));
});

test("the same seeds pass without planted bugs", async () => {
  for (let seed = 0; seed < N; seed++) {
    const r = await runSeed({ seed, tolerate: KNOWN });
    expect(r.failure).toBeNull();
  }
});

test("a deployed region honours planted bugs only through plantedBugsOf(env), inert outside local mode", () => {
  const root = new URL("../../", import.meta.url).pathname;
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? sources(join(dir, e.name))
        : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")
          ? [join(dir, e.name)]
          : [],
    );
  const readers = ["durable-objects", "workers", "replication"]
    .flatMap(sources)
    .filter((f) =>
      /LIFELINE_PLANTED_BUGS|parsePlantedBugs|plantedBugsOf/.test(
        readFileSync(join(root, f), "utf8"),
      ),
    );
  expect(readers).toEqual(["durable-objects/account/index.ts"]);
  const shell = readFileSync(join(root, "durable-objects/account/index.ts"), "utf8");
  expect(shell).toMatch(/this\.bugs = plantedBugsOf\(env/);
});
