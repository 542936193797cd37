// Candidate selection: only the account's jurisdiction, healthy before half-open, the
// client's hint first, then the configured order.
import { describe, expect, test } from "vitest";
import { candidates, type Standing } from "../../workers/router/candidates.ts";
import { REGIONS } from "./fake-network.ts";

const standings =
  (s: Record<string, Standing>) =>
  (region: string): Standing =>
    s[region] ?? "closed";
const names = (rs: { region: string }[]) => rs.map((r) => r.region);

describe("candidates", () => {
  test("[LF4] a cn account never gets eu-central, even with both cn regions down", () => {
    const down = standings({ "cn-east": "out", "cn-south": "out" });
    expect(candidates(REGIONS, "cn", undefined, down)).toEqual([]);
    expect(candidates(REGIONS, "cn", "eu-central", down)).toEqual([]);
  });

  test("[LF4] every candidate is in the jurisdiction, whatever the hint", () => {
    expect(names(candidates(REGIONS, "eu", "cn-east", standings({})))).toEqual(["eu-central"]);
    expect(names(candidates(REGIONS, "cn", "eu-central", standings({})))).toEqual([
      "cn-east",
      "cn-south",
    ]);
  });

  test("keeps the configured order when nothing else decides", () => {
    expect(names(candidates(REGIONS, "cn", undefined, standings({})))).toEqual([
      "cn-east",
      "cn-south",
    ]);
  });

  test("puts the Lifeline-Region hint first when it is a healthy region of the jurisdiction", () => {
    expect(names(candidates(REGIONS, "cn", "cn-south", standings({})))).toEqual([
      "cn-south",
      "cn-east",
    ]);
  });

  test("skips open regions and puts half-open ones after healthy ones, hint or not", () => {
    expect(names(candidates(REGIONS, "cn", undefined, standings({ "cn-east": "out" })))).toEqual([
      "cn-south",
    ]);
    expect(names(candidates(REGIONS, "cn", "cn-east", standings({ "cn-east": "trial" })))).toEqual([
      "cn-south",
      "cn-east",
    ]);
  });
});
