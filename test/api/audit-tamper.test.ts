// [LF7] the audit chain is tamper-evident against someone with the region's storage: two
// real regions (cn-east and eu-central, which holds cn-east's checkpoints), the AuditDO's
// SQLite file edited on disk while cn-east's worker is stopped. And the audit and admin
// routes are for admins only, without other tenants' counts.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { canonicalJson, sha256Hex } from "../../core/index.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  REP,
  startPeeredRegions,
  type TestRegion,
} from "../support/test-region.ts";

let east: TestRegion;
let eu: TestRegion;
let adminToken: string;

beforeAll(async () => {
  // test-region gives every region of this process one set of secrets (replication keys
  // shared, masking and id keys per jurisdiction), so the two regions talk to each other.
  [east, eu] = await startPeeredRegions(["cn-east", "eu-central"]);
  adminToken = await login(east.url, ADMIN);
}, 120_000);

afterAll(async () => {
  await Promise.all([east?.stop(), eu?.stop()]);
});

const admin = () => client(east.url, adminToken);

/** Cross-border transfers: each CN customer created in cn-east is shipped, masked, to eu-central. */
async function transfers(n: number) {
  for (let i = 0; i < n; i++) {
    const r = await client(east.url, DEMO_KEY)("POST", "/v1/customers", {
      name: `审计测试 ${i}`,
      taxId: `91310000AUDIT${Date.now()}${i}`,
      residency: "cn",
      contacts: [{ name: "王芳", phone: "+86 139 0000 0000" }],
    });
    expect(r.status).toBe(201);
  }
}

/** The SQLite file of cn-east's AuditDO (the one object of its class) under the worker's persist dir. */
function auditFile(): string {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.includes("AuditDO") && /[0-9a-f]{64}\.sqlite$/.test(name)) found.push(p);
    }
  };
  walk(join(east.dataDir, "wrangler"));
  expect(found, found.join("\n")).toHaveLength(1);
  return found[0]!;
}

type Row = { seq: number; body: string };

/** Edits cn-east's audit rows on disk with the worker stopped: what an attacker with storage access can do. */
async function tamper(edit: (db: Database.Database, rows: Row[]) => void) {
  await east.stopWorker();
  try {
    const db = new Database(auditFile());
    try {
      edit(db, db.prepare("SELECT seq, body FROM audit ORDER BY seq").all() as Row[]);
    } finally {
      db.close();
    }
  } finally {
    await east.startWorker();
  }
}

/** Checkpointing runs on an alarm after appends: wait until eu-central holds cn-east's head. */
async function checkpointed() {
  await eventually(async () => {
    const r = await admin()("GET", "/v1/audit/verify");
    return r.body?.checkpoints?.[0]?.state === "checked" ? r : undefined;
  }, 15_000);
}

describe("[LF7] tamper-evident audit", () => {
  test("after cross-border transfers the chain verifies against eu-central's checkpoint", async () => {
    await transfers(4);
    await checkpointed();
    const r = await admin()("GET", "/v1/audit/verify");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      region: "cn-east",
      status: "ok",
      ok: true,
      checkpoints: [{ holder: "eu-central", state: "checked" }],
    });
    expect(r.body.tenantEntries).toBeGreaterThanOrEqual(4);
  }, 60_000);

  // Before the tampering below breaks the chain (a broken chain counts nothing).
  test("verify reveals no region-wide counts: another tenant's admin sees none of this tenant's entries", async () => {
    const seeded = await fetch(`${east.url}/__local/seed`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "lifeline-local-admin": east.localAdminSecret,
      },
      body: JSON.stringify({
        tenant: { id: "ten_other", name: "ten_other" },
        apiKeys: [],
        users: [
          {
            id: "usr_other_admin",
            email: "admin@other.test",
            name: "Other",
            role: "admin",
            password: "other-admin-1",
          },
        ],
      }),
    });
    expect(seeded.status).toBe(204);
    const other = await login(east.url, { email: "admin@other.test", password: "other-admin-1" });
    const mine = (await admin()("GET", "/v1/audit/verify")).body;
    const theirs = (await client(east.url, other)("GET", "/v1/audit/verify")).body;
    expect(mine.tenantEntries).toBeGreaterThan(0);
    expect(theirs.tenantEntries).toBe(0);
    for (const body of [mine, theirs])
      expect(Object.keys(body).sort()).toEqual(
        expect.not.arrayContaining(["count", "head", "seq", "brokenAt", "reason"]),
      );
  });

  test("[LF7] with no checkpoint holder answering, verify says the head is unverified, never ok", async () => {
    await eu.stopWorker();
    try {
      const r = await admin()("GET", "/v1/audit/verify");
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({
        status: "unverified-head",
        ok: false,
        checkpoints: [{ holder: "eu-central", state: "unavailable" }],
      });
    } finally {
      await eu.startWorker();
    }
  }, 60_000);

  test("[LF7] history rewritten with recomputed SHA-256 hashes is detected", async () => {
    let original: Row[] = [];
    await tamper((db, rows) => {
      original = rows;
      // Change what the first transfer says and recompute every hash after it, as the
      // unkeyed chain allowed: each link still matches its predecessor.
      let prevHash = "0".repeat(64);
      const update = db.prepare("UPDATE audit SET body = ? WHERE seq = ?");
      for (const row of rows) {
        const e = JSON.parse(row.body);
        if (e.seq === 1) e.detail = { ...e.detail, to: "nowhere" };
        e.prevHash = prevHash;
        const { seq, at, kind, detail } = e;
        e.hash = sha256Hex(canonicalJson({ seq, at, kind, detail, prevHash }));
        prevHash = e.hash;
        update.run(JSON.stringify(e), row.seq);
      }
    });
    const r = await admin()("GET", "/v1/audit/verify");
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: "broken", ok: false, finding: "chain-broken" });

    // Put the original rows back: it verifies again, so the finding was the rewrite.
    await tamper((db) => {
      const update = db.prepare("UPDATE audit SET body = ? WHERE seq = ?");
      for (const row of original) update.run(row.body, row.seq);
    });
    expect((await admin()("GET", "/v1/audit/verify")).body.status).toBe("ok");
  }, 60_000);

  test("[LF7] deleting the last audit entries in the region's storage makes verify fail", async () => {
    await tamper((db, rows) => {
      expect(rows.length).toBeGreaterThanOrEqual(4);
      db.prepare("DELETE FROM audit WHERE seq > ?").run(rows.length - 2);
    });
    const r = await admin()("GET", "/v1/audit/verify");
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ status: "broken", ok: false, finding: "entries-removed" });
    // The region keeps appending on its shortened chain; eu-central refuses the lower
    // head as a rollback, and verify still fails.
    await transfers(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect((await admin()("GET", "/v1/audit/verify")).status).toBe(409);
  }, 60_000);

  test("[LF7] a checkpoint route refuses unsigned requests", async () => {
    const post = await fetch(`${eu.url}/v1/replication/audit-checkpoints`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        v: 1,
        region: "cn-east",
        seq: 1,
        hash: "0".repeat(64),
        at: new Date().toISOString(),
      }),
    });
    expect(post.status).toBe(401);
    const get = await fetch(`${eu.url}/v1/replication/audit-checkpoints/cn-east`);
    expect(get.status).toBe(401);
  });
});

describe("[LF7] audit and admin routes need the admin role", () => {
  test("a rep token and an integrator key get 403 problem+json on /v1/audit/verify and /v1/admin/state-hash", async () => {
    const repToken = await login(east.url, REP);
    for (const credential of [repToken, DEMO_KEY]) {
      for (const path of ["/v1/audit/verify", "/v1/admin/state-hash"]) {
        const r = await client(east.url, credential)("GET", path);
        expect(r.status, `${path}`).toBe(403);
        expect(r.headers.get("content-type")).toContain("application/problem+json");
        expect(r.body).toMatchObject({ status: 403, title: "Not allowed" });
      }
    }
  });

  test("[LF7] the admin routes are in the OpenAPI document, with their 403", async () => {
    const doc = (await client(east.url, DEMO_KEY)("GET", "/v1/openapi.json")).body;
    for (const path of ["/v1/admin/state-hash", "/v1/audit/verify"]) {
      expect(doc.paths[path]?.get?.responses?.["403"], path).toBeDefined();
      expect(doc.paths[path].get.security).toEqual([{ bearer: [] }]);
    }
    const params = doc.paths["/v1/admin/state-hash"].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(params.sort()).toEqual(["as", "cursor", "limit"]);
  });

  test("state-hash pages through the tenant's accounts with a bounded limit", async () => {
    const all = await admin()("GET", "/v1/admin/state-hash");
    expect(all.status).toBe(200);
    const ids = Object.keys(all.body.accounts);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor = "";
    for (let i = 0; i < 10; i++) {
      const r = await admin()(
        "GET",
        `/v1/admin/state-hash?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(r.status).toBe(200);
      expect(r.body.count).toBeLessThanOrEqual(2);
      seen.push(...Object.keys(r.body.accounts));
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(seen).toEqual(ids);
    expect((await admin()("GET", "/v1/admin/state-hash?limit=100000")).status).toBe(400);
  });
});
