// [LF3][LF6] Files attached to facts — voucher photos on payments, stroke images on
// signatures — grow beside them: a copy of the fact without its file never removes it, the
// earliest attached is the one shown, and two different files on one fact are one conflict
// record per later file, on every replica, whatever the order [LF4: never abroad].
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { DomainEvent, EventData } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import { accountIdFor, contractIdFor, paymentIdFor } from "../ids.ts";
import { maskEvent, unmaskedFields } from "../sovereignty/mask.ts";
import { DEFAULT_FIELD_POLICY } from "../sovereignty/policy.ts";
import { type Command, decide } from "./decide.ts";
import { evolve, mergeStates, replay } from "./evolve.ts";
import { type AccountState, emptyAccount } from "./state.ts";
import { stateHash } from "./state-hash.ts";
import { envelopesFor } from "./test-events.ts";
import { contractView, paymentViewOf } from "./view.ts";

const TENANT = "ten_demo";
const ID_KEY = "cn-account-id-key-for-tests";
const ACCOUNT = accountIdFor(TENANT, { kind: "taxId", taxId: "91310000MA1FL00T3X", key: ID_KEY });
const CONTRACT = contractIdFor(ACCOUNT, "ctr-1");
const DOC = "a".repeat(64);
const PHOTOS = ["1", "2", "3"].map((x) => x.repeat(64));
const [V1, V2] = PHOTOS as [string, string];
const REGIONS = ["cn-east", "cn-south"] as const;
const T0 = 1_700_000_000_000;

const event = envelopesFor(TENANT, ACCOUNT);
/** An event of `region`, `wall` ms after T0. */
const envelope = (wall: number, region: string, data: EventData) =>
  event(encodeHlc({ wallMs: T0 + wall, counter: 0, region }), data);

/** A customer and a contract signed by the customer (payments may be confirmed). */
const SIGNED: DomainEvent[] = [
  envelope(0, "cn-east", {
    type: "customer.created",
    name: "上海测试",
    taxId: "91310000MA1FL00T3X",
    residency: "cn",
    tier: "standard",
    contacts: [],
  }),
  envelope(1, "cn-east", {
    type: "contract.drafted",
    contractId: CONTRACT,
    title: "Ultrasound",
    amount: { value: 100_000, currency: "CNY" },
    documentHash: DOC,
  }),
  envelope(2, "cn-east", { type: "contract.sent", contractId: CONTRACT, documentHash: DOC }),
  envelope(3, "cn-east", {
    type: "contract.signed",
    contractId: CONTRACT,
    party: "customer",
    signer: { name: "张三" },
    documentHash: DOC,
  }),
];

const fold = (events: readonly DomainEvent[]) => replay(emptyAccount(TENANT, ACCOUNT), events);

/** Decides on `state` in cn-east at `wall` and applies what it decided. */
function run(state: AccountState, command: Command, wall: number) {
  const d = decide(state, command, { accountIdKey: ID_KEY });
  if (!d.ok) return { d, state };
  const events = d.events.map((data, i) => envelope(wall + i, "cn-east", data));
  return { d, state: events.reduce(evolve, state), events };
}

const pay = (voucher?: string): Command => ({
  type: "payment.confirm",
  input: {
    contractId: CONTRACT,
    reference: "ICBC-1",
    amount: { value: 40_000, currency: "CNY" },
    ...(voucher ? { voucher: { sha256: voucher } } : {}),
  },
});
const PAYMENT = paymentIdFor(CONTRACT, "ICBC-1");

const signVendor = (image?: string): Command => ({
  type: "contract.sign",
  contractId: CONTRACT,
  input: {
    party: "vendor",
    signer: { name: "Li Si" },
    documentHash: DOC,
    ...(image ? { image: { sha256: image } } : {}),
  },
});

describe("a voucher on a payment", () => {
  test("is shown with the payment it was confirmed with", () => {
    const { d, state } = run(fold(SIGNED), pay(V1), 10);
    expect(d).toMatchObject({ ok: true, created: true });
    expect(paymentViewOf(state, CONTRACT, PAYMENT)?.voucher).toEqual({ sha256: V1 });
  });

  test("the same payment again without a voucher (or with the same one) changes nothing", () => {
    const first = run(fold(SIGNED), pay(V1), 10).state;
    for (const again of [pay(), pay(V1)]) {
      const { d } = run(first, again, 20);
      expect(d).toEqual({ ok: true, events: [], target: expect.anything(), created: false });
    }
  });

  test("a payment confirmed without one gets it attached later: still one payment, paid once", () => {
    const bare = run(fold(SIGNED), pay(), 10).state;
    const { d, state } = run(bare, pay(V1), 20);
    expect(d).toMatchObject({ ok: true, created: false, events: [{ voucher: { sha256: V1 } }] });
    const view = contractView(state, CONTRACT)!;
    expect(view.payments).toHaveLength(1);
    expect(view.paid.value).toBe(40_000);
    expect(view.payments[0]!.voucher).toEqual({ sha256: V1 });
    expect(view.payments[0]!.confirmedAt).toBe(
      contractView(bare, CONTRACT)!.payments[0]!.confirmedAt,
    );
    expect(view.conflicts).toEqual([]);
  });

  test("a different voucher for a payment that shows one is refused, naming the one shown", () => {
    const first = run(fold(SIGNED), pay(V1), 10).state;
    expect(run(first, pay(V2), 20).d).toEqual({
      ok: false,
      error: { code: "voucher-conflict", existing: V1, field: "voucher.sha256" },
    });
  });
});

describe("a stroke image on a signature", () => {
  test("is bound to the party's signature of the document and shown with it; attached later once", () => {
    const { state } = run(fold(SIGNED), signVendor(V1), 10);
    const vendor = contractView(state, CONTRACT)!.signatures.find((s) => s.party === "vendor")!;
    expect(vendor).toMatchObject({ documentHash: DOC, image: { sha256: V1 } });
    expect(contractView(state, CONTRACT)!.status).toBe("active");
    expect(run(state, signVendor(), 20).d).toMatchObject({ ok: true, events: [] });
    expect(run(state, signVendor(V2), 20).d).toMatchObject({
      ok: false,
      error: { code: "signature-image-conflict", existing: V1, field: "image.sha256" },
    });

    const bare = run(fold(SIGNED), signVendor(), 10).state;
    const attached = run(bare, signVendor(V2), 20);
    expect(attached.d).toMatchObject({ ok: true, created: false });
    const view = contractView(attached.state, CONTRACT)!;
    expect(view.signatures.map((s) => s.image?.sha256 ?? null)).toEqual([null, V2]);
    expect(view.signatures[1]!.signedAt).toBe(
      contractView(bare, CONTRACT)!.signatures[1]!.signedAt,
    );
  });
});

/**
 * Concurrent copies of one payment and one vendor signature, each with a file or none; one
 * event per clock reading (a region's HLC ticks strictly, so one id is one event).
 */
const copiesArb = fc.uniqueArray(
  fc.record({
    fact: fc.constantFrom("payment" as const, "signature" as const),
    region: fc.constantFrom(...REGIONS),
    wall: fc.integer({ min: 10, max: 40 }),
    file: fc.option(fc.constantFrom(...PHOTOS), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 8, selector: (c) => `${c.region}@${c.wall}` },
);

type Copy = { fact: "payment" | "signature"; region: string; wall: number; file?: string };

function copyOf(c: Copy): DomainEvent {
  const file = c.file ? { sha256: c.file } : undefined;
  const data: EventData =
    c.fact === "payment"
      ? {
          type: "payment.confirmed",
          paymentId: PAYMENT,
          contractId: CONTRACT,
          reference: "ICBC-1",
          amount: { value: 40_000, currency: "CNY" },
          receivedAt: null,
          ...(file ? { voucher: file } : {}),
        }
      : {
          type: "contract.signed",
          contractId: CONTRACT,
          party: "vendor",
          signer: { name: "Li Si" },
          documentHash: DOC,
          ...(file ? { image: file } : {}),
        };
  return envelope(c.wall, c.region, data);
}

/** Distinct files of one fact, earliest attached first: (HLC, event id), as the state orders. */
function attachedInOrder(events: DomainEvent[], fact: "payment" | "signature"): string[] {
  const files: string[] = [];
  for (const e of [...events].sort((a, b) => (a.hlc < b.hlc ? -1 : a.hlc > b.hlc ? 1 : 0))) {
    const d = e.data;
    const file =
      fact === "payment"
        ? d.type === "payment.confirmed" && d.voucher?.sha256
        : d.type === "contract.signed" && d.party === "vendor" && d.image?.sha256;
    if (file && !files.includes(file)) files.push(file);
  }
  return files;
}

describe("[LF3][LF6] files merge grow-only, in any order", () => {
  test("[LF3][LF6] any order and duplication: one state; the earliest file shown; each later distinct file one conflict", () => {
    fc.assert(
      fc.property(
        copiesArb.chain((cs) => {
          const events = cs.map(copyOf);
          return fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length }),
          );
        }),
        ([events, shuffled]) => {
          const a = fold([...SIGNED, ...events]);
          const b = fold([...shuffled, ...SIGNED, ...shuffled.slice(0, 2)]);
          expect(stateHash(b)).toBe(stateHash(a));
          const split = Math.floor(events.length / 2);
          const merged = mergeStates(
            fold([...SIGNED, ...events.slice(0, split)]),
            fold(events.slice(split)),
          );
          expect(stateHash(merged)).toBe(stateHash(a));

          const view = contractView(a, CONTRACT)!;
          const vouchers = attachedInOrder(events, "payment");
          const images = attachedInOrder(events, "signature");
          const payment = view.payments.find((p) => p.id === PAYMENT);
          expect(payment?.voucher?.sha256).toBe(vouchers[0]);
          expect(view.signatures.find((s) => s.party === "vendor")?.image?.sha256).toBe(images[0]);
          expect(view.paid.value).toBe(payment ? 40_000 : 0);
          // Each record: the file shown, then the one set aside.
          const conflicts = (kind: string) =>
            view.conflicts
              .filter((c) => c.kind === kind)
              .map((c) => c.facts.map((f) => /[0-9a-f]{64}/.exec(JSON.stringify(f.value))![0]));
          expect(conflicts("payment-voucher").sort()).toEqual(
            vouchers
              .slice(1)
              .map((v) => [vouchers[0], v])
              .sort(),
          );
          expect(conflicts("signature-image").sort()).toEqual(
            images
              .slice(1)
              .map((v) => [images[0], v])
              .sort(),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  test("[LF3] a contract holds no file members until a file is attached (absent, never empty)", () => {
    const members = (state: AccountState) => Object.keys(state.contracts[CONTRACT]!).sort();
    const bare = ["id", "payments", "sent", "signatures", "terms", "title", "updatedHlc"].sort();
    expect(members(fold(SIGNED))).toEqual(bare);
    // A payment and a signature without files add none either.
    const unfiled = [
      copyOf({ fact: "payment", region: "cn-east", wall: 10 }),
      copyOf({ fact: "signature", region: "cn-east", wall: 11 }),
    ];
    expect(members(fold([...SIGNED, ...unfiled]))).toEqual(bare);
    // A voucher adds its member only.
    const voucher = copyOf({ fact: "payment", region: "cn-south", wall: 12, file: V1 });
    expect(members(fold([...SIGNED, ...unfiled, voucher]))).toEqual([...bare, "vouchers"].sort());
  });
});

describe("[LF4] files never leave their jurisdiction, not even by hash", () => {
  const attachedEvents = [
    copyOf({ fact: "payment", region: "cn-east", wall: 10, file: V1 }),
    copyOf({ fact: "signature", region: "cn-south", wall: 11, file: V2 }),
  ];
  const KEY = "cn-masking-key-for-tests";
  const mask = (e: DomainEvent) => maskEvent(e, DEFAULT_FIELD_POLICY, { hashKey: KEY });

  test("[LF4] the masked copy drops voucher and image, says so, and is caught if it does not", () => {
    const [paid, signed] = attachedEvents.map(mask);
    expect(paid!.event.data).not.toHaveProperty("voucher");
    expect(paid!.maskedFields).toEqual(["payment.voucher"]);
    expect(signed!.event.data).not.toHaveProperty("image");
    expect(signed!.maskedFields).toEqual(["signature.image", "signer.name"]);
    expect(mask(paid!.event).event).toEqual(paid!.event);
    expect(unmaskedFields(attachedEvents[0]!, DEFAULT_FIELD_POLICY)).toEqual(["payment.voucher"]);
    expect(unmaskedFields(attachedEvents[1]!, DEFAULT_FIELD_POLICY)).toContain("signature.image");
    expect(unmaskedFields(paid!.event, DEFAULT_FIELD_POLICY)).toEqual([]);
  });

  test("[LF3] abroad, the masked state hashes as home computes it, and shows the payment without its file", () => {
    const journal = [...SIGNED, ...attachedEvents];
    const home = fold(journal.map((e) => mask(e).event));
    const abroad = fold([...journal].reverse().map((e) => mask(e).event));
    expect(stateHash(abroad)).toBe(stateHash(home));
    const view = contractView(abroad, CONTRACT)!;
    expect(view.payments[0]).not.toHaveProperty("voucher");
    expect(view.signatures.every((s) => s.image === undefined)).toBe(true);
    expect(view.paid.value).toBe(40_000);
    expect(JSON.stringify(abroad)).not.toContain(V1);
    expect(JSON.stringify(abroad)).not.toContain(V2);
  });
});
