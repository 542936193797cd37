// [LF7] the audit log is tamper-evident: any edit, deletion, insertion or reordering of
// entries makes verification fail at the first entry that no longer links.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  AUDIT_GENESIS,
  type AuditEntry,
  type AuditKind,
  appendAudit,
  verifyAuditChain,
} from "./chain.ts";

const KINDS: AuditKind[] = ["cross-border-transfer", "degradation-mode", "conflict-recorded"];
const T0 = Date.UTC(2026, 0, 1);

const inputArb = fc.record({
  at: fc.integer({ min: 0, max: 10_000_000 }).map((ms) => new Date(T0 + ms).toISOString()),
  kind: fc.constantFrom(...KINDS),
  detail: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown),
});

function chain(inputs: { at: string; kind: AuditKind; detail: unknown }[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const input of inputs) out.push(appendAudit(out.at(-1) ?? null, input));
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
    expect(verifyAuditChain(entries)).toEqual({ ok: true, count: 2, head: entries[1]!.hash });
    expect(verifyAuditChain([])).toEqual({ ok: true, count: 0, head: AUDIT_GENESIS });
  });

  test("[LF7] entries survive a JSON round trip, whatever the key order of their detail", () => {
    fc.assert(
      fc.property(chainArb, (entries) => {
        const stored = entries.map((e) => JSON.parse(JSON.stringify(e)) as AuditEntry);
        expect(verifyAuditChain(stored).ok).toBe(true);
      }),
      { numRuns: 200 },
    );
    const [e] = chain([
      { at: "2026-01-01T00:00:00Z", kind: "key-rotation", detail: { b: 1, a: 2 } },
    ]);
    const reordered = { ...e!, detail: { a: 2, b: 1 } };
    expect(verifyAuditChain([reordered]).ok).toBe(true);
  });

  test("[LF7] a segment verifies against the entry before it", () => {
    const entries = chain(fc.sample(inputArb, { numRuns: 6, seed: 1 }));
    const anchor = { seq: entries[2]!.seq, hash: entries[2]!.hash };
    expect(verifyAuditChain(entries.slice(3), anchor)).toMatchObject({ ok: true, count: 3 });
    expect(verifyAuditChain(entries.slice(4), anchor)).toMatchObject({ ok: false, brokenAt: 4 });
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
          expect(verifyAuditChain(tampered)).toMatchObject({ ok: false, brokenAt: e.seq });
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
        const verdict = verifyAuditChain(deleted);
        // Cutting off the tail leaves a valid shorter chain: only the recorded head shows it.
        if (i === entries.length - 1) expect(verdict.ok && verdict.head !== head).toBe(true);
        else expect(verdict).toMatchObject({ ok: false, brokenAt: i + 1 });

        const forged = appendAudit(i === 0 ? null : entries[i - 1]!, extra);
        const inserted = [...entries.slice(0, i), forged, ...entries.slice(i)];
        expect(verifyAuditChain(inserted).ok).toBe(false);

        if (i !== j) {
          const swapped = [...entries];
          [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
          expect(verifyAuditChain(swapped)).toMatchObject({
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
      appendAudit(null, { at: "yesterday", kind: "policy-change", detail: {} }),
    ).toThrow();
    expect(() =>
      appendAudit(null, { at: "2026-01-01T00:00:00Z", kind: "policy-change", detail: Number.NaN }),
    ).toThrow();
  });
});
