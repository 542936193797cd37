// Anti-entropy against three real regions (cn-east, cn-south, eu-central in workerd): events
// written in cn-east while both peers were down, their outbox rows then deleted from
// cn-east's storage on disk, so the normal path can never deliver them. eu-central's
// on-demand round pulls them (masked), cn-south's periodic job pulls them with no operator,
// and every state hash then agrees. Then the two signed routes, tried as a forger would.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "libsql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { batchSignature, sha256Hex } from "../../core/index.ts";
import {
  DIGEST_PATH,
  JURISDICTION_SIGNATURE_HEADER,
  jurisdictionKeyOf,
  jurisdictionSignature,
  PULL_PATH,
} from "../../replication/anti-entropy.ts";
import { freePort } from "../../scripts/processes.ts";
import { draftContract } from "../support/commands.ts";
import { bytesOf, storedFiles } from "../support/files.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  startTestRegion,
  type TestRegion,
} from "../support/test-region.ts";

const REPLICATION_KEY = "anti-entropy-test-replication-key-0123456789";
const MASKING_KEYS = {
  cn: "cn-masking-key-of-the-anti-entropy-test",
  eu: "eu-masking-key-of-the-anti-entropy-test",
};
const RAW_PHONE = "+86 139 8765 4321";
const RAW_EMAIL = "li.na@example-clinic.cn";
const CONTACT = "李娜";
const HASH = "e".repeat(64);
const NAMES = ["cn-east", "cn-south", "eu-central"] as const;
type Name = (typeof NAMES)[number];

const regions = {} as Record<Name, TestRegion>;
let adminToken: string;
const api = (r: Name) => client(regions[r].url, DEMO_KEY);
const admin = (r: Name) => client(regions[r].url, adminToken);

beforeAll(async () => {
  const ports = Object.fromEntries(
    await Promise.all(NAMES.map(async (n) => [n, await freePort()])),
  );
  const info = (n: Name) => ({
    region: n,
    jurisdiction: n.startsWith("eu") ? "eu" : "cn",
    url: `http://127.0.0.1:${ports[n]}`,
  });
  const started = await Promise.all(
    NAMES.map((n) =>
      startTestRegion(n, {
        port: ports[n],
        peers: NAMES.filter((p) => p !== n).map(info),
        bindings: {
          REPLICATION_KEYS: JSON.stringify({ k1: REPLICATION_KEY }),
          REPLICATION_KEY_ID: "k1",
          MASKING_KEY: MASKING_KEYS[info(n).jurisdiction as "cn" | "eu"],
          // Only cn-south runs the periodic job (every 2 s): the others repair on demand,
          // so each test knows which round healed what.
          ANTI_ENTROPY_INTERVAL_MS: n === "cn-south" ? "2000" : "0",
        },
      }),
    ),
  );
  NAMES.forEach((n, i) => {
    regions[n] = started[i]!;
  });
  adminToken = await login(regions["cn-east"].url, ADMIN);
}, 120_000);

afterAll(async () => {
  await Promise.all(NAMES.map((n) => regions[n]?.stop()));
});

/** One anti-entropy round of `region` now, against `peer` (the local route the chaos CLI uses). */
async function repair(region: Name, peer?: Name) {
  const res = await fetch(`${regions[region].url}/__local/anti-entropy/repair`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "lifeline-local-admin": regions[region].localAdminSecret,
    },
    body: JSON.stringify(peer ? { peer } : {}),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    peers: Array<{
      peer: string;
      reachable: boolean;
      repaired: number;
      events: number;
      differing: number;
    }>;
  };
}

/** `region`'s hash of `accountId` as `as` should hold it (undefined: not held, or it cannot tell). */
async function hashOf(region: Name, as: Name, accountId: string): Promise<string | undefined> {
  const res = await admin(region)("GET", `/v1/admin/state-hash?as=${as}`);
  expect(res.status).toBe(200);
  return res.body.accounts[accountId]?.hash;
}

/** Deletes the account's outbox rows to `destinations` on disk, with the region's worker stopped. */
async function dropOutbox(region: TestRegion, accountId: string, destinations: string[]) {
  await region.stopWorker();
  try {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.includes("AccountDO") && name.endsWith(".sqlite")) files.push(p);
      }
    };
    walk(join(region.dataDir, "wrangler"));
    let deleted = 0;
    for (const file of files) {
      const db = new Database(file);
      try {
        const holds = db
          .prepare("SELECT 1 FROM sqlite_master WHERE name = 'meta'")
          .get() as unknown;
        if (!holds) continue;
        const meta = db.prepare("SELECT value FROM meta WHERE key = 'accountId'").get() as
          | { value: string }
          | undefined;
        if (meta?.value !== accountId) continue;
        const placeholders = destinations.map(() => "?").join(", ");
        deleted += db
          .prepare(`DELETE FROM outbox WHERE destination IN (${placeholders})`)
          .run(...destinations).changes;
      } finally {
        db.close();
      }
    }
    return deleted;
  } finally {
    await region.startWorker();
  }
}

function storageBytes(region: TestRegion): Buffer {
  const libsql = readdirSync(region.dataDir).filter((n) => n.startsWith("libsql.db"));
  return bytesOf([
    ...storedFiles(join(region.dataDir, "wrangler")),
    ...libsql.map((n) => join(region.dataDir, n)),
  ]);
}

let taxSeq = 0;
const taxId = () => `91110000AE${Date.now().toString(36).toUpperCase()}${taxSeq++}`;

describe("[LF3] events the normal path lost heal by anti-entropy", () => {
  /** A: a customer cn-south and eu-central never heard of; B: a contract of a customer they hold. */
  let a: { id: string; taxId: string };
  let b: { customerId: string; contractId: string };

  beforeAll(async () => {
    const customerB = await api("cn-east")("POST", "/v1/customers", {
      name: "反熵测试乙",
      taxId: taxId(),
      residency: "cn",
    });
    expect(customerB.status).toBe(201);
    for (const r of ["cn-south", "eu-central"] as const)
      await eventually(
        async () =>
          (await api(r)("GET", `/v1/customers/${customerB.body.id}`)).status === 200
            ? true
            : undefined,
        10_000,
      );

    await Promise.all([regions["cn-south"].stopWorker(), regions["eu-central"].stopWorker()]);
    const created = await api("cn-east")("POST", "/v1/customers", {
      name: "反熵测试甲",
      taxId: taxId(),
      residency: "cn",
      contacts: [{ name: CONTACT, phone: RAW_PHONE, email: RAW_EMAIL }],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("lifeline-durability")).toBe("local");
    a = { id: created.body.id, taxId: created.body.taxId };
    const contract = await draftContract(api("cn-east"), customerB.body.id, 500_000, HASH);
    expect(contract.status).toBe(201);
    b = { customerId: customerB.body.id, contractId: contract.body.id };
    // Registered in cn-east's account index (its alarm), so a peer's digest can list it.
    await eventually(async () => ((await hashOf("cn-east", "cn-east", a.id)) ? true : undefined));

    // The messages are lost: no outbox row to either peer is left in cn-east.
    expect(await dropOutbox(regions["cn-east"], a.id, ["peer:cn-south", "peer:eu-central"])).toBe(
      2,
    );
    expect(
      await dropOutbox(regions["cn-east"], b.customerId, ["peer:cn-south", "peer:eu-central"]),
    ).toBe(2);
    await regions["eu-central"].startWorker();
  }, 120_000);

  test("without a repair the normal path never delivers them to eu-central", async () => {
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await api("eu-central")("GET", `/v1/customers/${a.id}`)).status).toBe(404);
    expect((await api("eu-central")("GET", `/v1/contracts/${b.contractId}`)).status).toBe(404);
    expect(await hashOf("eu-central", "eu-central", b.customerId)).not.toBe(
      await hashOf("cn-east", "eu-central", b.customerId),
    );
  });

  test("[LF4] eu-central's repair round pulls both accounts from cn-east, masked, and cn-east audits the transfer", async () => {
    const round = await repair("eu-central", "cn-east");
    expect(round.peers).toHaveLength(1);
    expect(round.peers[0]).toMatchObject({
      peer: "cn-east",
      reachable: true,
      repaired: 2,
      events: 2,
    });

    const copy = await api("eu-central")("GET", `/v1/customers/${a.id}`);
    expect(copy.status).toBe(200);
    expect(copy.body.contacts[0].phone).not.toBe(RAW_PHONE);
    expect(copy.body.contacts[0].email).not.toBe(RAW_EMAIL);
    expect(copy.body.taxId).not.toBe(a.taxId);
    expect((await api("eu-central")("GET", `/v1/contracts/${b.contractId}`)).status).toBe(200);
    // Projected into eu-central's libSQL too, and nowhere in its storage in clear.
    await eventually(async () => {
      const r = await api("eu-central")(
        "GET",
        `/v1/customers?q=${encodeURIComponent("反熵测试甲")}`,
      );
      return r.body.items?.length === 1 ? true : undefined;
    });
    const bytes = storageBytes(regions["eu-central"]);
    for (const raw of [RAW_PHONE, RAW_EMAIL, a.taxId, CONTACT])
      expect(bytes.includes(Buffer.from(raw, "utf8")), `eu-central storage holds ${raw}`).toBe(
        false,
      );

    const transfers = await admin("cn-east")(
      "GET",
      "/v1/audit/entries?kind=cross-border-transfer&limit=200",
    );
    const audited = transfers.body.entries.filter(
      (e: { detail: { accountId: string; to: string } }) =>
        e.detail.accountId === a.id && e.detail.to === "eu-central",
    );
    expect(audited.length).toBeGreaterThan(0);
    expect(audited[0].detail.maskedFields.length).toBeGreaterThan(0);

    for (const id of [a.id, b.customerId])
      expect(await hashOf("eu-central", "eu-central", id)).toBe(
        await hashOf("cn-east", "eu-central", id),
      );
  }, 60_000);

  test("cn-south's periodic job pulls both with no operator, and every region's hash agrees", async () => {
    await regions["cn-south"].startWorker();
    // The first request wakes cn-south's RegionDO, whose alarm runs the job every 2 s.
    expect((await api("cn-south")("GET", `/v1/customers/${a.id}`)).status).toBe(404);
    const replica = await eventually(async () => {
      const r = await api("cn-south")("GET", `/v1/customers/${a.id}`);
      return r.status === 200 ? r.body : undefined;
    }, 20_000);
    expect(replica).toEqual((await api("cn-east")("GET", `/v1/customers/${a.id}`)).body);
    await eventually(
      async () =>
        (await api("cn-south")("GET", `/v1/contracts/${b.contractId}`)).status === 200
          ? true
          : undefined,
      10_000,
    );
    for (const as of NAMES)
      for (const id of [a.id, b.customerId]) {
        const held = await hashOf(as, as, id);
        expect(held, `${as} holds ${id}`).toBeDefined();
        for (const r of NAMES) {
          const h = await hashOf(r, as, id);
          if (h !== undefined) expect(h, `${r}'s view of ${id} as ${as}`).toBe(held);
        }
      }
  }, 60_000);
});

describe("[LF8] only a peer signs a digest or a pull", () => {
  let accountId: string;
  beforeAll(async () => {
    const created = await api("cn-east")("POST", "/v1/customers", {
      name: "签名测试",
      taxId: taxId(),
      residency: "cn",
      contacts: [{ name: CONTACT, phone: RAW_PHONE, email: RAW_EMAIL }],
    });
    expect(created.status).toBe(201);
    accountId = created.body.id;
  }, 30_000);

  const digest = (from: string, to = "cn-east") => ({
    v: 1,
    from,
    to,
    tenantId: "ten_demo",
    after: "",
    through: null,
    hash: "0".repeat(64),
    count: 0,
  });
  const pull = (from: string) => ({
    v: 1,
    from,
    to: "cn-east",
    tenantId: "ten_demo",
    accountId,
    after: 0,
  });

  async function post(
    path: string,
    request: unknown,
    sign: { key?: string; jurisdiction?: "cn" | "eu" } = {},
  ) {
    const body = JSON.stringify(request);
    const at = Date.now();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (sign.key) {
      headers["lifeline-key-id"] = "k1";
      headers["lifeline-timestamp"] = String(at);
      headers["lifeline-signature"] = batchSignature(sign.key, at, body);
    }
    if (sign.jurisdiction)
      headers[JURISDICTION_SIGNATURE_HEADER] = jurisdictionSignature(
        jurisdictionKeyOf({ MASKING_KEY: MASKING_KEYS[sign.jurisdiction] })!,
        at,
        body,
      );
    const res = await fetch(`${regions["cn-east"].url}${path}`, { method: "POST", headers, body });
    return { res, text: await res.text(), body };
  }

  test.each([DIGEST_PATH, PULL_PATH])("an unsigned %s request is 401", async (path) => {
    const req = path === DIGEST_PATH ? digest("eu-central") : pull("eu-central");
    expect((await post(path, req)).res.status).toBe(401);
    expect(
      (await post(path, req, { key: "a-forged-key-of-forty-bytes-0000000000000" })).res.status,
    ).toBe(401);
  });

  test("[LF4] a request in full from a region of the jurisdiction needs the jurisdiction's signature", async () => {
    // Any region holds the replication key: without cn's signature, eu-central could pose as cn-south.
    for (const path of [DIGEST_PATH, PULL_PATH]) {
      const req = path === DIGEST_PATH ? digest("cn-south") : pull("cn-south");
      expect((await post(path, req, { key: REPLICATION_KEY })).res.status).toBe(401);
      expect((await post(path, req, { key: REPLICATION_KEY, jurisdiction: "eu" })).res.status).toBe(
        401,
      );
    }
    const { res, text } = await post(PULL_PATH, pull("cn-south"), {
      key: REPLICATION_KEY,
      jurisdiction: "cn",
    });
    expect(res.status).toBe(200);
    expect(text).toContain(RAW_EMAIL);
  });

  test("a request addressed elsewhere or from an unknown region is refused", async () => {
    expect(
      (await post(DIGEST_PATH, digest("eu-central", "cn-south"), { key: REPLICATION_KEY })).res
        .status,
    ).toBe(409);
    expect((await post(DIGEST_PATH, digest("us-east"), { key: REPLICATION_KEY })).res.status).toBe(
      403,
    );
  });

  test("[LF4] a pull from abroad is answered masked, signed, and bound to its request", async () => {
    const { res, text, body } = await post(PULL_PATH, pull("eu-central"), { key: REPLICATION_KEY });
    expect(res.status).toBe(200);
    const at = Number(res.headers.get("lifeline-timestamp"));
    expect(res.headers.get("lifeline-signature")).toBe(batchSignature(REPLICATION_KEY, at, text));
    const answer = JSON.parse(text);
    expect(answer.re).toBe(sha256Hex(body));
    expect(answer.batch.events).toHaveLength(1);
    for (const raw of [RAW_PHONE, RAW_EMAIL, CONTACT]) expect(text).not.toContain(raw);
  });
});
