// The state hash compares replicas across deployments [LF3]: a state whose shape did not
// change hashes as it always did. Pinned here for an account with none of what came later
// (an owner, attached files): these hashes are the ones lifeline.account-state.v1 gave
// before owners and files existed, so a region that has not been upgraded yet still
// agrees with one that has.
import { describe, expect, test } from "vitest";
import { encodeHlc } from "../hlc.ts";
import { contractIdFor, paymentIdFor } from "../ids.ts";
import { replay } from "./evolve.ts";
import { emptyAccount } from "./state.ts";
import { STATE_HASH_VERSION, stateHash } from "./state-hash.ts";
import { envelopesFor } from "./test-events.ts";

const TENANT = "ten_demo";
const ACCOUNT = "acc_0123456789ABCDEFGHJKMNPQRS";
const CONTRACT = contractIdFor(ACCOUNT, "ctr-1");
const PAYMENT = paymentIdFor(CONTRACT, "BANK-1");
const DOC = "a".repeat(64);
const T0 = 1_700_000_000_000;
const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "user", id: "usr_rep" });
const at = (ms: number, region = "cn-east") => encodeHlc({ wallMs: T0 + ms, counter: 0, region });
const paid = (value: number) => ({
  type: "payment.confirmed" as const,
  paymentId: PAYMENT,
  contractId: CONTRACT,
  reference: "BANK-1",
  amount: { value, currency: "CNY" },
  receivedAt: null,
});

/** A customer, a contract sent and signed, and one payment confirmed twice with two amounts. */
const EVENTS = [
  envelope(at(1), {
    type: "customer.created",
    name: "上海测试医疗器械有限公司",
    taxId: null,
    residency: "cn",
    tier: "key",
    contacts: [{ name: "张三", phone: "13800138000" }],
  }),
  envelope(at(2), {
    type: "contract.drafted",
    contractId: CONTRACT,
    title: "Annual service",
    amount: { value: 100_000, currency: "CNY" },
    documentHash: DOC,
  }),
  envelope(at(3), { type: "contract.sent", contractId: CONTRACT, documentHash: DOC }),
  envelope(at(4, "cn-south"), {
    type: "contract.signed",
    contractId: CONTRACT,
    party: "customer",
    signer: { name: "张三" },
    documentHash: DOC,
  }),
  envelope(at(5), paid(40_000)),
  envelope(at(6, "cn-south"), paid(60_000)),
];

const hashOf = (events: typeof EVENTS) => stateHash(replay(emptyAccount(TENANT, ACCOUNT), events));

describe("[LF3] state hashes of accounts without owners or files are v1's", () => {
  test("the version is still v1", () => {
    expect(STATE_HASH_VERSION).toBe("lifeline.account-state.v1");
  });

  test.each([
    ["an empty account", [], "b2ef5add5a5821965ca6c740331301e51cf283dc4a925bb47ab315a1748db875"],
    [
      "a contract, its signature and a conflicting payment, before their customer",
      EVENTS.slice(1),
      "66ae0ea7bbc53e9ce08088362a884736406b7dd56f0778d8132b144c59f8b209",
    ],
    [
      "the whole account",
      EVENTS,
      "d957feacba568c8c5ad6edadffe5d98705751a9bff8a71063e1f9c3b17b4ba5a",
    ],
  ])("%s hashes as before", (_, events, hash) => {
    expect(hashOf(events)).toBe(hash);
    expect(hashOf([...events].reverse())).toBe(hash);
  });

  test("naming an owner changes the hash: the owner is part of the state once there is one", () => {
    const owned = EVENTS.map((e, i) =>
      i === 0 && e.data.type === "customer.created"
        ? { ...e, data: { ...e.data, ownerId: "usr_rep" } }
        : e,
    );
    expect(hashOf(owned)).not.toBe(hashOf(EVENTS));
  });
});

describe("[LF3] engagement facts are absent while empty", () => {
  const USER = "pus_0123456789ABCDEFGHJKMNPQRS";
  const PORTAL = [
    envelope(at(1), {
      type: "customer.created",
      name: "Clinic",
      taxId: null,
      residency: "cn",
      tier: "key",
      contacts: [],
    }),
    envelope(at(2), {
      type: "portal-user.invited",
      userId: USER,
      email: "anna@example.cn",
      name: "Anna",
      invitationHash: "a".repeat(64),
      invitationExpiresAt: "2026-03-08T00:00:00.000Z",
    }),
    envelope(at(3), {
      type: "portal-user.activated",
      userId: USER,
      invitationHash: "a".repeat(64),
      passwordHash: "pbkdf2-sha256$1$a$b",
    }),
  ];
  /** Pinned before active days and call sentiment existed. */
  const BEFORE = "55b2fc971d3756c687b29265ae349e26e7e2e9cb749a6bc5fa95fb9c5642647c";

  test("a portal user who never used the portal, on an account without call sentiment, hashes as before", () => {
    expect(hashOf(PORTAL)).toBe(BEFORE);
  });

  test("a day of portal use or a call's sentiment is part of the state once there is one", () => {
    const active = envelope(at(4), { type: "portal-user.active", userId: USER, day: "2023-11-15" });
    const call = envelope(at(5), {
      type: "call.sentiment-recorded",
      insightId: `ins_cn-east_${"0".repeat(32)}`,
      at: "2023-11-15T01:00:00.000Z",
      transcriptHash: "c".repeat(64),
      score: 0.5,
      utterances: 3,
    });
    const hashes = new Set([BEFORE, hashOf([...PORTAL, active]), hashOf([...PORTAL, call])]);
    expect(hashes.size).toBe(3);
  });

  test("days and calls beyond what the account keeps leave no trace in the hash", () => {
    const DAY = 86_400_000;
    const day = (d: number) => new Date(T0 + d * DAY).toISOString().slice(0, 10);
    const noted = (d: number) => [
      envelope(at(10 + d), { type: "portal-user.active", userId: USER, day: day(d) }),
      envelope(at(11 + d), {
        type: "call.sentiment-recorded",
        insightId: `ins_cn-east_${d.toString(16).padStart(32, "0")}`,
        at: new Date(T0 + d * DAY).toISOString(),
        transcriptHash: d.toString(16).padStart(64, "0"),
        score: 0.25,
        utterances: 2,
      }),
    ];
    // Days 0–4 fall 60 days (portal) and 120 days (calls) behind the newest, day 300.
    const recent = [250, 280, 300].flatMap(noted);
    const old = [0, 1, 2, 3, 4].flatMap(noted);
    expect(hashOf([...PORTAL, ...old, ...recent])).toBe(hashOf([...PORTAL, ...recent]));
    expect(hashOf([...PORTAL, ...recent, ...old])).toBe(hashOf([...PORTAL, ...recent]));
    // The same facts within the horizon are held, and hashed.
    expect(hashOf([...PORTAL, ...noted(299), ...recent])).not.toBe(hashOf([...PORTAL, ...recent]));
  });
});
