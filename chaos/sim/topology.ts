// The simulated topology: wrangler.toml's three regions (a test checks they agree), with
// the per-jurisdiction keys a region holds, and the one tenant the workload writes to.
import { DEFAULT_FIELD_POLICY, type FieldPolicy } from "../../core/index.ts";
import type { RegionInfo } from "../../replication/regions.ts";

export const SIM_REGIONS: readonly RegionInfo[] = [
  { region: "cn-east", jurisdiction: "cn", url: "http://cn-east.sim.invalid" },
  { region: "cn-south", jurisdiction: "cn", url: "http://cn-south.sim.invalid" },
  { region: "eu-central", jurisdiction: "eu", url: "http://eu-central.sim.invalid" },
];
export const REGIONS_JSON = JSON.stringify(SIM_REGIONS);
export type RegionName = string;

export const TENANT = "ten_sim";
export const FIELD_POLICY: FieldPolicy = DEFAULT_FIELD_POLICY;

/** Keys every region of a jurisdiction shares and no other region holds (16+ characters). */
export const ACCOUNT_ID_KEYS: Readonly<Record<string, string>> = {
  cn: "sim-cn-account-id-key-0001",
  eu: "sim-eu-account-id-key-0001",
};
export const MASKING_KEYS: Readonly<Record<string, string>> = {
  cn: "sim-cn-masking-key-00000001",
  eu: "sim-eu-masking-key-00000001",
};

export const jurisdictionOf = (region: string): string => {
  const info = SIM_REGIONS.find((r) => r.region === region);
  if (!info) throw new Error(`not a simulated region: ${region}`);
  return info.jurisdiction;
};

export const regionsIn = (jurisdiction: string): string[] =>
  SIM_REGIONS.filter((r) => r.jurisdiction === jurisdiction).map((r) => r.region);

/** Wall-clock origin of every run: HLCs and timestamps look like real ones. */
export const EPOCH_MS = Date.UTC(2027, 0, 4, 9, 0, 0);
