// A failure is only useful if it reproduces: the same seed is the same run, byte for byte.
// The only randomness is the seeded PRNG, the only time the fake clock.
import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { Run, toJsonl } from "../history.ts";
import { planFaults } from "./faults.ts";
import { KNOWN_FINDINGS, type KnownFinding } from "./known.ts";
import { Random } from "./random.ts";
import { runSeed } from "./sim.ts";

const KNOWN = Object.keys(KNOWN_FINDINGS) as KnownFinding[];

/** Seeds whose plans hold every fault: a crash, partitions, loss, duplicates, lost answers. */
const SEEDS = [49, 168];

async function traced(seed: number) {
  const trace: string[] = [];
  const r = await runSeed({ seed, tolerate: KNOWN, trace: (l) => trace.push(l) });
  return { r, trace, jsonl: toJsonl(r.history) };
}

test("the same seed gives a byte-identical history, step trace and final state", async () => {
  for (const seed of SEEDS) {
    const plan = planFaults(new Random(seed, "faults"));
    expect(plan.crashes.length * plan.partitions.length * plan.link.dropRate).toBeGreaterThan(0);
    const a = await traced(seed);
    const b = await traced(seed);
    expect(a.trace.length).toBeGreaterThan(50);
    expect(b.jsonl).toBe(a.jsonl);
    expect(b.trace).toEqual(a.trace);
    expect(JSON.stringify(b.r.run)).toBe(JSON.stringify(a.r.run));
  }
});

test("tracing does not change the run: a seed with and without its trace has one history", async () => {
  const quiet = await runSeed({ seed: SEEDS[0]!, tolerate: KNOWN });
  const { jsonl } = await traced(SEEDS[0]!);
  expect(toJsonl(quiet.history)).toBe(jsonl);
});

test("different seeds give different runs", async () => {
  const [a, b] = await Promise.all([runSeed({ seed: 1 }), runSeed({ seed: 2 })]);
  expect(toJsonl(a.history)).not.toBe(toJsonl(b.history));
});

test("a seed's Run is a valid chaos/history.ts Run, with invokes paired to completions", async () => {
  const r = await runSeed({ seed: SEEDS[1]!, tolerate: KNOWN });
  const run = Run.parse(r.run);
  expect(run.seed).toBe(SEEDS[1]);
  expect(run.command).toBe(`npm run sim -- --seed ${SEEDS[1]}`);
  const open = new Map<string, string>();
  for (const [i, op] of run.history.entries()) {
    expect(op.index).toBe(i);
    const k = `${op.process}/${op.op}`;
    if (op.type === "invoke") {
      expect(open.has(k)).toBe(false);
      open.set(k, op.f);
    } else {
      expect(open.get(k)).toBe(op.f);
      open.delete(k);
    }
  }
  expect(open.size).toBe(0);
  expect(Object.keys(run.final.regions)).toEqual(["cn-east", "cn-south", "eu-central"]);
  expect(run.final.convergedAfterMs).not.toBeNull();
  expect(run.final.leaks).toEqual([]);
});

test("the simulation reads no real clock, timer or randomness (the CLI may time a sweep)", () => {
  const dir = new URL("./", import.meta.url);
  const offenders = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "cli.ts")
    .filter((f) =>
      /Math\.random|Date\.now|new Date\(\)|performance\.now|getRandomValues|setTimeout|setInterval/.test(
        readFileSync(new URL(f, dir), "utf8"),
      ),
    );
  expect(offenders).toEqual([]);
});
