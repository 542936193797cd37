// Planted bugs are inert outside local mode: production never honours LIFELINE_PLANTED_BUGS.
import { expect, test } from "vitest";
import { PLANTED_BUGS, parsePlantedBugs, plantedBugsOf } from "./planted-bugs.ts";

const ALL = PLANTED_BUGS.join(",");

test("production (no LIFELINE_MODE, or any mode but local) honours no planted bug, whatever the list says", () => {
  expect(plantedBugsOf({ LIFELINE_PLANTED_BUGS: ALL }).size).toBe(0);
  expect(plantedBugsOf({ LIFELINE_MODE: "production", LIFELINE_PLANTED_BUGS: ALL }).size).toBe(0);
  expect(plantedBugsOf({ LIFELINE_MODE: "LOCAL", LIFELINE_PLANTED_BUGS: ALL }).size).toBe(0);
  // Not even parsed: a malformed list outside local mode cannot break a region.
  expect(
    plantedBugsOf({ LIFELINE_MODE: "production", LIFELINE_PLANTED_BUGS: "nonsense" }).size,
  ).toBe(0);
});

test("local mode honours exactly the listed bugs, and none without a list", () => {
  expect(plantedBugsOf({ LIFELINE_MODE: "local" }).size).toBe(0);
  expect([...plantedBugsOf({ LIFELINE_MODE: "local", LIFELINE_PLANTED_BUGS: "" })]).toEqual([]);
  expect([
    ...plantedBugsOf({
      LIFELINE_MODE: "local",
      LIFELINE_PLANTED_BUGS: " ship-unmasked , skip-payment-dedup",
    }),
  ]).toEqual(["ship-unmasked", "skip-payment-dedup"]);
});

test("an unknown bug name is refused, naming the known ones", () => {
  expect(() => parsePlantedBugs("ack-before-peer-copy,ship-unmaksed")).toThrow(
    /unknown planted bug "ship-unmaksed".*ack-before-peer-copy/,
  );
});
