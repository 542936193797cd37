// The checker can fail (DESIGN §9): each planted bug (core/planted-bugs.ts), switched on in
// the simulator, makes `check` fail the invariant the bug breaks, on a whole Run (the
// simulator records its own violations and goes on to the final reads: `keepGoing`). The
// same seed without the bug passes every safety invariant, so the failure is the bug's.
//
// The first seed of SEEDS that shows each bug is used; the test prints which. (Seeds 0, 2,
// 3 and 5 once failed clean: a payment re-entered under a new key, its fact already held
// by the peer, was answered `local`; fixed in the engine, pinned by the last test.)
import { describe, expect, test } from "vitest";
import type { PlantedBug } from "../core/planted-bugs.ts";
import { check, type InvariantName, SAFETY_INVARIANTS, type Verdict } from "./checker.ts";
import type { Run } from "./history.ts";
import { KNOWN_FINDINGS, type KnownFinding } from "./sim/known.ts";
import { runSeed } from "./sim/sim.ts";

const KNOWN = Object.keys(KNOWN_FINDINGS) as KnownFinding[];
/** The seeds searched, in order: the first that shows a bug (and passes without it) is used. */
const SEEDS = [0, 1, 2, 3, 4, 5];
const SAFETY = SAFETY_INVARIANTS;

const runs = new Map<string, Promise<{ run: Run; verdict: Verdict }>>();
function judged(seed: number, bug: PlantedBug | null) {
  const k = `${seed}/${bug}`;
  let r = runs.get(k);
  if (!r) {
    r = runSeed({ seed, bugs: new Set(bug ? [bug] : []), keepGoing: true, tolerate: KNOWN }).then(
      ({ run }) => ({ run, verdict: check(run) }),
    );
    runs.set(k, r);
  }
  return r;
}
const verdict = async (seed: number, bug: PlantedBug | null) => (await judged(seed, bug)).verdict;

const failing = (v: Verdict, names: readonly InvariantName[] = SAFETY) =>
  v.invariants.filter((i) => names.includes(i.name) && !i.ok);

/** The first seed where the bug fails `invariant` while the clean run passes safety. */
async function showing(bug: PlantedBug, invariant: InvariantName) {
  for (const seed of SEEDS) {
    const clean = await verdict(seed, null);
    if (failing(clean).length > 0) continue;
    const buggy = await verdict(seed, bug);
    const broken = buggy.invariants.find((i) => i.name === invariant);
    if (!buggy.ok && broken && !broken.ok) return { seed, buggy, broken, clean };
  }
  throw new Error(`no seed of [${SEEDS.join(", ")}] shows ${bug} as ${invariant}`);
}

describe("a planted bug makes the checker fail the invariant it breaks", () => {
  test("[LF1] a region that acknowledges `region` durability before the peer holds the write makes the checker fail durability", async () => {
    const { seed, broken } = await showing("ack-before-peer-copy", "durability");
    expect(SEEDS).toContain(seed);
    expect(broken.violations[0]).toMatch(
      /was acknowledged with durability region by "cn-(east|south)", but the peer did not hold it right after/,
    );
  });

  test("[LF2] a region that skips payment dedup by bank reference makes the checker fail no-double-effect", async () => {
    const { seed, broken } = await showing("skip-payment-dedup", "no-double-effect");
    expect(SEEDS).toContain(seed);
    expect(broken.violations[0]).toMatch(/holds 2 payments with reference "ICBC-\d+-\d+"/);
  });

  test("[LF4] a region that ships unmasked events abroad makes the checker fail sovereignty", async () => {
    const { seed, broken } = await showing("ship-unmasked", "sovereignty");
    expect(SEEDS).toContain(seed);
    expect(broken.violations[0]).toMatch(/stores raw "customer\.taxId" of jurisdiction "(eu|cn)"/);
  });

  test("the seed that shows them passes every invariant without a planted bug", async () => {
    const clean = await verdict(1, null);
    expect(
      failing(
        clean,
        clean.invariants.map((i) => i.name),
      ).map((i) => i.violations[0]),
    ).toEqual([]);
  });
});

test("[LF1] a payment re-entered under a new key, its fact already held by the peer, is acknowledged `region`, never `local` (was open: seeds 0, 2, 3, 5)", async () => {
  for (const seed of [0, 2, 3, 5]) {
    const { verdict } = await judged(seed, null);
    expect(
      failing(verdict).map((i) => `${i.name}: ${i.violations[0]}`),
      `seed ${seed}`,
    ).toEqual([]);
  }
});
