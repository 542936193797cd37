// [LF7] the audit log is tamper-evident: any edit, deletion, insertion or reordering of
// entries makes verification fail at the first entry that no longer links.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { sha256Hex } from "../crypto/sha256.ts";
import { canonicalJson } from "../encoding.ts";
import {
  AUDIT_GENESIS,
  type AuditEntry,
  type AuditKind,
  appendAudit,
  auditKey,
  verifyAuditChain,
  verifyAuditLog,
} from "./chain.ts";
import {
  AuditCheckpointV1,
  countersign,
  countersignatureHolds,
  decideCheckpoint,
} from "./checkpoint.ts";

const KINDS: AuditKind[] = ["cross-border-transfer", "degradation-mode", "conflict-recorded"];
const KEY = "k".repeat(32);
const T0 = Date.UTC(2026, 0, 1);

const inputArb = fc.record({
  at: fc.integer({ min: 0, max: 10_000_000 }).map((ms) => new Date(T0 + ms).toISOString()),
  kind: fc.constantFrom(...KINDS),
  detail: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
});

function chain(inputs: { at: string; kind: AuditKind; detail: unknown }[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const input of inputs) out.push(appendAudit(KEY, out.at(-1) ?? null, input));
  return out;
}

const chainArb = fc.array(inputArb, { minLength: 1, maxLength: 12 }).map(chain);

describe("audit chain", () => {
  test("[LF7] a chain verifies, starts at genesis and reports its head", () => {
    const entries = chain([
      {
        at: "2026-01-01T00:00:00.000Z",
        kind: "cross-border-transfer",
        detail: { from: "cn-east", to: "eu-central", maskedFields: ["contact.phone"] },
      },
      {
        at: "2026-01-01T00:00:01.000Z",
        kind: "degradation-mode",
        detail: { mode: "reads:stale-ok" },
      },
    ]);
    expect(entries[0]).toMatchObject({ seq: 1, prevHash: AUDIT_GENESIS });
    expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
    expect(verifyAuditChain(KEY, entries)).toEqual({
      ok: true,
      count: 2,
      head: { seq: 2, hash: entries[1]!.hash },
    });
    expect(verifyAuditChain(KEY, [])).toEqual({
      ok: true,
      count: 0,
      head: { seq: 0, hash: AUDIT_GENESIS },
    });
  });

  test("[LF7] entries survive a JSON round trip, whatever the key order of their detail", () => {
    fc.assert(
      fc.property(chainArb, (entries) => {
        const stored = entries.map((e) => JSON.parse(JSON.stringify(e)) as AuditEntry);
        expect(verifyAuditChain(KEY, stored).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
    const [e] = chain([
      { at: "2026-01-01T00:00:00Z", kind: "key-rotation", detail: { b: 1, a: 2 } },
    ]);
    const reordered = { ...e!, detail: { a: 2, b: 1 } };
    expect(verifyAuditChain(KEY, [reordered]).ok).toBe(true);
  });

  test("[LF7] a segment verifies against the entry before it", () => {
    const entries = chain(fc.sample(inputArb, { numRuns: 6, seed: 1 }));
    const anchor = { seq: entries[2]!.seq, hash: entries[2]!.hash };
    expect(verifyAuditChain(KEY, entries.slice(3), anchor)).toMatchObject({ ok: true, count: 3 });
    expect(verifyAuditChain(KEY, entries.slice(4), anchor)).toMatchObject({
      ok: false,
      brokenAt: 4,
    });
  });

  test("[LF7] changing any field of any entry is detected at that entry", () => {
    const fields = ["seq", "at", "kind", "detail", "prevHash", "hash"] as const;
    fc.assert(
      fc.property(
        chainArb,
        fc.nat(),
        fc.constantFrom(...fields),
        inputArb,
        (entries, pick, field, other) => {
          const i = pick % entries.length;
          const e = entries[i]!;
          const changed: Record<(typeof fields)[number], unknown> = {
            seq: e.seq + 1,
            at: other.at === e.at ? new Date(Date.parse(e.at) + 1).toISOString() : other.at,
            kind: e.kind === "policy-change" ? "key-rotation" : "policy-change",
            detail: { tampered: e.detail ?? null },
            prevHash: e.prevHash.replace(/^./, (c) => (c === "0" ? "1" : "0")),
            hash: e.hash.replace(/^./, (c) => (c === "0" ? "1" : "0")),
          };
          const tampered = entries.map((x, j) => (j === i ? { ...x, [field]: changed[field] } : x));
          expect(verifyAuditChain(KEY, tampered)).toMatchObject({ ok: false, brokenAt: e.seq });
        },
      ),
      { numRuns: 500 },
    );
  });

  test("[LF7] deleting, inserting or reordering entries is detected", () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), fc.nat(), inputArb, (entries, p, q, extra) => {
        const i = p % entries.length;
        const j = q % entries.length;
        const head = entries.at(-1)!.hash;

        const deleted = entries.filter((_, k) => k !== i);
        const verdict = verifyAuditChain(KEY, deleted);
        // Cutting off the tail leaves a valid shorter chain: only the recorded head shows it.
        if (i === entries.length - 1) expect(verdict.ok && verdict.head.hash !== head).toBe(true);
        else expect(verdict).toMatchObject({ ok: false, brokenAt: i + 1 });

        const forged = appendAudit(KEY, i === 0 ? null : entries[i - 1]!, extra);
        const inserted = [...entries.slice(0, i), forged, ...entries.slice(i)];
        expect(verifyAuditChain(KEY, inserted).ok).toBe(false);

        if (i !== j) {
          const swapped = [...entries];
          [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
          expect(verifyAuditChain(KEY, swapped)).toMatchObject({
            ok: false,
            brokenAt: Math.min(i, j) + 1,
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  test("appendAudit refuses a time that is not an ISO instant and a detail that is not JSON", () => {
    expect(() =>
      appendAudit(KEY, null, { at: "yesterday", kind: "policy-change", detail: {} }),
    ).toThrow();
    expect(() =>
      appendAudit(KEY, null, {
        at: "2026-01-01T00:00:00Z",
        kind: "policy-change",
        detail: Number.NaN,
      }),
    ).toThrow();
  });

  test("[LF7] history rewritten with recomputed unkeyed SHA-256 hashes does not verify", () => {
    fc.assert(
      fc.property(chainArb, fc.nat(), (entries, pick) => {
        const i = pick % entries.length;
        // What the old, unkeyed chain let anyone with storage access do: change an entry
        // and recompute every hash from there, so every link still matches.
        const rewritten: AuditEntry[] = [];
        for (const [j, e] of entries.entries()) {
          const prevHash = j === 0 ? AUDIT_GENESIS : rewritten[j - 1]!.hash;
          const detail = j === i ? { rewritten: true } : e.detail;
          const { seq, at, kind } = e;
          const hash = sha256Hex(canonicalJson({ seq, at, kind, detail, prevHash }));
          rewritten.push({ seq, at, kind, detail, prevHash, hash });
        }
        expect(verifyAuditChain(KEY, rewritten)).toMatchObject({ ok: false, brokenAt: 1 });
        // …and with the wrong key, a recomputed chain fails at its first entry too.
        const forged = entries.map((e) => ({ at: e.at, kind: e.kind, detail: e.detail }));
        const other: AuditEntry[] = [];
        for (const input of forged)
          other.push(appendAudit("x".repeat(32), other.at(-1) ?? null, input));
        expect(verifyAuditChain(KEY, other)).toMatchObject({ ok: false, brokenAt: 1 });
      }),
      { numRuns: 200 },
    );
  });

  const reader =
    (entries: readonly AuditEntry[], asked: number[] = []) =>
    (afterSeq: number, limit: number) => {
      asked.push(limit);
      return entries.filter((e) => e.seq > afterSeq).slice(0, limit);
    };

  test("[LF7] entries deleted from the end are detected against a peer's checkpoint", () => {
    const entries = chain(fc.sample(inputArb, { numRuns: 10, seed: 7 }));
    const checkpoint = { seq: 10, hash: entries[9]!.hash };
    expect(
      verifyAuditLog(KEY, reader(entries), { checkpoints: [checkpoint], pageSize: 3 }),
    ).toEqual({
      ok: true,
      count: 10,
      head: checkpoint,
    });
    for (const n of [1, 2, 10]) {
      const truncated = entries.slice(0, entries.length - n);
      expect(verifyAuditChain(KEY, truncated).ok).toBe(true); // the chain alone cannot tell
      const verdict = verifyAuditLog(KEY, reader(truncated), {
        checkpoints: [checkpoint],
        pageSize: 3,
      });
      expect(verdict).toMatchObject({ ok: false, brokenAt: 11 - n });
      expect(verdict.ok || verdict.reason).toMatch(/checkpoint at seq 10: entries were removed/);
    }
    // Truncated and then re-grown to the checkpoint's length: the hash at that seq differs.
    const regrown = [...entries.slice(0, 7)];
    for (let k = 0; k < 3; k++)
      regrown.push(
        appendAudit(KEY, regrown.at(-1)!, { at: entries[0]!.at, kind: "policy-change", detail: k }),
      );
    expect(verifyAuditLog(KEY, reader(regrown), { checkpoints: [checkpoint] })).toMatchObject({
      ok: false,
      brokenAt: 10,
    });
  });

  test("[LF7] verifying page by page gives the whole-chain verdict and holds one page at a time", () => {
    fc.assert(
      fc.property(
        chainArb,
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.nat()),
        (entries, pageSize, tamperAt) => {
          const log =
            tamperAt === null
              ? entries
              : entries.map((e, j) =>
                  j === tamperAt % entries.length ? { ...e, detail: { tampered: true } } : e,
                );
          const asked: number[] = [];
          const paged = verifyAuditLog(KEY, reader(log, asked), { pageSize });
          expect(paged).toEqual(verifyAuditChain(KEY, log));
          expect(asked.every((limit) => limit === pageSize)).toBe(true);
          expect(asked.length).toBeLessThanOrEqual(Math.floor(log.length / pageSize) + 1);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("[LF7] a missing or short audit key is refused with a message naming it", () => {
    expect(() => auditKey(undefined)).toThrow(/AUDIT_KEY is not set/);
    expect(() => auditKey("short")).toThrow(/AUDIT_KEY is 5 bytes; it must be at least 32/);
    expect(auditKey("k".repeat(32))).toBe("k".repeat(32));
  });
});

describe("audit checkpoints", () => {
  const cp = AuditCheckpointV1.parse({
    v: 1,
    region: "cn-east",
    seq: 5,
    hash: "a".repeat(64),
    at: "2026-01-01T00:00:00.000Z",
  });

  test("[LF7] a holder keeps the highest seq and refuses a rollback or a fork", () => {
    expect(decideCheckpoint(null, cp)).toEqual({ kind: "store" });
    expect(decideCheckpoint(cp, { seq: 6, hash: "b".repeat(64) })).toEqual({ kind: "store" });
    expect(decideCheckpoint(cp, cp)).toEqual({ kind: "same" });
    expect(decideCheckpoint(cp, { seq: 4, hash: "b".repeat(64) })).toEqual({
      kind: "rollback",
      heldSeq: 5,
    });
    expect(decideCheckpoint(cp, { seq: 5, hash: "b".repeat(64) })).toEqual({
      kind: "fork",
      heldSeq: 5,
    });
  });

  test("[LF7] a countersignature covers region, seq, hash and time", () => {
    const sig = countersign(KEY, cp);
    expect(countersignatureHolds(KEY, cp, sig)).toBe(true);
    for (const changed of [
      { ...cp, region: "cn-south" },
      { ...cp, seq: 6 },
      { ...cp, hash: "b".repeat(64) },
      { ...cp, at: "2026-01-01T00:00:01.000Z" },
    ])
      expect(countersignatureHolds(KEY, changed, sig)).toBe(false);
    expect(countersignatureHolds("x".repeat(32), cp, sig)).toBe(false);
  });
});
