// Smaller holes of a region (issue 8, item 11), through the real stack: what a read of an
// unknown id leaves behind, what unauthenticated callers learn, and who may seed.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { client, DEMO_KEY, startTestRegion, type TestRegion } from "../support/test-region.ts";

let region: TestRegion;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  region = await startTestRegion();
  api = client(region.url, DEMO_KEY);
}, 60_000);

afterAll(async () => {
  await region?.stop();
});

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const randomBody = (n: number) =>
  Array.from({ length: n }, () => CROCKFORD[Math.floor(Math.random() * 32)]).join("");

/**
 * AccountDOs (their SQLite files under wrangler's persist dir) that hold any table of ours.
 * Local workerd opens a file for every object it instantiates and Miniflare records the
 * object's name in it (`__miniflare_do_name`); neither exists in production, where an
 * object that never wrote has no storage. Everything else in a file is stored state.
 */
function accountsWithState(): string[] {
  const root = join(region.dataDir, "wrangler", "v3", "do", "lifeline-api-cn-east-AccountDO");
  return readdirSync(root)
    .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
    .filter((f) => {
      const db = new Database(join(root, f), { readonly: true });
      try {
        const tables = db
          .prepare(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> '__miniflare_do_name'",
          )
          .all();
        return tables.length > 0;
      } finally {
        db.close();
      }
    })
    .sort();
}

describe("reading an unknown id creates no stored state", () => {
  test("50 reads of random customer and contract ids leave the AccountDO storage as it was", async () => {
    // One real account first, so the storage directory exists and is not trivially empty.
    const made = await api("POST", "/v1/customers", { name: "Existing Co", residency: "cn" });
    expect(made.status).toBe(201);
    const before = accountsWithState();
    expect(before).toHaveLength(1);
    for (let i = 0; i < 25; i++) {
      const account = randomBody(26);
      const customer = await api("GET", `/v1/customers/acc_${account}`);
      expect(customer.status).toBe(404);
      const contract = await api("GET", `/v1/contracts/ctr_${account}_${randomBody(16)}`);
      expect(contract.status).toBe(404);
    }
    expect(accountsWithState()).toEqual(before);
  });
});
