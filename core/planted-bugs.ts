// Planted bugs (DESIGN §9): deliberate defects the simulator and the local drills switch on
// to prove their checks can fail. Inert unless named explicitly: the simulator by option, a
// region only in local mode with LIFELINE_PLANTED_BUGS set. Production never honours them.

export const PLANTED_BUGS = [
  /** `region` survival acknowledged before any peer holds the events (they are pushed later). */
  "ack-before-peer-copy",
  /** A payment re-entered with a used bank reference becomes a second payment. */
  "skip-payment-dedup",
  /** Events leave for another jurisdiction with their restricted fields unmasked. */
  "ship-unmasked",
] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];
export type PlantedBugs = ReadonlySet<PlantedBug>;

export const NO_PLANTED_BUGS: PlantedBugs = new Set();

export const isPlantedBug = (name: string): name is PlantedBug =>
  (PLANTED_BUGS as readonly string[]).includes(name);

/** Parses a comma-separated list; an unknown name throws (a typo must not pass silently). */
export function parsePlantedBugs(list: string): PlantedBugs {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!isPlantedBug(name))
      throw new Error(`unknown planted bug "${name}" (known: ${PLANTED_BUGS.join(", ")})`);
  }
  return new Set(names as PlantedBug[]);
}

/**
 * The bugs a region honours: none unless it runs in local mode (`LIFELINE_MODE=local`, as
 * `npm start` sets it) and `LIFELINE_PLANTED_BUGS` names them. Outside local mode the list
 * is not even read, so a stray variable in production changes nothing.
 */
export function plantedBugsOf(env: {
  LIFELINE_MODE?: string | undefined;
  LIFELINE_PLANTED_BUGS?: string | undefined;
}): PlantedBugs {
  if (env.LIFELINE_MODE !== "local") return NO_PLANTED_BUGS;
  return env.LIFELINE_PLANTED_BUGS ? parsePlantedBugs(env.LIFELINE_PLANTED_BUGS) : NO_PLANTED_BUGS;
}
