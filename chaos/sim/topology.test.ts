// The simulated topology is the deployable one: wrangler.toml's REGIONS, same names and
// jurisdictions, in every env.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { SIM_REGIONS } from "./topology.ts";

test("the simulator's regions and jurisdictions are wrangler.toml's", () => {
  const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
  const maps = [...toml.matchAll(/^REGIONS = '(.*)'$/gm)].map((m) =>
    (JSON.parse(m[1]!) as Array<{ region: string; jurisdiction: string }>).map(
      ({ region, jurisdiction }) => ({ region, jurisdiction }),
    ),
  );
  expect(maps.length).toBeGreaterThan(0);
  const sim = SIM_REGIONS.map(({ region, jurisdiction }) => ({ region, jurisdiction }));
  for (const map of maps) expect(map).toEqual(sim);
});
