// Guards the contract between wrangler.toml and everything that starts regions locally:
// every env is a complete region with its own ports and the same Durable Objects.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { parseToml } from "./toml.ts";
import { readTopology, selectRegions, topologyFromToml, WRANGLER_TOML } from "./topology.ts";

const topology = readTopology();

test("wrangler.toml declares the three regions with their jurisdictions", () => {
  expect(topology.map((r) => [r.region, r.jurisdiction])).toEqual([
    ["cn-east", "cn"],
    ["cn-south", "cn"],
    ["eu-central", "eu"],
  ]);
});

test("each region has its own API port (8801–8803) and libSQL port (8811–8813)", () => {
  expect(topology.map((r) => r.apiPort)).toEqual([8801, 8802, 8803]);
  expect(topology.map((r) => r.libsqlPort)).toEqual([8811, 8812, 8813]);
  for (const r of topology) {
    expect(r.apiUrl).toBe(`http://127.0.0.1:${r.apiPort}`);
    expect(r.libsqlUrl).toBe(`http://127.0.0.1:${r.libsqlPort}`);
  }
  const ports = topology.flatMap((r) => [r.apiPort, r.libsqlPort]);
  expect(new Set(ports).size).toBe(ports.length);
});

test("every env declares the same Durable Object bindings", () => {
  const [first, ...rest] = topology.map((r) => r.durableObjects);
  expect(first!.map((b) => b.className).sort()).toEqual([
    "AccountDO",
    "AuditDO",
    "DirectoryDO",
    "GroupsDO",
    "IdempotencyKeyDO",
    "QuarantineDO",
    "RateLimitDO",
    "RegionDO",
  ]);
  for (const bindings of rest) expect(bindings).toEqual(first);
});

test("selecting an unknown region names the known ones", () => {
  expect(selectRegions(topology, ["eu-central"])[0]!.apiPort).toBe(8803);
  expect(() => selectRegions(topology, ["us-west"])).toThrow(/cn-east, cn-south, eu-central/);
});

/** One env's vars in wrangler.toml, with every URL a region needs. */
const envToml = (env: string, region: string) => `[env.${env}.vars]
REGION = "${region}"
JURISDICTION = "cn"
REGION_URL = "http://127.0.0.1:1"
LIBSQL_URL = "http://127.0.0.1:2"
`;

test.each([
  ["a REGION var that disagrees with its env name", envToml("a", "b"), /REGION is "b"/],
  [
    "a region name that cannot travel inside an id",
    envToml("cn_east", "cn_east"),
    /region name is 1–32 of a-z, 0-9 and -/,
  ],
])("%s is rejected at start", (_, toml, message) => {
  expect(() => topologyFromToml(toml)).toThrow(message);
});

test("every env carries the same REGIONS map, and it matches each env's own URL and jurisdiction", () => {
  const envs = (parseToml(readFileSync(WRANGLER_TOML, "utf8")).env ?? {}) as Record<
    string,
    { vars: Record<string, string> }
  >;
  const maps = Object.values(envs).map((e) => e.vars.REGIONS);
  expect(new Set(maps).size).toBe(1);
  const regions = JSON.parse(maps[0]!) as Array<{
    region: string;
    jurisdiction: string;
    url: string;
  }>;
  expect(regions).toEqual(
    topology.map((t) => ({ region: t.region, jurisdiction: t.jurisdiction, url: t.apiUrl })),
  );
});
