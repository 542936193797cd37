// [LF7] the audit log's storage logic over SQLite (the engine workerd's DO storage uses):
// appends are idempotent, verification reads bounded pages, and a checkpoint holder keeps
// the highest head per region, refusing and recording rollbacks and forks.
import { afterEach, describe, expect, test } from "vitest";
import { AUDIT_VERIFY_PAGE } from "../../core/index.ts";
import { openLibsqlStore } from "../storage/libsql-store.ts";
import { AuditLog } from "./log.ts";

const KEY = "audit-key-for-tests-0123456789abcdef";
const AT = "2026-01-01T00:00:00.000Z";
const cp = (seq: number, hash = "a".repeat(64)) => ({
  v: 1 as const,
  region: "cn-east",
  seq,
  hash,
  at: AT,
});

let store: ReturnType<typeof openLibsqlStore>;
afterEach(() => store?.close());

function log() {
  store = openLibsqlStore();
  return new AuditLog(store, KEY);
}

describe("AuditLog", () => {
  test("[LF7] an append retried with the same key is one entry", () => {
    const audit = log();
    const first = audit.append(
      { key: "t1", kind: "policy-change", detail: { tenantId: "ten_a" } },
      AT,
    );
    const again = audit.append(
      { key: "t1", kind: "policy-change", detail: { tenantId: "ten_a" } },
      AT,
    );
    expect(again).toEqual(first);
    expect(audit.head()).toEqual({ seq: 1, hash: first.hash });
  });

  test("[LF7] verify reads the log in pages of at most 500 and counts only the asked tenant's entries", () => {
    const audit = log();
    for (let i = 0; i < 1_201; i++)
      audit.append(
        {
          key: `k${i}`,
          kind: "policy-change",
          detail: { tenantId: i % 3 === 0 ? "ten_a" : "ten_b" },
        },
        AT,
      );
    const head = audit.head();
    const queries: string[] = [];
    const exec = store.sql.exec.bind(store.sql);
    store.sql.exec = ((q: string, ...b: never[]) => {
      queries.push(`${q} ${JSON.stringify(b)}`);
      return exec(q, ...b);
    }) as typeof store.sql.exec;
    const { verdict, tenantEntries } = audit.verify([head], "ten_a");
    expect(verdict).toMatchObject({ ok: true, count: 1_201 });
    expect(tenantEntries).toBe(401);
    expect(queries.every((q) => /LIMIT \?/.test(q) && q.endsWith(`,${AUDIT_VERIFY_PAGE}]`))).toBe(
      true,
    );
    expect(queries).toHaveLength(3);
  });

  test("[LF7] a row that is not JSON is reported as a broken chain, not thrown", () => {
    const audit = log();
    audit.append({ key: "a", kind: "policy-change", detail: {} }, AT);
    store.sql.exec("UPDATE audit SET body = 'not json' WHERE seq = 1");
    expect(audit.verify([], "ten_a").verdict).toMatchObject({
      ok: false,
      brokenAt: 1,
      finding: "chain-broken",
    });
  });

  test("[LF7] a holder keeps the highest head per region and records a rollback or a fork", () => {
    const audit = log();
    const stored = audit.hold(cp(5), AT);
    expect(stored.kind).toBe("stored");
    expect(audit.hold(cp(5), AT)).toEqual(
      stored.kind === "stored" ? { ...stored, kind: "same" } : null,
    );
    expect(audit.hold(cp(3), AT)).toEqual({ kind: "rollback", heldSeq: 5 });
    expect(audit.hold(cp(5, "b".repeat(64)), AT)).toEqual({ kind: "fork", heldSeq: 5 });
    expect(audit.held("cn-east")).toMatchObject({ kind: "held", checkpoint: cp(5) });
    expect(audit.refusals(10).map((r) => [r.kind, r.seq, r.held_seq])).toEqual([
      ["fork", 5, 5],
      ["rollback", 3, 5],
    ]);
    expect(audit.hold(cp(9), AT).kind).toBe("stored");
    expect(audit.held("cn-east")).toMatchObject({ kind: "held", checkpoint: { seq: 9 } });
    expect(audit.held("cn-south")).toEqual({ kind: "none" });
  });

  test("[LF7] a held checkpoint edited in the holder's storage fails the holder's countersignature", () => {
    const audit = log();
    audit.hold(cp(5), AT);
    store.sql.exec("UPDATE checkpoints_held SET seq = 2 WHERE region = 'cn-east'");
    expect(audit.held("cn-east")).toEqual({ kind: "tampered" });
  });
});
