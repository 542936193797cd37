// What a finished run holds, read as an admin would: every region's state hash of every
// account in every view (as the AccountDO computes it), every raw value stored abroad
// [LF4], and the history's final reads (chaos/history.ts `Final`).
import { MASKED_ONLY, type Run } from "../history.ts";
import { accountRead, foreignRawIn, type RawValue } from "./checks.ts";
import type { SimRegion } from "./region.ts";
import { jurisdictionOf } from "./topology.ts";

type Regions = ReadonlyMap<string, SimRegion>;

/** hashes[region][as][account]: the account as `region` holds it, viewed as `as` should. */
export type Hashes = Map<string, Map<string, Map<string, string>>>;

export function accountsOf(regions: Regions): string[] {
  const all = new Set<string>();
  for (const region of regions.values()) for (const a of region.accounts()) all.add(a);
  return [...all].sort();
}

/**
 * Every region's hashes, as the admin state-hash route answers: a region that holds only
 * the masked copy of an account and is asked for the full view answers `unavailable`,
 * written MASKED_ONLY (it knows the account, nothing more). An account a region has no
 * state for is absent.
 */
export async function hashesOf(regions: Regions): Promise<Hashes> {
  const accounts = accountsOf(regions);
  const all: Hashes = new Map();
  for (const region of regions.values()) {
    const byAs = new Map<string, Map<string, string>>();
    all.set(region.name, byAs);
    if (!region.up) continue;
    // A view depends on the viewer's jurisdiction only: one hash per jurisdiction.
    const byJurisdiction = new Map<string, Map<string, string>>();
    for (const as of regions.keys()) {
      const j = jurisdictionOf(as);
      let byAccount = byJurisdiction.get(j);
      if (!byAccount) {
        byAccount = new Map();
        byJurisdiction.set(j, byAccount);
        for (const accountId of accounts) {
          if (!region.store(accountId)) continue;
          const h = await region.stateHash(accountId, as);
          if (h) byAccount.set(accountId, h.hash);
          else if (region.durableState(accountId)) byAccount.set(accountId, MASKED_ONLY);
        }
      }
      byAs.set(as, byAccount);
    }
  }
  return all;
}

/** [LF4] Every raw value of a jurisdiction stored in a region outside it, anywhere. */
export function leaksOf(regions: Regions, raw: readonly RawValue[]): Run["final"]["leaks"] {
  const leaks: Run["final"]["leaks"] = [];
  for (const region of regions.values()) {
    const found = (texts: string[], where: string) => {
      for (const r of foreignRawIn(texts, region.jurisdiction, raw))
        leaks.push({ region: region.name, ofJurisdiction: r.jurisdiction, field: r.field, where });
    };
    for (const accountId of region.accounts())
      found(region.storedTexts(accountId), `account ${accountId}`);
    found(
      region.quarantine.map((q) => q.raw),
      "quarantine",
    );
  }
  return leaks;
}

export function finalReads(
  regions: Regions,
  run: Omit<Run["final"], "regions"> & { hashes: Hashes },
): Run["final"] {
  const accounts = accountsOf(regions);
  const out: Run["final"]["regions"] = {};
  for (const region of regions.values()) {
    const held: Run["final"]["regions"][string]["accounts"] = {};
    for (const accountId of accounts) {
      if (!region.up || !region.store(accountId)) continue;
      const state = region.object(accountId).engine.current();
      if (state?.customer?.residency === region.jurisdiction) held[accountId] = accountRead(state);
    }
    const hashes: Record<string, Record<string, string>> = {};
    for (const [as, byAccount] of run.hashes.get(region.name) ?? [])
      hashes[as] = Object.fromEntries(byAccount);
    out[region.name] = {
      jurisdiction: region.jurisdiction,
      reachable: region.up,
      accounts: held,
      hashes,
    };
  }
  return {
    timeMs: run.timeMs,
    regions: out,
    convergedAfterMs: run.convergedAfterMs,
    leaks: run.leaks,
  };
}
