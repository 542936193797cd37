// The versioned replication wire message and its signature.
import { createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { DomainEvent } from "./events.ts";
import { encodeHlc } from "./hlc.ts";
import { accountIdFor } from "./ids.ts";
import {
  batchSignature,
  hmacSha256Hex,
  MAX_BATCH_EVENTS,
  ReplicationBatchV1,
  verifyBatchSignature,
} from "./replication.ts";

const accountId = accountIdFor("ten_demo", {
  kind: "taxId",
  taxId: "91310000MA1FL00T3X",
  key: "cn-account-id-key-for-tests",
});
const event = (i: number): DomainEvent => {
  const hlc = encodeHlc({ wallMs: 1_700_000_000_000 + i, counter: 0, region: "cn-east" });
  return {
    v: 1,
    id: `evt_${hlc}`,
    tenantId: "ten_demo",
    accountId,
    hlc,
    region: "cn-east",
    actor: { kind: "system", id: "test" },
    data: { type: "contract.sent", contractId: "ctr_x", documentHash: "a".repeat(64) },
  };
};
const batch = (n: number, over: Record<string, unknown> = {}) => ({
  v: 1,
  from: "cn-east",
  to: "cn-south",
  sentAt: "2026-01-01T00:00:00.000Z",
  masked: false,
  events: Array.from({ length: n }, (_, i) => event(i)),
  ...over,
});

describe("ReplicationBatchV1", () => {
  test("accepts 1 to 256 events between two different regions", () => {
    expect(ReplicationBatchV1.safeParse(batch(1)).success).toBe(true);
    expect(ReplicationBatchV1.safeParse(batch(MAX_BATCH_EVENTS)).success).toBe(true);
  });

  test("refuses empty and oversized batches, another version, self-addressed and bad times", () => {
    expect(ReplicationBatchV1.safeParse(batch(0)).success).toBe(false);
    expect(ReplicationBatchV1.safeParse(batch(MAX_BATCH_EVENTS + 1)).success).toBe(false);
    expect(ReplicationBatchV1.safeParse(batch(1, { v: 2 })).success).toBe(false);
    expect(ReplicationBatchV1.safeParse(batch(1, { to: "cn-east" })).success).toBe(false);
    expect(ReplicationBatchV1.safeParse(batch(1, { sentAt: "now" })).success).toBe(false);
    expect(ReplicationBatchV1.safeParse(batch(1, { from: "CN East" })).success).toBe(false);
    expect(ReplicationBatchV1.safeParse(batch(1, { forwarded: "evt" })).success).toBe(false);
  });

  test("[LF8] the envelope does not judge its events: one malformed event cannot fail the batch", () => {
    const b = batch(2);
    b.events[1] = { junk: true } as unknown as DomainEvent;
    expect(ReplicationBatchV1.safeParse(b).success).toBe(true);
  });

  test("a signature binds key, time and body", () => {
    const body = JSON.stringify(batch(2));
    const sig = batchSignature("k1-secret", 1_700_000_000_000, body);
    expect(sig).toBe(
      createHmac("sha256", "k1-secret").update(`1700000000000.${body}`).digest("hex"),
    );
    expect(hmacSha256Hex("k1-secret", `1700000000000.${body}`)).toBe(sig);
    expect(verifyBatchSignature("k1-secret", 1_700_000_000_000, body, sig)).toBe(true);
    expect(verifyBatchSignature("k2-secret", 1_700_000_000_000, body, sig)).toBe(false);
    expect(verifyBatchSignature("k1-secret", 1_700_000_000_001, body, sig)).toBe(false);
    expect(verifyBatchSignature("k1-secret", 1_700_000_000_000, `${body} `, sig)).toBe(false);
  });
});
