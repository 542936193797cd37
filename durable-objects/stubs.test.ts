// [LF4] the stub factory pins a region's Durable Objects to the Cloudflare jurisdiction
// its own jurisdiction maps to (DO_JURISDICTIONS), with a fake namespace standing in for
// Cloudflare's (workerd does not implement jurisdictions).
import { describe, expect, test } from "vitest";
import { accountStub, groupsStub, idempotencyKeyStub, pinnedNamespace } from "./stubs.ts";

type Call = { jurisdiction: string | null; name: string };

/** A namespace that records which jurisdiction each id was made in. */
function fakeNamespace(calls: Call[], jurisdiction: string | null = null): DurableObjectNamespace {
  const ns = {
    jurisdiction: (j: string) => fakeNamespace(calls, j),
    idFromName: (name: string) => {
      calls.push({ jurisdiction, name });
      return { name, jurisdiction: jurisdiction ?? undefined };
    },
    get: (id: { name: string }) => ({ id }),
  };
  return ns as unknown as DurableObjectNamespace;
}

function regionEnv(jurisdiction: string, doJurisdictions: string | undefined) {
  const calls: Call[] = [];
  const env = {
    JURISDICTION: jurisdiction,
    DO_JURISDICTIONS: doJurisdictions,
    ACCOUNT: fakeNamespace(calls),
    IDEMPOTENCY_KEY: fakeNamespace(calls),
    GROUPS: fakeNamespace(calls),
  } as unknown as Env;
  return { env, calls };
}

const PRODUCTION = '{"eu":"eu"}';

describe("[LF4] Durable Objects are created in their jurisdiction", () => {
  test("an EU region configured so creates account objects and the key registry through jurisdiction('eu')", () => {
    const { env, calls } = regionEnv("eu", PRODUCTION);
    accountStub(env, "ten_demo", "acc_X");
    idempotencyKeyStub(env, "ten_demo", "key-1");
    expect(calls).toEqual([
      { jurisdiction: "eu", name: "ten_demo/acc_X" },
      { jurisdiction: "eu", name: expect.stringMatching(/^ten_demo\/keys\/\d+$/) },
    ]);
  });

  test("an EU region's groups object (one per tenant) is made in the EU jurisdiction too", () => {
    const { env, calls } = regionEnv("eu", PRODUCTION);
    groupsStub(env, "ten_demo");
    expect(calls).toEqual([{ jurisdiction: "eu", name: "ten_demo/groups" }]);
  });

  test("a cn region, with the same configuration, asks for no jurisdiction", () => {
    const { env, calls } = regionEnv("cn", PRODUCTION);
    accountStub(env, "ten_demo", "acc_X");
    idempotencyKeyStub(env, "ten_demo", "key-1");
    expect(calls.map((c) => c.jurisdiction)).toEqual([null, null]);
  });

  test("unset or empty (local workerd), nothing is pinned", () => {
    for (const config of [undefined, "", "{}"]) {
      const { env, calls } = regionEnv("eu", config);
      accountStub(env, "ten_demo", "acc_X");
      expect(calls[0]!.jurisdiction).toBeNull();
    }
  });

  test("a malformed map or an unknown Cloudflare jurisdiction refuses to create stubs, readably", () => {
    for (const config of ["eu", '{"eu":"mars"}', '{"eu":1}', "[]"]) {
      const { env } = regionEnv("eu", config);
      expect(() => pinnedNamespace(env, env.ACCOUNT)).toThrow(/DO_JURISDICTIONS/);
    }
  });
});
