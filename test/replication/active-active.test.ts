// Three real regions (cn-east, cn-south, eu-central), each its own libSQL server and
// workerd process group, replicating over each bus in turn: `direct` (signed HTTP) and
// `qstash` (the real client through the local relay). Each test states its invariant.
import { readdirSync } from "node:fs";
import { get, type IncomingHttpHeaders } from "node:http";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { HASH_PREFIX } from "../../core/index.ts";
import { DEV_KEY, startTopology, type Topology } from "../../scripts/local-topology.ts";
import { newSecrets, relaySecrets } from "../../scripts/secrets.ts";
import { devCredentials } from "../../scripts/seed.ts";
import { startTestRelay, type TestRelay } from "../relay-contract/harness.ts";
import { confirmPayment, draftContract, sendAndSign } from "../support/commands.ts";
import { bytesOf, storedFiles } from "../support/files.ts";
import { client, eventually, login } from "../support/test-region.ts";
import { startTestWorker } from "../support/workerd.ts";

const HASH = "f".repeat(64);

/** A GET with exactly these headers (fetch would add its own Accept-Encoding). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
    }).on("error", reject);
  });
}
const RAW_PHONE = "+86 139 1234 5678";
const RAW_EMAIL = "wang.fang@example-hospital.cn";

describe.each(["direct", "qstash"] as const)("%s bus", (bus) => {
  let topo: Topology;
  let relay: TestRelay | undefined;
  const api = (region: string) => client(topo.url(region), DEV_KEY);
  /** The dev admin's session (audit and state hash need the admin role); every region accepts it. */
  let adminToken: string;
  const admin = (region: string) => client(topo.url(region), adminToken);

  beforeAll(async () => {
    let vars: Record<string, string> = {};
    // The relay's generated token and signing keys, shared with the regions.
    const relayKeys = relaySecrets(newSecrets());
    if (bus === "qstash") {
      relay = await startTestRelay({
        token: relayKeys.QSTASH_TOKEN,
        currentSigningKey: relayKeys.QSTASH_CURRENT_SIGNING_KEY,
        nextSigningKey: relayKeys.QSTASH_NEXT_SIGNING_KEY,
      });
      vars = { REPLICATION_BUS: "qstash", QSTASH_URL: relay.url };
    }
    topo = await startTopology(["cn-east", "cn-south", "eu-central"], {
      vars,
      secrets: relayKeys,
    });
    const dev = devCredentials();
    adminToken = await login(topo.url("cn-east"), {
      email: dev.adminEmail,
      password: dev.adminPassword,
    });
  }, 120_000);

  afterAll(async () => {
    await topo?.stop();
    await relay?.stop();
  });

  let seq = 0;
  const taxId = () => `91320000MB${Date.now().toString(36).toUpperCase()}${seq++}`;

  async function signedContract(region: string) {
    const customer = await api(region)("POST", "/v1/customers", {
      name: "南京测试",
      taxId: taxId(),
      residency: "cn",
    });
    const contract = await draftContract(api(region), customer.body.id, 9_000_000, HASH);
    const id = contract.body.id as string;
    const [, signed] = await sendAndSign(api(region), id, HASH);
    expect(signed!.status).toBe(201);
    return { customerId: customer.body.id as string, contractId: id };
  }

  /** A CN customer created in cn-east whose contact has the raw phone and e-mail. */
  const cnCustomerWithContact = (name: string, contact: string) =>
    api("cn-east")("POST", "/v1/customers", {
      name,
      taxId: taxId(),
      residency: "cn",
      contacts: [{ name: contact, phone: RAW_PHONE, email: RAW_EMAIL }],
    });

  /** Every file under a region's storage (libSQL database and Durable Object SQLite files). */
  function storageBytes(region: string): Buffer {
    const dir = topo.dataDir(region);
    const libsql = readdirSync(dir).filter((name) => name.startsWith("libsql.db"));
    return bytesOf([...storedFiles(join(dir, "wrangler")), ...libsql.map((n) => join(dir, n))]);
  }

  async function stateHashes(as: string) {
    const regions = ["cn-east", "cn-south", "eu-central"];
    return Promise.all(
      regions.map(async (r) => (await admin(r)("GET", `/v1/admin/state-hash?as=${as}`)).body),
    );
  }

  describe("[LF3] replication between regions", () => {
    test("a customer created in cn-east is in cn-south with every field within 2 s", async () => {
      const created = await cnCustomerWithContact("上海瑞金测试医院", "王芳");
      expect(created.status).toBe(201);
      expect(created.headers.get("lifeline-durability")).toBe("region");
      const started = Date.now();
      const replica = await eventually(async () => {
        const r = await api("cn-south")("GET", `/v1/customers/${created.body.id}`);
        return r.status === 200 ? r.body : undefined;
      }, 2_000);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(replica).toEqual(created.body);
    });

    test("[LF4] eu-central holds only the masked projection, in its DO and its libSQL", async () => {
      const created = await cnCustomerWithContact("北京协和测试", "李雷");
      const masked = await eventually(async () => {
        const r = await api("eu-central")("GET", `/v1/customers/${created.body.id}`);
        return r.status === 200 ? r.body : undefined;
      }, 5_000);
      expect(masked.contacts[0].phone).not.toBe(RAW_PHONE);
      expect(masked.contacts[0].email).not.toBe(RAW_EMAIL);
      expect(masked.taxId).not.toBe(created.body.taxId);
      await eventually(async () => {
        const r = await api("eu-central")(
          "GET",
          `/v1/customers?q=${encodeURIComponent("北京协和测试")}`,
        );
        return r.body.items?.length === 1 ? true : undefined;
      }, 5_000);
      const bytes = storageBytes("eu-central");
      for (const raw of [RAW_PHONE, RAW_EMAIL, created.body.taxId as string, "李雷"]) {
        expect(bytes.includes(Buffer.from(raw, "utf8")), `eu-central storage holds ${raw}`).toBe(
          false,
        );
      }
      // …while cn-south, inside the jurisdiction, holds the raw values.
      await eventually(
        async () => (storageBytes("cn-south").includes(Buffer.from(RAW_EMAIL)) ? true : undefined),
        5_000,
      );
      if (relay) {
        // [LF4] the relay is a third party: it carried cn-east → cn-south batches with the
        // raw values, sealed end to end, so its storage holds none of them.
        const relayBytes = bytesOf(storedFiles(dirname(relay.dataPath)));
        expect(relayBytes.length).toBeGreaterThan(0);
        for (const raw of [RAW_PHONE, RAW_EMAIL, created.body.taxId as string, "李雷"]) {
          expect(relayBytes.includes(Buffer.from(raw, "utf8")), `relay storage holds ${raw}`).toBe(
            false,
          );
        }
      }
    });

    test("[LF4] a tenant's own field policy decides what crosses the border", async () => {
      const strictKey = "lk_test_strict_tenant_1";
      for (const region of ["cn-east", "cn-south", "eu-central"]) {
        const res = await fetch(`${topo.url(region)}/__local/seed`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "lifeline-local-admin": topo.localAdminSecret,
          },
          body: JSON.stringify({
            tenant: {
              id: "ten_strict",
              name: "Strict Co",
              fieldPolicy: {
                "contact.email": { restricted: true, action: "omit" },
                "contact.phone": { restricted: true, action: "hash" },
                "contact.name": { restricted: true, action: "mask" },
              },
            },
            apiKeys: [{ id: "key_strict", name: "test", key: strictKey }],
            users: [],
          }),
        });
        expect(res.status).toBe(204);
      }
      const strict = (region: string) => client(topo.url(region), strictKey);
      const created = await strict("cn-east")("POST", "/v1/customers", {
        name: "严格客户",
        residency: "cn",
        contacts: [{ name: "周七", phone: RAW_PHONE, email: RAW_EMAIL }],
      });
      expect(created.status).toBe(201);
      const copy = await eventually(async () => {
        const r = await strict("eu-central")("GET", `/v1/customers/${created.body.id}`);
        return r.status === 200 ? r.body : undefined;
      }, 5_000);
      expect(copy.contacts[0].email).toBeUndefined();
      expect(copy.contacts[0].phone).toMatch(new RegExp(`^${HASH_PREFIX}`));
      expect(copy.contacts[0].name).not.toBe("周七");
    });

    test("[LF7] each cross-border transfer is in cn-east's audit chain, which verifies", async () => {
      // Checkpoints are handed to cn-south on an alarm after appends: wait until it holds one.
      const res = await eventually(async () => {
        const r = await admin("cn-east")("GET", "/v1/audit/verify");
        return r.body?.checkpoints?.every((c: { state: string }) => c.state === "checked")
          ? r
          : undefined;
      }, 15_000);
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.tenantEntries).toBeGreaterThan(0);
    });

    test("[LF2] the same tax id created concurrently in cn-east and cn-south is one customer everywhere", async () => {
      const id = taxId();
      const [a, b] = await Promise.all([
        api("cn-east")("POST", "/v1/customers", {
          name: "Concurrent A",
          taxId: id,
          residency: "cn",
        }),
        api("cn-south")("POST", "/v1/customers", {
          name: "Concurrent B",
          taxId: id,
          residency: "cn",
        }),
      ]);
      expect(a.body.id).toBe(b.body.id);
      const names = await eventually(async () => {
        const [x, y] = await Promise.all([
          api("cn-east")("GET", `/v1/customers/${a.body.id}`),
          api("cn-south")("GET", `/v1/customers/${a.body.id}`),
        ]);
        return x.body.name === y.body.name ? x.body.name : undefined;
      });
      expect(["Concurrent A", "Concurrent B"]).toContain(names);
    });

    test("[LF2] one payment reference confirmed in cn-east and cn-south counts once", async () => {
      const { contractId } = await signedContract("cn-east");
      await eventually(async () =>
        (await api("cn-south")("GET", `/v1/contracts/${contractId}`)).body?.status === "signed"
          ? true
          : undefined,
      );
      const payment = {
        contractId,
        reference: "CMB-7788",
        amount: { value: 1_000_000, currency: "CNY" },
      };
      const [p1, p2] = await Promise.all([
        api("cn-east")("POST", "/v1/payments", payment),
        api("cn-south")("POST", "/v1/payments", payment),
      ]);
      expect([p1.status, p2.status].sort()).toEqual(expect.arrayContaining([201]));
      for (const region of ["cn-east", "cn-south"]) {
        await eventually(async () => {
          const c = await api(region)("GET", `/v1/contracts/${contractId}`);
          return c.body.payments.length === 1 && c.body.paid.value === 1_000_000 ? true : undefined;
        });
      }
    });

    test("[LF2] a retry with the same Idempotency-Key in the other region of the jurisdiction replays the first answer", async () => {
      const key = `failover-${bus}-${Date.now()}`;
      const body = { name: "Failover Retry Co", residency: "cn" };
      const first = await api("cn-east")("POST", "/v1/customers", body, { "idempotency-key": key });
      expect(first.status).toBe(201);
      await eventually(async () =>
        (await api("cn-south")("GET", `/v1/customers/${first.body.id}`)).status === 200
          ? true
          : undefined,
      );
      // The client failed over: the same request, the same key, the other region.
      const retry = await api("cn-south")("POST", "/v1/customers", body, {
        "idempotency-key": key,
      });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(retry.text).toBe(first.text);
      expect(retry.headers.get("location")).toBe(first.headers.get("location"));
      // Another body under the key is refused there too, as it would be in cn-east.
      const other = await api("cn-south")(
        "POST",
        "/v1/customers",
        { ...body, name: "Other" },
        {
          "idempotency-key": key,
        },
      );
      expect(other.status).toBe(422);
    });

    test("[LF4] a write for a cn account sent to eu-central is refused with the right regions", async () => {
      const res = await api("eu-central")("POST", "/v1/customers", {
        name: "Wrong Place",
        residency: "cn",
      });
      expect(res.status).toBe(409);
      expect(res.body.type).toBe("urn:lifeline:problem:wrong-jurisdiction");
      expect(res.headers.get("lifeline-jurisdiction")).toBe("cn");
      expect(res.body.regions.map((r: { region: string }) => r.region).sort()).toEqual([
        "cn-east",
        "cn-south",
      ]);
    });

    test("a replication delivery with a bad signature is rejected", async () => {
      const res = await fetch(`${topo.url("cn-south")}/v1/replication/events`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "lifeline-key-id": "k1",
          "lifeline-timestamp": String(Date.now()),
          "lifeline-signature": "0".repeat(64),
        },
        body: JSON.stringify({
          v: 1,
          from: "cn-east",
          to: "cn-south",
          sentAt: new Date().toISOString(),
          masked: false,
          events: [],
        }),
      });
      expect(res.status).toBe(401);
    });

    test("[LF3] after the scenarios every region agrees on every view", async () => {
      for (const as of ["cn-east", "cn-south", "eu-central"]) {
        await eventually(async () => {
          const views = await stateHashes(as);
          const holder = views.find((v) => v.region === as)!;
          const agree = views.every((v) =>
            Object.entries(v.accounts as Record<string, { hash?: string }>).every(
              ([id, a]) => a.hash === undefined || a.hash === holder.accounts[id]?.hash,
            ),
          );
          const complete = views.every((v) => v.count === holder.count);
          return agree && complete ? true : undefined;
        }, 10_000);
      }
    });
  });

  describe("[LF1] region loss", () => {
    test("a region-survival payment acknowledged by cn-east survives its SIGKILL; cn-east restarts and converges", async () => {
      const { contractId } = await signedContract("cn-east");
      const pay = await confirmPayment(api("cn-east"), contractId, "SURVIVE-1", 42);
      expect(pay.status).toBe(201);
      expect(pay.headers.get("lifeline-durability")).toBe("region");
      await topo.kill("cn-east");
      const held = await api("cn-south")("GET", `/v1/contracts/${contractId}`);
      expect(held.body.payments.map((p: { reference: string }) => p.reference)).toContain(
        "SURVIVE-1",
      );
      // …and reaches eu-central (masked) while cn-east is still dead: cn-south forwards it.
      await eventually(async () => {
        const eu = await api("eu-central")("GET", `/v1/contracts/${contractId}`);
        return eu.body?.payments?.some((p: { reference: string }) => p.reference === "SURVIVE-1")
          ? true
          : undefined;
      }, 10_000);
      await topo.restart("cn-east");
      await eventually(async () => {
        const [east, south] = await Promise.all([
          admin("cn-east")("GET", "/v1/admin/state-hash"),
          admin("cn-south")("GET", "/v1/admin/state-hash?as=cn-east"),
        ]);
        return east.body.hash === south.body.hash ? true : undefined;
      }, 15_000);
    }, 90_000);

    test("[LF1] a strict payment with its jurisdiction peer down is a 503, and the same key completes once the peer is back", async () => {
      const { contractId } = await signedContract("cn-east");
      await topo.kill("cn-south");
      const payment = { contractId, reference: "STRICT-1", amount: { value: 9, currency: "CNY" } };
      const key = { "idempotency-key": `strict-${Date.now()}` };
      const refused = await api("cn-east")("POST", "/v1/payments", payment, key);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("1");
      expect(refused.body.type).toBe("urn:lifeline:problem:region-durability-unavailable");
      await topo.restart("cn-south");
      const completed = await api("cn-east")("POST", "/v1/payments", payment, key);
      expect(completed.status).toBe(201);
      expect(completed.headers.get("lifeline-durability")).toBe("region");
      const held = await api("cn-south")("GET", `/v1/contracts/${contractId}`);
      expect(held.body.payments.map((p: { reference: string }) => p.reference)).toEqual([
        "STRICT-1",
      ]);
    }, 90_000);
  });

  describe("through the router", () => {
    test("[LF4] the router places each account in its jurisdiction and its answers are readable JSON", async () => {
      const router = await startTestWorker({
        config: "workers/router/wrangler.toml",
        bindings: { REGIONS: topo.regions },
      });
      try {
        const base = router.url;
        const viaRouter = client(base, DEV_KEY);
        const eu = await viaRouter("POST", "/v1/customers", {
          name: "Wien Klinik",
          residency: "eu",
        });
        expect(eu.status).toBe(201);
        expect(eu.headers.get("lifeline-routed-to")).toBe("eu-central");
        const contract = await draftContract(viaRouter, eu.body.id, 100_000, HASH, "EUR");
        expect(contract.status).toBe(201);
        expect(contract.headers.get("lifeline-routed-to")).toBe("eu-central");
        // A client that asks for no compression gets none (the router must not pass on the
        // region's Content-Encoding for a body fetch() already decoded).
        // node:http sends no Accept-Encoding at all, as curl does.
        const plain = await rawGet(`${base}/v1/customers/${eu.body.id}`, {
          authorization: `Bearer ${DEV_KEY}`,
        });
        expect(plain.headers["content-encoding"]).toBeUndefined();
        expect(JSON.parse(plain.body).id).toBe(eu.body.id);
        const cn = await viaRouter(
          "POST",
          "/v1/customers",
          { name: "杭州", residency: "cn" },
          { "lifeline-region": "cn-south" },
        );
        expect(cn.headers.get("lifeline-routed-to")).toBe("cn-south");
      } finally {
        await router.dispose();
      }
    }, 60_000);
  });
});
