// `npm run sim`, driven in-process: readable refusals of bad arguments (exit 2), a sweep
// that stops at the first failing seed with its exact reproduction (exit 1), one seed with
// its trace, and the Run a seed writes for the checker.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { Run } from "../history.ts";
import { main } from "./cli.ts";

const KNOWN = ["--tolerate", "replay-answer-diverges"];
const dir = mkdtempSync(join(tmpdir(), "lifeline-sim-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sim(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(""), err: err.join("") };
}

test.each([
  [["--seeds", "x"], /--seeds: "x" is not a whole number/],
  [["--seeds", "0"], /--seeds: 0 is not between 1 and/],
  [
    ["--bug", "drop-everything"],
    /--bug: unknown bug "drop-everything" \(known: ack-before-peer-copy/,
  ],
  [["--tolerate", "all"], /--tolerate: unknown finding "all"/],
  [["--seed", "1", "--seeds", "2"], /--seed runs one seed: it does not combine with --seeds/],
  [["--emit-run", "x.json"], /--emit-run needs --seed/],
  [["--keep-going"], /--keep-going needs --seed/],
  [["--sedes", "3"], /Unknown option '--sedes'/],
  [["--seed"], /Option '--seed <value>' argument missing/],
])(
  "bad arguments %j are refused with a readable reason and the usage (exit 2)",
  async (argv, reason) => {
    const r = await sim(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(reason);
    expect(r.err).toContain("Usage: npm run sim --");
  },
);

test("a sweep with a planted bug stops at the first failing seed and prints how to reproduce it (exit 1)", async () => {
  const r = await sim("--seeds", "5", "--from", "0", "--bug", "ship-unmasked");
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^FAIL seed 0, step \d+ \(t=\d+ ms\): \[LF4\]/);
  expect(r.err).toContain("reproduce: npm run sim -- --seed 0 --bug ship-unmasked");
});

test("a passing sweep reports its seeds per second (exit 0)", async () => {
  const r = await sim("--seeds", "4", "--from", "100", ...KNOWN);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/seeds 100\.\.103/);
  expect(r.out).toMatch(/ok 4 seeds.* in [\d.]+ s: [\d.]+ seeds\/s/);
});

test("one seed prints its fault plan, then every step, and writes its Run for the checker", async () => {
  const file = join(dir, "run.json");
  const r = await sim("--seed", "49", "--emit-run", file, ...KNOWN);
  expect(r.code).toBe(0);
  const lines = r.out.trim().split("\n");
  expect(lines[0]).toMatch(/^\[t=0 #0\] seed 49 faults \{"link"/);
  expect(lines.length).toBeGreaterThan(50);
  expect(lines.at(-1)).toMatch(/^ok seed 49: \d+ history lines/);
  const run = Run.parse(JSON.parse(readFileSync(file, "utf8")));
  expect(run.seed).toBe(49);
  expect(run.history.length).toBeGreaterThan(0);
});

test("one seed with a planted bug and --keep-going lists every violation and writes its whole Run (exit 1)", async () => {
  const file = join(dir, "run-bug.json");
  const r = await sim("--seed", "1", "--bug", "ship-unmasked", "--keep-going", "--emit-run", file);
  expect(r.code).toBe(1);
  expect(r.err.split("\n").filter((l) => l.startsWith("FAIL seed 1")).length).toBeGreaterThan(1);
  const run = Run.parse(JSON.parse(readFileSync(file, "utf8")));
  expect(run.command).toBe("npm run sim -- --seed 1 --bug ship-unmasked --keep-going");
  expect(Object.keys(run.final.regions)).toEqual(["cn-east", "cn-south", "eu-central"]);
  expect(run.final.leaks.length).toBeGreaterThan(0);
});
