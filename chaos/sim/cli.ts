// `npm run sim`: the deterministic simulator from the command line (DESIGN §9). A sweep
// runs seeds until the first failure and prints its reproduction; `--seed` runs one seed
// with its step trace; `--emit-run` writes that seed's Run for chaos/checker.ts.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { isPlantedBug, PLANTED_BUGS, type PlantedBug } from "../../core/planted-bugs.ts";
import { KNOWN_FINDINGS, type KnownFinding } from "./known.ts";
import { reproduction, runSeed, type SimResult } from "./sim.ts";

export const USAGE = `Usage: npm run sim -- [options]

  --seeds <n>         run n seeds (default 100), stopping at the first that fails
  --from <seed>       the first seed of the sweep (default 0)
  --seed <seed>       run one seed and print its step trace
  --bug <name>        plant a bug (repeatable): ${PLANTED_BUGS.join(", ")}
  --tolerate <name>   record a known finding (chaos/sim/known.ts) instead of failing
                      (repeatable): ${Object.keys(KNOWN_FINDINGS).join(", ")}
  --emit-run <file>   with --seed: write the run (history, faults, final reads) as JSON
  --keep-going        with --seed: record every violation and run the seed to its end
                      (heal, drain, final reads) instead of stopping at the first
  -h, --help          show this help

Examples:
  npm run sim -- --seeds 1000
  npm run sim -- --seeds 200 --from 5000 --bug skip-payment-dedup
  npm run sim -- --seed 32
  npm run sim -- --seed 1 --bug ship-unmasked --keep-going --emit-run run.json
`;

/** Where the CLI writes; tests pass their own. */
export type Io = { out: (text: string) => void; err: (text: string) => void };

const MAX_SEEDS = 10_000_000;

class UsageError extends Error {}

type Parsed = {
  mode: { kind: "sweep"; from: number; count: number } | { kind: "one"; seed: number };
  bugs: Set<PlantedBug>;
  tolerate: KnownFinding[];
  emitRun: string | null;
  keepGoing: boolean;
};

function integer(name: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined) throw new UsageError(`--${name} needs a value`);
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name}: "${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name}: ${n} is not between ${min} and ${max}`);
  return n;
}

const readArgs = (argv: readonly string[]) =>
  parseArgs({
    args: [...argv],
    options: {
      seeds: { type: "string" },
      from: { type: "string" },
      seed: { type: "string" },
      bug: { type: "string", multiple: true },
      tolerate: { type: "string", multiple: true },
      "emit-run": { type: "string" },
      "keep-going": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  }).values;

export function parse(argv: readonly string[]): Parsed | "help" {
  let values: ReturnType<typeof readArgs>;
  try {
    values = readArgs(argv);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return "help";
  const bugs = new Set<PlantedBug>();
  for (const name of values.bug ?? []) {
    if (!isPlantedBug(name))
      throw new UsageError(`--bug: unknown bug "${name}" (known: ${PLANTED_BUGS.join(", ")})`);
    bugs.add(name);
  }
  const tolerate: KnownFinding[] = [];
  for (const name of values.tolerate ?? []) {
    if (!Object.hasOwn(KNOWN_FINDINGS, name))
      throw new UsageError(
        `--tolerate: unknown finding "${name}" (known: ${Object.keys(KNOWN_FINDINGS).join(", ")})`,
      );
    tolerate.push(name as KnownFinding);
  }
  if (values.seed !== undefined) {
    if (values.seeds !== undefined || values.from !== undefined)
      throw new UsageError("--seed runs one seed: it does not combine with --seeds or --from");
    return {
      mode: { kind: "one", seed: integer("seed", values.seed, 0, 0xffffffff) },
      bugs,
      tolerate,
      emitRun: values["emit-run"] ?? null,
      keepGoing: values["keep-going"] === true,
    };
  }
  if (values["emit-run"] !== undefined) throw new UsageError("--emit-run needs --seed");
  if (values["keep-going"]) throw new UsageError("--keep-going needs --seed");
  const count = values.seeds === undefined ? 100 : integer("seeds", values.seeds, 1, MAX_SEEDS);
  const from = values.from === undefined ? 0 : integer("from", values.from, 0, 0xffffffff - count);
  return { mode: { kind: "sweep", from, count }, bugs, tolerate, emitRun: null, keepGoing: false };
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function failureText(
  r: SimResult,
  bugs: ReadonlySet<PlantedBug>,
  tolerate: readonly KnownFinding[],
) {
  const lines = [
    ...r.violations.map((v) => `FAIL ${v.message}`),
    ...(r.violationCount > r.violations.length
      ? [`  and ${r.violationCount - r.violations.length} more`]
      : []),
    `  reproduce: ${reproduction(r.seed, bugs)}`,
  ];
  const known = Object.keys(KNOWN_FINDINGS).find((k) => r.failure!.message.includes(`[${k}]`));
  if (known && !tolerate.includes(known as KnownFinding))
    lines.push(
      `  a known finding (chaos/sim/known.ts); --tolerate ${known} records it and goes on`,
    );
  return `${lines.join("\n")}\n`;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 a seed failed, 2 bad usage). */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let args: Parsed | "help";
  try {
    args = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`sim: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === "help") {
    io.out(USAGE);
    return 0;
  }
  const { bugs, tolerate } = args;
  const rev = commit();
  if (args.mode.kind === "one") {
    const r = await runSeed({
      seed: args.mode.seed,
      bugs,
      tolerate,
      commit: rev,
      trace: (line) => io.out(`${line}\n`),
      keepGoing: args.keepGoing,
    });
    for (const t of r.tolerated) io.out(`tolerated ${t.finding} at step ${t.step}: ${t.message}\n`);
    if (args.emitRun) {
      writeFileSync(args.emitRun, `${JSON.stringify(r.run, null, 2)}\n`);
      io.out(`run written to ${args.emitRun}\n`);
    }
    if (!r.ok) {
      io.err(failureText(r, bugs, tolerate));
      return 1;
    }
    io.out(
      `ok seed ${r.seed}: ${r.history.length} history lines, ${r.steps} steps, ${r.simTimeMs} simulated ms\n`,
    );
    return 0;
  }
  const { from, count } = args.mode;
  const bugText = bugs.size > 0 ? ` with bugs ${[...bugs].join(", ")}` : "";
  io.out(`sim ${rev}: seeds ${from}..${from + count - 1}${bugText}\n`);
  const started = performance.now();
  let passed = 0;
  let tolerated = 0;
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSeed({ seed, bugs, tolerate, commit: rev });
    if (r.tolerated.length > 0) tolerated++;
    if (!r.ok) {
      io.err(failureText(r, bugs, tolerate));
      io.out(`${passed} seeds passed before seed ${seed} failed\n`);
      return 1;
    }
    passed++;
  }
  const seconds = (performance.now() - started) / 1000;
  const tol = tolerated > 0 ? ` (${tolerated} with a tolerated known finding)` : "";
  io.out(
    `ok ${passed} seeds${tol} in ${seconds.toFixed(1)} s: ${(passed / seconds).toFixed(1)} seeds/s\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
  process.exitCode = code;
}
