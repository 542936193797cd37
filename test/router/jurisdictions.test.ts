// Where a request belongs: the account it names, the jurisdiction learned for it, and
// the precedence residency > learned > hint > default.
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../workers/router/config.ts";
import { AccountJurisdictions, credentialScope } from "../../workers/router/jurisdictions.ts";
import { Lru } from "../../workers/router/lru.ts";
import { placementOf, requestFacts } from "../../workers/router/target.ts";
import { ACC, ACC_EU, CTR, REGIONS } from "./fake-network.ts";

const config = parseConfig({ REGIONS: JSON.stringify(REGIONS), ROUTER_DEFAULT_JURISDICTION: "cn" });
const facts = (
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => requestFacts(method, new URL(path, "http://router.test"), new Headers(headers), body, config);

describe("LRU", () => {
  test("holds at most its capacity, evicting the least recently used", () => {
    const lru = new Lru<string, number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.get("a");
    lru.set("c", 3);
    expect(lru.size).toBe(2);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe(1);
    expect(lru.get("c")).toBe(3);
  });

  test("stays bounded however many accounts pass through", () => {
    const accounts = new AccountJurisdictions(100, config.jurisdictions);
    for (let i = 0; i < 1_000; i++) {
      accounts.learn("s", `acc_${i.toString().padStart(26, "0")}`, "cn");
    }
    expect(accounts.size).toBe(100);
  });
});

describe("learning", () => {
  test("learns only account ids and jurisdictions some region serves", () => {
    const accounts = new AccountJurisdictions(10, config.jurisdictions);
    expect(accounts.learn("s", ACC, "cn")).toBe(true);
    expect(accounts.learn("s", CTR, "cn")).toBe(false);
    expect(accounts.learn("s", ACC_EU, "us")).toBe(false);
    expect(accounts.learn("s", null, "eu")).toBe(false);
    expect(accounts.get("s", ACC)).toBe("cn");
  });

  test("learns residency from a customer view and from a page of them", () => {
    const accounts = new AccountJurisdictions(10, config.jurisdictions);
    expect(accounts.learnFromCustomers("s", { id: ACC, residency: "cn", name: "x" })).toBe(1);
    expect(
      accounts.learnFromCustomers("s", {
        items: [{ id: ACC_EU, residency: "eu" }, { id: "nope", residency: "eu" }, 7],
        nextCursor: null,
      }),
    ).toBe(1);
    expect(accounts.get("s", ACC_EU)).toBe("eu");
    expect(accounts.learnFromCustomers("s", "not a view")).toBe(0);
  });
});

describe("request facts", () => {
  test("finds the account in a path id, including contract and payment ids", () => {
    expect(facts("GET", `/v1/customers/${ACC}`).accountId).toBe(ACC);
    expect(facts("POST", `/v1/contracts/${CTR}/signatures`).accountId).toBe(ACC);
  });

  test("finds the account in the body's customerId or contractId, or the query", () => {
    expect(facts("POST", "/v1/contracts", { customerId: ACC }).accountId).toBe(ACC);
    expect(facts("POST", "/v1/payments", { contractId: CTR }).accountId).toBe(ACC);
    expect(facts("GET", `/v1/contracts?customerId=${ACC}`).accountId).toBe(ACC);
    expect(facts("GET", "/v1/customers").accountId).toBeNull();
  });

  test("reads residency only from a customer being created", () => {
    expect(facts("POST", "/v1/customers", { residency: "eu" }).residency).toBe("eu");
    expect(facts("POST", "/v1/contracts", { residency: "eu" }).residency).toBeNull();
  });

  test("takes the Lifeline-Region hint only when it names a configured region", () => {
    expect(
      facts("GET", "/v1/customers", undefined, { "lifeline-region": "eu-central" }).hint
        ?.jurisdiction,
    ).toBe("eu");
    expect(
      facts("GET", "/v1/customers", undefined, { "lifeline-region": "mars" }).hint,
    ).toBeUndefined();
  });
});

describe("placement", () => {
  const accounts = new AccountJurisdictions(10, config.jurisdictions);
  // Requests below carry no credential: their scope is the anonymous one.
  accounts.learn(credentialScope(null), ACC, "cn");
  const eu = { "lifeline-region": "eu-central" };

  test("a customer being created goes where its residency says", () => {
    expect(
      placementOf(facts("POST", "/v1/customers", { residency: "eu" }), accounts, config),
    ).toEqual({
      jurisdiction: "eu",
      source: "residency",
    });
  });

  test("[LF4] a learned jurisdiction outranks the client's hint", () => {
    const placed = placementOf(
      facts("POST", "/v1/contracts", { customerId: ACC }, eu),
      accounts,
      config,
    );
    expect(placed).toEqual({ jurisdiction: "cn", source: "learned" });
  });

  test("an unknown account follows the hint's jurisdiction, else the default", () => {
    expect(
      placementOf(facts("GET", `/v1/customers/${ACC_EU}`, undefined, eu), accounts, config).source,
    ).toBe("hint");
    expect(placementOf(facts("GET", `/v1/customers/${ACC_EU}`), accounts, config)).toEqual({
      jurisdiction: "cn",
      source: "default",
    });
  });
});

describe("the account → jurisdiction cache is keyed by tenant", () => {
  test("what one credential's answers taught does not place another credential's request", () => {
    const accounts = new AccountJurisdictions(10, config.jurisdictions);
    const tenantA = { authorization: "Bearer lk_tenant_a_key" };
    const tenantB = { authorization: "Bearer lk_tenant_b_key" };
    accounts.learn(credentialScope(tenantA.authorization), ACC, "eu");
    const path = `/v1/customers/${ACC}`;
    expect(placementOf(facts("GET", path, undefined, tenantA), accounts, config)).toEqual({
      jurisdiction: "eu",
      source: "learned",
    });
    expect(placementOf(facts("GET", path, undefined, tenantB), accounts, config)).toEqual({
      jurisdiction: "cn",
      source: "default",
    });
    expect(placementOf(facts("GET", path), accounts, config).source).toBe("default");
  });

  test("a scope is a hash of the credential, never the credential itself", () => {
    const scope = credentialScope("Bearer lk_tenant_a_key");
    expect(scope).toMatch(/^[0-9a-f]{64}$/);
    expect(scope).not.toBe(credentialScope("Bearer lk_tenant_b_key"));
    expect(credentialScope(undefined)).toBe(credentialScope("  "));
  });
});

describe("configuration", () => {
  test("refuses a default jurisdiction that no region serves", () => {
    expect(() =>
      parseConfig({ REGIONS: JSON.stringify(REGIONS), ROUTER_DEFAULT_JURISDICTION: "us" }),
    ).toThrow(/no region/);
  });

  test("refuses a region map that names a region twice", () => {
    expect(() =>
      parseConfig({
        REGIONS: JSON.stringify([REGIONS[0], REGIONS[0]]),
        ROUTER_DEFAULT_JURISDICTION: "cn",
      }),
    ).toThrow(/repeat/);
  });
});
