// Smaller holes of a region (issue 8, item 11), through the real stack: what a read of an
// unknown id leaves behind, what unauthenticated callers learn, and who may seed.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import Database from "libsql";
import { describe, expect, test } from "vitest";
import { CLINIC_CALL, CLINIC_PROFILE } from "../../core/insights/fixtures.ts";
import {
  ADMIN,
  client,
  demoRegionForSuite,
  login as loginAs,
  REP,
  readJson,
} from "../support/test-region.ts";

const { region, api } = demoRegionForSuite();

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
  const root = join(region().dataDir, "wrangler", "v3", "do", "lifeline-api-cn-east-AccountDO");
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

describe("public /v1/health is a summary; the detail is for admins", () => {
  test("anyone gets status, region, jurisdiction and modes, and nothing about dependencies", async () => {
    const res = await fetch(`${region().url}/v1/health`);
    expect(res.status).toBe(200);
    const body = await readJson(res);
    // This region runs without its inference worker: degraded, and the summary says only that.
    expect(body).toEqual({
      status: "degraded",
      region: "cn-east",
      jurisdiction: "cn",
      degraded: ["inference-off"],
      // Which modes are in force, since when and why (no signal values: those are detail).
      modes: expect.any(Array),
    });
  });

  test("detail needs credentials, and an admin's", async () => {
    const anonymous = await fetch(`${region().url}/v1/health?detail=1`);
    expect(anonymous.status).toBe(401);
    const integrator = await api("GET", "/v1/health?detail=1");
    expect(integrator.status).toBe(403);
    const login = await fetch(`${region().url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(REP),
    });
    const rep = client(region().url, (await readJson(login)).token);
    expect((await rep("GET", "/v1/health?detail=1")).status).toBe(403);
    const admin = client(region().url, await loginAs(region().url, ADMIN));
    const detail = await admin("GET", "/v1/health?detail=1");
    expect(detail.status).toBe(200);
    expect(detail.body.checks.libsql.ok).toBe(true);
    expect(detail.body.checks.inference.ok).toBe(false);
    expect(detail.body.checks.inference.error).toEqual(expect.any(String));
  });
});

describe("/__local/* needs the local admin secret", () => {
  const seedBody = JSON.stringify({
    tenant: { id: "ten_holes", name: "Holes" },
    apiKeys: [],
    users: [],
  });
  const seed = (headers: Record<string, string>) =>
    fetch(`${region().url}/__local/seed`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: seedBody,
    });

  test("without it, or with another, seeding and the floor route are 403; with it, 204", async () => {
    expect((await seed({})).status).toBe(403);
    expect((await seed({ "lifeline-local-admin": "not-the-secret-0123456789" })).status).toBe(403);
    const floor = await fetch(`${region().url}/__local/floor/1`, { method: "POST", body: "x" });
    expect(floor.status).toBe(403);
    expect((await seed({ "lifeline-local-admin": region().localAdminSecret })).status).toBe(204);
  });
});

describe("insight rules round-trip", () => {
  test("a PUT accepts exactly what GET returns, defaults and tenant rules alike", async () => {
    const defaults = await api("GET", "/v1/insights/rules");
    expect(defaults.status).toBe(200);
    expect(defaults.body.source).toBe("default");
    const put = await api("PUT", "/v1/insights/rules", defaults.body);
    expect(put.status).toBe(200);
    expect(put.body.source).toBe("tenant");
    expect(put.body.rules).toEqual(defaults.body.rules);
    // The tenant's own document, as GET now returns it, goes back unchanged too.
    const again = await api("PUT", "/v1/insights/rules", put.body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(put.body);
    // Read-only fields are only that: a field the view does not have is still refused.
    const extra = await api("PUT", "/v1/insights/rules", { ...put.body, owner: "x" });
    expect(extra.status).toBe(400);
  });
});

describe("local scripts do not count in adoption statistics", () => {
  const analyze = (headers: Record<string, string>) =>
    api(
      "POST",
      "/v1/insights/analyze",
      { industry: "medical-devices", profile: CLINIC_PROFILE, transcript: CLINIC_CALL },
      headers,
    );

  test("analyses and answers sent as local tooling are recorded but never counted", async () => {
    const tooling = { "lifeline-local-admin": region().localAdminSecret };
    const scripted = await analyze(tooling);
    expect(scripted.status).toBe(200);
    const strategy = (scripted.body.insights ?? scripted.body.rulesOnly).actions[0].strategy;
    const answered = await api(
      "POST",
      `/v1/insights/${scripted.body.id}/feedback`,
      { strategy, adopted: false },
      tooling,
    );
    expect(answered.status).toBe(200);
    const rep = await analyze({});
    await api("POST", `/v1/insights/${rep.body.id}/feedback`, { strategy, adopted: true });

    const report = await api("GET", "/v1/insights/strategies");
    expect(report.status).toBe(200);
    const row = report.body.strategies.find((r: { strategy: string }) => r.strategy === strategy);
    expect(row).toMatchObject({ suggested: 1, answered: 1, adopted: 1 });
    // …and the report states when it flags.
    expect(report.body.rule).toMatchObject({ threshold: 0.65, minAnswers: 20, confidence: 0.95 });
    expect(row.assessment).toBe("too-few-answers");
  });
});
