// Which key may start a round: key ids bound to regions (`<name>@<region>`) and the
// participants' rule that a round is signed by a key bound to the coordinator.
import { describe, expect, test } from "vitest";
import {
  bindsKeyTo,
  keyRegion,
  keyRingOf,
  ringOfRegion,
  signRequest,
  verifyRequest,
} from "../../replication/signing.ts";
import { mayCoordinate } from "../../workers/api/routes/federation-peer.ts";

const secret = (c: string) => c.repeat(40);
const BOUND = {
  "k1@cn-east": secret("e"),
  "k1@cn-south": secret("s"),
  "k1@eu-central": secret("u"),
};
const ringOf = (keys: Record<string, string>, current: string) =>
  keyRingOf({ REPLICATION_KEYS: JSON.stringify(keys), REPLICATION_KEY_ID: current });

describe("[FL6] replication keys bound to regions", () => {
  test("[FL6] a key id <name>@<region> names the region it signs for; a plain id names none", () => {
    expect(keyRegion("k1@cn-east")).toBe("cn-east");
    expect(keyRegion("k1")).toBeNull();
    expect(() => ringOf({ "k1@CN east": secret("x") }, "k1@CN east")).toThrow(/must match/);
  });

  test("[FL6] a verification says which region's key signed", () => {
    const south = ringOf(BOUND, "k1@cn-south");
    const headers = new Headers(signRequest(south, "body", 1_000));
    expect(verifyRequest(ringOf(BOUND, "k1@eu-central"), headers, "body", 1_000)).toEqual({
      ok: true,
      keyId: "k1@cn-south",
      region: "cn-south",
    });
  });

  test("[FL6] the coordinator signs rounds with the key bound to it, whatever its current key", () => {
    const shared = ringOf({ k1: secret("k"), "fed@cn-east": secret("f") }, "k1");
    expect(ringOfRegion(shared, "cn-east").current).toBe("fed@cn-east");
    expect(ringOfRegion(shared, "cn-south").current).toBe("k1");
    expect(ringOfRegion(ringOf(BOUND, "k1@cn-east"), "cn-east").current).toBe("k1@cn-east");
    expect(bindsKeyTo(shared, "cn-east")).toBe(true);
    expect(bindsKeyTo(shared, "eu-central")).toBe(false);
  });
});

describe("[FL6] only the coordinator's key starts a round", () => {
  const ring = ringOf(BOUND, "k1@eu-central");
  const rule = { coordinator: "cn-east", ring, localMode: false };

  test.each([
    { from: "cn-east", signer: "cn-east", allowed: true },
    // A correctly signed request from another region's key, claiming to be the coordinator.
    { from: "cn-east", signer: "cn-south", allowed: false },
    { from: "cn-south", signer: "cn-south", allowed: false },
    { from: "cn-south", signer: "cn-east", allowed: false },
    { from: "cn-east", signer: null, allowed: false },
  ])("[FL6] from $from signed by $signer's key → $allowed", ({ from, signer, allowed }) => {
    expect(mayCoordinate({ ...rule, from, signer })).toBe(allowed);
  });

  test("[FL6] an unbound shared key passes only under npm start, and only while no key is bound to the coordinator", () => {
    const shared = ringOf({ k1: secret("k") }, "k1");
    const unbound = { from: "cn-east", signer: null, coordinator: "cn-east" };
    expect(mayCoordinate({ ...unbound, ring: shared, localMode: true })).toBe(true);
    expect(mayCoordinate({ ...unbound, ring: shared, localMode: false })).toBe(false);
    const withBound = ringOf({ k1: secret("k"), "fed@cn-east": secret("f") }, "k1");
    expect(mayCoordinate({ ...unbound, ring: withBound, localMode: true })).toBe(false);
  });
});
