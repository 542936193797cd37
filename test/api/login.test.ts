// Login cannot stall a region, sessions can be ended, and every authenticated route has a
// budget (DESIGN §12; issue 8, items 8 and 19), through the real stack in workerd.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { client, DEMO_KEY, REP, readJson, regionForSuite } from "../support/test-region.ts";

/** Default limits: the region a production deployment would be. */
const region = regionForSuite();

const TIGHT_LIMITS = {
  key: { burst: 5, perS: 0.2 },
  tenant: { burst: 8, perS: 0.2 },
  loginAddress: { burst: 3, perS: 0.2 },
};

/** Tiny limits, so budgets run out within a test. */
const tight = regionForSuite("cn-east", {
  bindings: { RATE_LIMITS: JSON.stringify(TIGHT_LIMITS) },
});

let addressSeq = 0;
/** A client address of its own per test, so one test's logins do not spend another's budget. */
const freshAddress = () => `198.51.100.${++addressSeq}`;

function login(base: string, body: { email: string; password: string }, address?: string) {
  return fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(address ? { "cf-connecting-ip": address } : {}),
    },
    body: JSON.stringify(body),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("login", () => {
  test("[login] passwords are hashed only in the credentials worker, never by the API or a Durable Object", () => {
    // The API's isolate serves API keys and the lifeline flows; DirectoryDO resolves every
    // key of the region. Neither may spend ~40 ms of CPU on PBKDF2 (workers/credentials does).
    const sources = ["durable-objects", "workers/api"].flatMap((dir) =>
      readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
        .map((f) => join(dir, f)),
    );
    expect(sources.length).toBeGreaterThan(20);
    const hashing = sources.filter((f) =>
      /from "[^"]*password\.ts"|"PBKDF2"|deriveBits\(|verifyPassword\(|hashPassword\(/.test(
        readFileSync(f, "utf8"),
      ),
    );
    expect(hashing).toEqual([]);
    expect(readFileSync("workers/credentials/index.ts", "utf8")).toMatch(/verifyPassword\(/);
  });

  test("[login] a login storm never delays API-key checks", async () => {
    const api = client(region().url, DEMO_KEY);
    // Read from its AccountDO: the API-key path is DirectoryDO (key lookup) plus one DO.
    const customer = await api("POST", "/v1/customers", { name: "Storm-proof", residency: "cn" });
    expect(customer.status).toBe(201);
    const stormStatuses = new Map<number, number>();
    const apiStatuses: number[] = [];
    let storming = true;
    const hardStop = Date.now() + 20_000;
    // 100 attackers from one address with ever new e-mails, for as long as the integrator works.
    const attacker = async (i: number) => {
      for (let n = 0; n < 1_000 && storming && Date.now() < hardStop; n++) {
        const email = `nobody${i}-${n}@demo.test`;
        // A dropped socket is the attacker's loss, not the test's: counted as 0, not thrown.
        const status = await login(region().url, { email, password: `guess-${n}` }, "203.0.113.9")
          .then(async (res) => {
            await res.arrayBuffer();
            return res.status;
          })
          .catch(() => 0);
        stormStatuses.set(status, (stormStatuses.get(status) ?? 0) + 1);
      }
    };
    const integrator = async () => {
      await sleep(200);
      for (let n = 0; n < 30; n++) {
        apiStatuses.push((await api("GET", `/v1/customers/${customer.body.id}`)).status);
      }
      storming = false;
    };
    await Promise.all([...Array.from({ length: 100 }, (_, i) => attacker(i)), integrator()]);
    expect(apiStatuses).toEqual(Array(30).fill(200));
    expect([...stormStatuses.keys()].filter((s) => s !== 0 && s !== 401 && s !== 429)).toEqual([]);
    // Past the address's burst (30 + ~1/s) the storm is refused before any password is checked.
    expect(stormStatuses.get(401) ?? 0).toBeLessThanOrEqual(60);
    expect(stormStatuses.get(429) ?? 0).toBeGreaterThan(0);
  }, 30_000);

  test("[login] the sixth failed login for one e-mail waits", async () => {
    const email = "lockout@demo.test";
    const wrong = { email, password: "wrong-password" };
    for (let i = 1; i <= 5; i++) {
      expect((await login(region().url, wrong, freshAddress())).status).toBe(401);
    }
    // The refusal is held (for the wait, at most 2 s) and then says how much is left.
    const waited = async () => {
      const t0 = Date.now();
      const res = await login(region().url, wrong, freshAddress());
      const retryAfterS = Number(res.headers.get("retry-after"));
      return { res, retryAfterS, totalMs: Date.now() - t0 + retryAfterS * 1_000 };
    };
    const sixth = await waited();
    expect(sixth.res.status).toBe(429);
    expect(sixth.res.headers.get("content-type")).toBe("application/problem+json");
    expect((await readJson(sixth.res)).type).toBe("urn:lifeline:problem:rate-limited");
    expect(sixth.totalMs).toBeGreaterThanOrEqual(1_000);
    await sleep(sixth.retryAfterS * 1_000 + 100);
    expect((await login(region().url, wrong, freshAddress())).status).toBe(401);
    // Each further failure doubles the wait.
    const eighth = await waited();
    expect(eighth.res.status).toBe(429);
    expect(eighth.totalMs).toBeGreaterThanOrEqual(2_000);
  }, 30_000);

  test("[login] a successful login clears the failures", async () => {
    for (let i = 1; i <= 4; i++) {
      const res = await login(region().url, { email: REP.email, password: "nope" }, freshAddress());
      // The storm above may have left the rep's e-mail waiting; wait it out, bounded.
      if (res.status === 429) {
        await sleep(Number(res.headers.get("retry-after")) * 1_000 + 100);
        i--;
        continue;
      }
      expect(res.status).toBe(401);
    }
    expect((await login(region().url, REP, freshAddress())).status).toBe(200);
    // Without the reset, 4 + 4 failures would have made the sixth wait.
    for (let i = 1; i <= 4; i++) {
      const res = await login(region().url, { email: REP.email, password: "nope" }, freshAddress());
      expect(res.status).toBe(401);
    }
  }, 60_000);

  test("[login] past an address's budget, logins from it get 429 whatever the e-mail", async () => {
    const address = freshAddress();
    for (let i = 0; i < 3; i++) {
      const res = await login(tight().url, { email: `a${i}@demo.test`, password: "x" }, address);
      expect(res.status).toBe(401);
    }
    const refused = await login(tight().url, { email: "fresh@demo.test", password: "x" }, address);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Refused before the body is read: even a malformed one gets 429, not 400.
    const malformed = await fetch(`${tight().url}/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": address },
      body: "{",
    });
    expect(malformed.status).toBe(429);
    // Another address is unaffected.
    expect((await login(tight().url, REP, freshAddress())).status).toBe(200);
  });
});

describe("sessions", () => {
  test("logout revokes the session token", async () => {
    const first = await readJson(await login(region().url, REP, freshAddress()));
    const second = await readJson(await login(region().url, REP, freshAddress()));
    const rep = client(region().url, first.token);
    expect((await rep("GET", "/v1/customers?limit=1")).status).toBe(200);
    expect((await rep("POST", "/v1/auth/logout")).status).toBe(204);
    // Both sessions issued before the logout end; the region has one isolate here, so at once.
    const after = await rep("GET", "/v1/customers?limit=1");
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/logout/);
    expect((await client(region().url, second.token)("GET", "/v1/customers?limit=1")).status).toBe(
      401,
    );
    const again = await readJson(await login(region().url, REP, freshAddress()));
    expect((await client(region().url, again.token)("GET", "/v1/customers?limit=1")).status).toBe(
      200,
    );
  });

  test("an API key has no session to end", async () => {
    expect((await client(region().url, DEMO_KEY)("POST", "/v1/auth/logout")).status).toBe(409);
  });
});

describe("rate limits", () => {
  test("[rate-limit] a key past its budget gets 429 with Retry-After and RateLimit headers", async () => {
    const api = client(tight().url, DEMO_KEY);
    const ok = await api("GET", "/v1/customers?limit=1");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-policy")).toBe('"key";q=5;w=25, "tenant";q=8;w=40');
    expect(ok.headers.get("ratelimit")).toMatch(/^"key";r=4;t=\d+, "tenant";r=7;t=\d+$/);
    for (let i = 0; i < 4; i++)
      expect((await api("GET", "/v1/customers?limit=1")).status).toBe(200);
    const refused = await api("GET", "/v1/customers?limit=1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit")).toMatch(/^"key";r=0;/);
    expect(refused.headers.get("ratelimit-policy")).toContain('"key";q=5');
    // The tenant's budget (8) is shared by all its credentials: a rep of the same tenant
    // gets the 3 left, then 429 too.
    const session = await readJson(await login(tight().url, REP, freshAddress()));
    const rep = client(tight().url, session.token);
    for (let i = 0; i < 3; i++)
      expect((await rep("GET", "/v1/customers?limit=1")).status).toBe(200);
    const tenantRefused = await rep("GET", "/v1/customers?limit=1");
    expect(tenantRefused.status).toBe(429);
    expect(tenantRefused.body.detail).toMatch(/tenant/);
  });

  test("[rate-limit] health, the OpenAPI document and replication carry no budget", async () => {
    for (const path of ["/v1/health", "/v1/openapi.json"]) {
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${tight().url}${path}`);
        await res.body?.cancel();
        expect(res.status).toBe(200);
        expect(res.headers.get("ratelimit")).toBeNull();
      }
    }
    const replication = await fetch(`${tight().url}/v1/replication/events`, { method: "POST" });
    expect(replication.status).not.toBe(429);
  });
});
