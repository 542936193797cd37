// [LF8] Authentic replication, tried the way an attacker and a faulty peer would, against a
// real region in workerd: forged key ids, unknown keys, an endless chunked body, a batch
// with poison in it, raw personal data from abroad, and a region configured with a short
// key. Each test names the rule it proves.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  accountIdFor,
  batchSignature,
  CustomerCreate,
  type DomainEvent,
  hmacSha256Hex,
} from "../../core/index.ts";
import { sendChunkedToWorker } from "../support/chunked.ts";
import { journalOf, TEST_ACCOUNT_ID_KEY } from "../support/journal.ts";
import {
  client,
  DEMO_KEY,
  eventually,
  startTestRegion,
  type TestRegion,
} from "../support/test-region.ts";

const KEYS = { k1: "a-replication-key-of-forty-bytes-000000000" };
const PEERS = [
  { region: "cn-east", jurisdiction: "cn", url: "http://127.0.0.1:9" },
  { region: "eu-central", jurisdiction: "eu", url: "http://127.0.0.1:9" },
];
const PATH = "/v1/replication/events";

let region: TestRegion;
beforeAll(async () => {
  region = await startTestRegion("cn-south", {
    peers: PEERS,
    bindings: { REPLICATION_KEYS: JSON.stringify(KEYS), REPLICATION_KEY_ID: "k1" },
  });
}, 60_000);
afterAll(async () => {
  await region?.stop();
});

let n = 0;
/** A customer.created event as `origin` would journal it. */
function customerEvent(
  origin: string,
  tenantId = "ten_demo",
  residency: "cn" | "eu" = "cn",
): DomainEvent {
  const taxId = `91440000AUTH${Date.now()}${n++}`;
  const accountId = accountIdFor(tenantId, { kind: "taxId", taxId, key: TEST_ACCOUNT_ID_KEY });
  const input = CustomerCreate.parse({
    name: `Auth ${n}`,
    taxId,
    residency,
    contacts: [{ name: "赵六", phone: "13912345678", email: "zhao.liu@example.cn" }],
  });
  return journalOf(origin, tenantId, accountId, [{ type: "customer.create", input }]).events[0]!;
}

function batchBody(events: unknown[], from = "cn-east") {
  return JSON.stringify({ v: 1, from, to: "cn-south", sentAt: new Date().toISOString(), events });
}

async function post(body: string, keyId: string, secret: string) {
  const at = Date.now();
  return fetch(`${region.url}${PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "lifeline-key-id": keyId,
      "lifeline-timestamp": String(at),
      "lifeline-signature": batchSignature(secret, at, body),
    },
    body,
  });
}

describe("[LF8] only a configured peer holding a current key adds events", () => {
  const PROTOTYPE_NAMES = [
    "__proto__",
    "constructor",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "__defineGetter__",
    "__lookupGetter__",
  ];

  test.each(PROTOTYPE_NAMES)(
    "a forged batch with key id %s and the empty-key HMAC is 401",
    async (keyId) => {
      const event = customerEvent("cn-east");
      const body = batchBody([event]);
      const at = Date.now();
      const res = await fetch(`${region.url}${PATH}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "lifeline-key-id": keyId,
          "lifeline-timestamp": String(at),
          "lifeline-signature": hmacSha256Hex("", `${at}.${body}`),
        },
        body,
      });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      const customer = await client(region.url, DEMO_KEY)(
        "GET",
        `/v1/customers/${event.accountId}`,
      );
      expect(customer.status).toBe(404);
    },
  );

  test("a batch signed with a key id that is not configured is 401", async () => {
    const res = await post(batchBody([customerEvent("cn-east")]), "k9", "x".repeat(40));
    expect(res.status).toBe(401);
  });

  test("a 100 MB chunked body is 413 without being read whole", async () => {
    // A raw socket, so the test sees the answer while it is still sending (fetch would
    // report only the dropped upload) and knows exactly how much it sent.
    const { status, sent, head } = await sendChunkedToWorker(region.url, {
      method: "POST",
      path: PATH,
      headers: { "Content-Type": "application/json", "Lifeline-Key-Id": "k1" },
      total: 100 * 1024 * 1024,
    });
    // Once seen as a 503 under a full parallel run (not reproduced since): the head says whose.
    expect(status, head).toBe(413);
    // Bounded: the limit (4 MiB) plus what sits in socket and stream buffers, never 100 MB.
    expect(sent).toBeLessThan(32 * 1024 * 1024);
  });
});

describe("[LF8] a malformed event is quarantined and never fails the rest of its batch", () => {
  test("the good event is applied, the bad ones are listed for an operator, who redrives one", async () => {
    const good = customerEvent("cn-east");
    const later = customerEvent("cn-east", "ten_later");
    const junk = { v: 1, id: "evt_junk", tenantId: "ten_demo", note: "not an event" };
    const res = await post(batchBody([junk, good, later]), "k1", KEYS.k1);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 1, quarantined: 2 });
    const demo = client(region.url, DEMO_KEY);
    expect((await demo("GET", `/v1/customers/${good.accountId}`)).status).toBe(200);

    // The tenant the event named did not exist here; once it does, an admin redrives it.
    const seeded = await fetch(`${region.url}/__local/seed`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "lifeline-local-admin": region.localAdminSecret,
      },
      body: JSON.stringify({
        tenant: { id: "ten_later", name: "Later" },
        apiKeys: [{ id: "key_later", name: "t", key: "lk_test_later_integrator" }],
        users: [
          {
            id: "usr_later_admin",
            email: "admin@later.test",
            name: "Admin",
            role: "admin",
            password: "admin-password-1",
          },
          {
            id: "usr_later_rep",
            email: "rep@later.test",
            name: "Rep",
            role: "rep",
            password: "rep-password-1",
          },
        ],
      }),
    });
    expect(seeded.status).toBe(204);
    const login = async (email: string, password: string) => {
      const r = await fetch(`${region.url}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      return ((await r.json()) as { token: string }).token;
    };
    const admin = client(region.url, await login("admin@later.test", "admin-password-1"));
    const rep = client(region.url, await login("rep@later.test", "rep-password-1"));
    expect((await rep("GET", "/v1/admin/replication/quarantine")).status).toBe(403);
    const listed = await admin("GET", "/v1/admin/replication/quarantine");
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({
      rule: "tenant",
      eventId: later.id,
      from: "cn-east",
    });
    // The junk names ten_demo, not ten_later: another tenant's admin never sees it.
    expect(JSON.stringify(listed.body)).not.toContain("evt_junk");
    const redriven = await admin(
      "POST",
      `/v1/admin/replication/quarantine/${listed.body.items[0].id}/redrive`,
    );
    expect(redriven.body).toEqual({ applied: true });
    const laterKey = client(region.url, "lk_test_later_integrator");
    await eventually(async () =>
      (await laterKey("GET", `/v1/customers/${later.accountId}`)).status === 200 ? true : undefined,
    );
    expect((await admin("GET", "/v1/admin/replication/quarantine")).body.items).toHaveLength(0);
  });

  test("[LF4] raw personal data from abroad is quarantined, not stored", async () => {
    const fromEu = customerEvent("eu-central", "ten_demo", "eu");
    const res = await post(batchBody([fromEu], "eu-central"), "k1", KEYS.k1);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 0, quarantined: 1 });
    const r = await client(region.url, DEMO_KEY)("GET", `/v1/customers/${fromEu.accountId}`);
    expect(r.status).toBe(404);
  });

  test("an event claiming another origin without a declared forward is quarantined", async () => {
    const south = customerEvent("cn-south");
    const res = await post(batchBody([south]), "k1", KEYS.k1);
    expect(await res.json()).toMatchObject({ applied: 0, quarantined: 1 });
  });
});

test("[LF8] a region whose replication secret is shorter than 32 bytes refuses to serve, saying why", async () => {
  const weak = await startTestRegion("cn-east", {
    mode: "production",
    bindings: {
      REPLICATION_KEYS: JSON.stringify({ k1: "short-secret" }),
      REPLICATION_KEY_ID: "k1",
    },
  });
  try {
    const res = await fetch(`${weak.url}/v1/health`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { type: string; detail: string };
    expect(body.type).toContain("misconfigured");
    expect(body.detail).toMatch(/REPLICATION_KEYS.*shorter than 32 bytes/);
  } finally {
    await weak.stop();
  }
}, 60_000);
