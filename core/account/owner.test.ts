// The owning rep of a customer is a last-writer-wins register [LF3]: set by a creation that
// names one and by an admin's reassignment, joined by HLC in any order, duplicated or
// early, into one owner on every region (the join laws are merge.test.ts's, over events
// that name owners; here, which owner wins, and the named cases); and it crosses borders
// as it is [LF4].
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { canonicalJson } from "../encoding.ts";
import type { DomainEvent, EventData } from "../events.ts";
import { encodeHlc } from "../hlc.ts";
import { checkRemoteEvent } from "../replication.ts";
import { CustomerCreate, CustomerView } from "../schemas.ts";
import { maskEvent, unmaskedFields } from "../sovereignty/mask.ts";
import { DEFAULT_FIELD_POLICY } from "../sovereignty/policy.ts";
import { decide } from "./decide.ts";
import { evolve, replay } from "./evolve.ts";
import { type AccountState, emptyAccount } from "./state.ts";
import { stateHash } from "./state-hash.ts";
import { envelopesFor } from "./test-events.ts";
import { customerView } from "./view.ts";

const TENANT = "ten_demo";
const ACCOUNT = "acc_0123456789ABCDEFGHJKMNPQRS";
const REGIONS = ["cn-east", "cn-south", "eu-central"] as const;
const OWNERS = ["usr_rep_a", "usr_rep_b", "usr_rep_c"] as const;
const T0 = 1_700_000_000_000;

const empty = () => emptyAccount(TENANT, ACCOUNT);
const fold = (events: readonly DomainEvent[]) => replay(empty(), events);

const envelope = envelopesFor(TENANT, ACCOUNT, { kind: "user", id: "usr_admin" });

const hlcAt = (ms: number, region: (typeof REGIONS)[number] = "cn-east", counter = 0) =>
  encodeHlc({ wallMs: T0 + ms, counter, region });

const created = (ownerId?: string): EventData => ({
  type: "customer.created",
  name: "上海测试医疗器械有限公司",
  taxId: null,
  residency: "cn",
  tier: "standard",
  contacts: [{ name: "张三", phone: "13800138000" }],
  ...(ownerId === undefined ? {} : { ownerId }),
});
const assigned = (ownerId: string): EventData => ({ type: "customer.owner-assigned", ownerId });

// Dense in owner events: any at any HLC, even two different ones on one HLC (which real
// clocks never produce), mixed with another fact of the account, so the oracle below is
// put to the ties and the early reassignments the join must settle.
const hlcArb = fc
  .record({
    wall: fc.integer({ min: 0, max: 20 }),
    counter: fc.integer({ min: 0, max: 1 }),
    region: fc.constantFrom(...REGIONS),
  })
  .map((h) => hlcAt(h.wall, h.region, h.counter));
const ownerArb = fc.constantFrom(...OWNERS);
const dataArb: fc.Arbitrary<EventData> = fc.oneof(
  fc.option(ownerArb, { nil: undefined }).map(created),
  ownerArb.map(assigned),
  fc.constantFrom("A", "B").map(
    (title): EventData => ({
      type: "contract.drafted",
      contractId: `ctr_${ACCOUNT.slice(4)}_0123456789ABCDEF`,
      title,
      amount: { value: 100, currency: "CNY" },
      documentHash: "a".repeat(64),
    }),
  ),
);
const eventsArb = fc.array(
  fc.record({ hlc: hlcArb, data: dataArb }).map((e) => envelope(e.hlc, e.data)),
  { maxLength: 16 },
);

/** The owner the events imply, straight from them: the owner-naming event with the greatest HLC. */
function expectedOwner(events: DomainEvent[]): string | null {
  let best: { hlc: string; ownerId: string } | null = null;
  for (const e of events) {
    const ownerId = "ownerId" in e.data ? e.data.ownerId : undefined;
    if (ownerId === undefined) continue;
    const wins =
      best === null ||
      e.hlc > best.hlc ||
      (e.hlc === best.hlc && canonicalJson(ownerId) > canonicalJson(best.ownerId));
    if (wins) best = { hlc: e.hlc, ownerId };
  }
  return best?.ownerId ?? null;
}

describe("[LF3] the owner is a last-writer-wins register by HLC", () => {
  // The join laws with owners in the mix (any order, duplicates, mergeStates) are
  // merge.test.ts's, whose events name owners too; here, which owner the join picks.
  test("[LF3] in any order, the owner is the one named by the event with the greatest HLC; absent while none names one", () => {
    fc.assert(
      fc.property(
        eventsArb.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
        ),
        ([events, permuted]) => {
          const owner = expectedOwner(events);
          const state = fold(permuted);
          expect(state.owner?.value ?? null).toBe(owner);
          expect("owner" in state).toBe(owner !== null);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("[LF3] a different owner is a different state hash; the same events in any order, the same", () => {
    const base = [envelope(hlcAt(1), created("usr_rep_a"))];
    const a = fold([...base, envelope(hlcAt(2), assigned("usr_rep_b"))]);
    const b = fold([...base, envelope(hlcAt(2), assigned("usr_rep_c"))]);
    expect(stateHash(a)).not.toBe(stateHash(b));
    expect(stateHash(fold([envelope(hlcAt(2), assigned("usr_rep_b")), ...base]))).toBe(
      stateHash(a),
    );
  });

  test("[LF3] two concurrent reassignments: the later HLC holds in every region, whatever it heard first", () => {
    const create = envelope(hlcAt(1), created("usr_rep_a"));
    const east = envelope(hlcAt(5, "cn-east"), assigned("usr_rep_b"));
    const south = envelope(hlcAt(7, "cn-south"), assigned("usr_rep_c"));
    expect(customerView(fold([create, east, south]))?.ownerId).toBe("usr_rep_c");
    expect(customerView(fold([create, south, east]))?.ownerId).toBe("usr_rep_c");
  });

  test("[LF3] a reassignment that arrives before its customer is kept, and shows once the customer arrives", () => {
    const early = fold([envelope(hlcAt(5), assigned("usr_rep_b"))]);
    expect(customerView(early)).toBeNull();
    expect(early.owner).toEqual({ value: "usr_rep_b", hlc: hlcAt(5) });
    const complete = evolve(early, envelope(hlcAt(1), created("usr_rep_a")));
    expect(customerView(complete)?.ownerId).toBe("usr_rep_b");
  });

  test("[LF3] a creation that names no owner never clears one named concurrently", () => {
    const owned = envelope(hlcAt(1, "cn-east"), created("usr_rep_a"));
    const anonymous = envelope(hlcAt(2, "cn-south"), created());
    expect(customerView(fold([owned, anonymous]))?.ownerId).toBe("usr_rep_a");
    expect(customerView(fold([anonymous]))?.ownerId).toBeNull();
    // Absent, not null: an account without an owner hashes as before owners existed.
    expect("owner" in fold([anonymous])).toBe(false);
  });
});

describe("deciding ownership", () => {
  const input = CustomerCreate.parse({ name: "Beijing Clinic", residency: "cn" });
  const stamp = (data: EventData[], ms: number) => data.map((d, i) => envelope(hlcAt(ms + i), d));
  /** An admin's reassignment of this account's customer, as `state` decides it. */
  const reassign = (state: AccountState, ownerId: string) =>
    decide(state, { type: "customer.assign-owner", customerId: ACCOUNT, ownerId });

  test("a creation carries the owner it is given, and the view shows it", () => {
    const d = decide(empty(), {
      type: "customer.create",
      input: { ...input, ownerId: "usr_rep_a" },
    });
    expect(d).toMatchObject({
      ok: true,
      events: [{ type: "customer.created", ownerId: "usr_rep_a" }],
    });
    if (!d.ok) return;
    const view = customerView(fold(stamp(d.events, 1)))!;
    expect(view.ownerId).toBe("usr_rep_a");
    expect(CustomerView.safeParse(view).success).toBe(true);
  });

  test("a reassignment is one event, and moves the customer's updatedAt", () => {
    const state = fold(stamp([created("usr_rep_a")], 1));
    const d = reassign(state, "usr_rep_b");
    expect(d).toEqual({
      ok: true,
      events: [{ type: "customer.owner-assigned", ownerId: "usr_rep_b" }],
      target: { kind: "customer", id: ACCOUNT },
      created: false,
    });
    if (!d.ok) return;
    const after = replay(state, stamp(d.events, 50));
    expect(customerView(after)).toMatchObject({
      ownerId: "usr_rep_b",
      createdAt: new Date(T0 + 1).toISOString(),
      updatedAt: new Date(T0 + 50).toISOString(),
    });
  });

  test("[LF2] assigning the current owner again records nothing", () => {
    const state = fold(stamp([created("usr_rep_a")], 1));
    expect(reassign(state, "usr_rep_a")).toEqual({
      ok: true,
      events: [],
      target: { kind: "customer", id: ACCOUNT },
      created: false,
    });
  });

  test("reassigning a customer this region does not hold is not found (a 404: no field)", () => {
    expect(reassign(empty(), "usr_rep_a")).toEqual({
      ok: false,
      error: { code: "not-found", entity: "customer", id: ACCOUNT },
    });
  });
});

describe("[LF4] the owner crosses borders as it is", () => {
  const key = { hashKey: "cn-masking-key-for-tests" };

  test("[LF4] masking keeps ownerId (a staff user id, not the customer's personal data) and masks the rest", () => {
    const event = envelope(hlcAt(1), created("usr_rep_a"));
    const { event: masked, maskedFields } = maskEvent(event, DEFAULT_FIELD_POLICY, key);
    expect(masked.data).toMatchObject({
      ownerId: "usr_rep_a",
      contacts: [{ phone: "138****8000" }],
    });
    expect(maskedFields).toContain("contact.phone");
    const reassigned = envelope(hlcAt(2), assigned("usr_rep_b"));
    expect(maskEvent(reassigned, DEFAULT_FIELD_POLICY, key)).toEqual({
      event: reassigned,
      maskedFields: [],
    });
  });

  test("[LF4][LF8] a reassignment from abroad passes a receiver's checks", () => {
    const event = envelope(hlcAt(2, "cn-east"), assigned("usr_rep_b"));
    expect(unmaskedFields(event, DEFAULT_FIELD_POLICY)).toEqual([]);
    const verdict = checkRemoteEvent(event, {
      from: "cn-east",
      to: "eu-central",
      forwarded: new Set(),
      jurisdictionOf: (r) => (r.startsWith("eu") ? "eu" : r.startsWith("cn") ? "cn" : null),
      tenantKnown: () => true,
      policyOf: () => DEFAULT_FIELD_POLICY,
      nowMs: T0 + 10,
      maxSkewMs: 60_000,
    });
    expect(verdict).toEqual({ ok: true, event });
  });
});
