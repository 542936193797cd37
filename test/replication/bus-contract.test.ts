import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  accountIdFor,
  ContractCreate,
  CustomerCreate,
  type DomainEvent,
  type OutgoingBatch,
} from "../../core/index.ts";
import type { ReplicationBus } from "../../replication/bus.ts";
import { DirectBus } from "../../replication/direct-bus.ts";
import { QstashBus } from "../../replication/qstash-bus.ts";
import { sealRingOf } from "../../replication/seal.ts";
import {
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
  startTestRelay,
  type TestRelay,
} from "../relay-contract/harness.ts";
import { journalOf, TEST_ACCOUNT_ID_KEY } from "../support/journal.ts";
import {
  ADMIN,
  client,
  DEMO_KEY,
  eventually,
  login,
  startTestRegion,
  type TestRegion,
} from "../support/test-region.ts";

const REPLICATION_KEYS = {
  k1: "old-key-still-accepted-0123456789-rotation",
  k2: "current-key-0123456789abcdef-0123456789",
};
const ring = (current: string, keys: Record<string, string>) => ({
  current,
  keys: new Map(Object.entries(keys)),
});
const SEAL_KEYS = JSON.stringify({
  "cn|cn": { current: "s1", keys: { s1: Buffer.alloc(32, 7).toString("base64url") } },
});
const senderSeal = () =>
  sealRingOf({
    REGIONS: JSON.stringify([
      SENDER,
      { region: "cn-south", jurisdiction: "cn", url: "http://127.0.0.1:9" },
    ]),
    JURISDICTION: "cn",
    RELAY_SEAL_KEYS: SEAL_KEYS,
  });
const SENDER = { region: "cn-east", jurisdiction: "cn", url: "http://127.0.0.1:9" };
const HASH = "9".repeat(64);

let relay: TestRelay;
let receiver: TestRegion;

beforeAll(async () => {
  relay = await startTestRelay({ timeScale: 0.0005 });
  receiver = await startTestRegion("cn-south", {
    peers: [SENDER],
    bindings: {
      REPLICATION_KEYS: JSON.stringify(REPLICATION_KEYS),
      REPLICATION_KEY_ID: "k2",
      QSTASH_CURRENT_SIGNING_KEY: DEV_CURRENT_SIGNING_KEY,
      QSTASH_NEXT_SIGNING_KEY: DEV_NEXT_SIGNING_KEY,
      RELAY_SEAL_KEYS: SEAL_KEYS,
    },
  });
}, 60_000);

afterAll(async () => {
  await receiver?.stop();
  await relay?.stop();
});

let n = 0;
/** A customer with a drafted contract, as events cn-east would have journaled. */
function accountEvents(): { accountId: string; contractId: string; events: DomainEvent[] } {
  const taxId = `91440000BUS${Date.now()}${n++}`;
  const acc = accountIdFor("ten_demo", { kind: "taxId", taxId, key: TEST_ACCOUNT_ID_KEY });
  const { events, targets } = journalOf("cn-east", "ten_demo", acc, [
    {
      type: "customer.create",
      input: CustomerCreate.parse({ name: `Bus ${n}`, taxId, residency: "cn" }),
    },
    {
      type: "contract.create",
      seed: `seed-${n}`,
      input: ContractCreate.parse({
        customerId: acc,
        title: "Bus",
        amount: { value: 5, currency: "CNY" },
        documentHash: HASH,
      }),
    },
  ]);
  return { accountId: acc, contractId: targets[1]!.id, events };
}

const batchOf = (events: DomainEvent[]): OutgoingBatch => ({
  v: 1,
  from: "cn-east",
  to: "cn-south",
  sentAt: new Date().toISOString(),
  events,
});

const peer = () => ({ region: "cn-south", jurisdiction: "cn", url: receiver.url });
const api = () => client(receiver.url, DEMO_KEY);
/** The state hash needs the admin role. */
const admin = async () => client(receiver.url, await login(receiver.url, ADMIN));

const buses: Array<[string, () => ReplicationBus]> = [
  ["direct", () => new DirectBus(ring("k2", REPLICATION_KEYS), 5_000)],
  ["qstash", () => new QstashBus({ baseUrl: relay.url, token: DEV_TOKEN }, senderSeal())],
];

describe.each(buses)("%s bus", (_name, makeBus) => {
  test("[LF3] a sent batch is merged by the peer", async () => {
    const { accountId, contractId, events } = accountEvents();
    await makeBus().send(peer(), batchOf(events));
    const contract = await eventually(async () => {
      const r = await api()("GET", `/v1/contracts/${contractId}`);
      return r.status === 200 ? r.body : undefined;
    });
    expect(contract.customerId).toBe(accountId);
    expect((await api()("GET", `/v1/customers/${accountId}`)).status).toBe(200);
  });

  test("[LF2] the same batch sent twice is applied once", async () => {
    const { accountId, events } = accountEvents();
    const bus = makeBus();
    await bus.send(peer(), batchOf(events));
    await bus.send(peer(), { ...batchOf(events), sentAt: new Date(Date.now() + 1).toISOString() });
    const hash = await eventually(async () => {
      const r = await (await admin())("GET", "/v1/admin/state-hash");
      return r.body.accounts?.[accountId]?.hash as string | undefined;
    });
    // Re-deliver once more and check the account's state did not change.
    await bus.send(peer(), batchOf(events));
    await new Promise((r) => setTimeout(r, 300));
    expect(
      (await (await admin())("GET", "/v1/admin/state-hash")).body.accounts[accountId].hash,
    ).toBe(hash);
  });

  test("[LF3] batches that arrive out of order still merge to the whole account", async () => {
    const { contractId, events } = accountEvents();
    const bus = makeBus();
    await bus.send(peer(), batchOf([events[1]!]));
    await bus.send(peer(), batchOf([events[0]!]));
    await eventually(async () => {
      const r = await api()("GET", `/v1/contracts/${contractId}`);
      return r.status === 200 && r.body.title === "Bus" ? true : undefined;
    });
  });
});

describe("signatures", () => {
  test("a direct delivery signed with an unknown key or a tampered body is rejected", async () => {
    const { events } = accountEvents();
    const forged = new DirectBus(
      ring("k3", { k3: "not-a-key-the-peer-knows-0000000000000" }),
      5_000,
    );
    await expect(forged.send(peer(), batchOf(events))).rejects.toThrow(/HTTP 401/);
    const rotatedOut = new DirectBus(ring("k1", REPLICATION_KEYS), 5_000);
    await expect(rotatedOut.send(peer(), batchOf(events))).resolves.toBeUndefined();
  });

  test("a QStash delivery with a bad signature is rejected by the Receiver", async () => {
    const body = JSON.stringify(batchOf(accountEvents().events));
    const res = await fetch(`${receiver.url}/v1/replication/qstash`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "upstash-signature": "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJVcHN0YXNoIn0.bad",
      },
      body,
    });
    expect(res.status).toBe(401);
  });
});

describe("qstash bus durability", () => {
  test("a batch published while the peer is down survives a relay restart and is delivered", async () => {
    const { contractId, events } = accountEvents();
    await receiver.stopWorker();
    await new QstashBus({ baseUrl: relay.url, token: DEV_TOKEN }, senderSeal()).send(
      peer(),
      batchOf(events),
    );
    await relay.restart({ port: relay.relay.port });
    await receiver.startWorker();
    const contract = await eventually(async () => {
      const r = await api()("GET", `/v1/contracts/${contractId}`);
      return r.status === 200 ? r.body : undefined;
    }, 20_000);
    expect(contract.title).toBe("Bus");
  }, 60_000);
});
