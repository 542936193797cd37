// Server-only behaviour of streams: batons, idle expiry, the stream cap, concurrent writers
// and shutdown. The client cannot observe most of this, so much of it is driven on the wire.

import { existsSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient, LibsqlError } from "@libsql/client";
import Database from "libsql";
import { describe, expect, test } from "vitest";
import { forSuite } from "../support/suite.ts";
import { execute, pipeline, startTestServer } from "./harness.ts";

const column = async (url: string, sql: string) => {
  const db = createClient({ url });
  try {
    return (await db.execute(sql)).rows.map((r) => r[0]);
  } finally {
    db.close();
  }
};

describe("streams and batons", () => {
  // A short busy timeout turns a leaked write lock into a fast, visible failure.
  const t = forSuite(() => startTestServer({ streamIdleMs: 250, busyTimeoutMs: 100 }));

  test("an idle stream expires, rolls back its transaction and then answers STREAM_EXPIRED", async () => {
    const db = createClient({ url: t().url });
    await db.execute("CREATE TABLE exp_t (x TEXT)");
    const tx = await db.transaction("write");
    await tx.execute("INSERT INTO exp_t VALUES ('pending')");
    await sleep(600);
    const err = await tx.execute("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    expect((err as LibsqlError).code).toBe("STREAM_EXPIRED");
    // The write lock went with the stream: another writer gets in within the 100 ms budget.
    await db.execute("INSERT INTO exp_t VALUES ('after')");
    expect(await column(t().url, "SELECT x FROM exp_t")).toEqual(["after"]);
    db.close();
  });

  test("an expired baton gets 400 with exactly application/json and code STREAM_EXPIRED", async () => {
    const first = await pipeline(t().url, { requests: [execute("SELECT 1")] });
    expect(typeof first.json.baton).toBe("string");
    await sleep(600);
    const late = await pipeline(t().url, {
      baton: first.json.baton,
      requests: [execute("SELECT 1")],
    });
    expect([late.status, late.contentType]).toEqual([400, "application/json"]);
    expect(late.json).toEqual({
      message: "The stream has expired due to inactivity",
      code: "STREAM_EXPIRED",
    });
  });

  test("batons are single-use: a reused one gets 400 'already been used'", async () => {
    const a = await pipeline(t().url, { requests: [execute("SELECT 1")] });
    const b = await pipeline(t().url, { baton: a.json.baton, requests: [execute("SELECT 2")] });
    expect(b.status).toBe(200);
    expect(b.json.baton).not.toBe(a.json.baton);
    const reused = await pipeline(t().url, {
      baton: a.json.baton,
      requests: [execute("SELECT 3")],
    });
    expect([reused.status, reused.contentType, reused.text]).toEqual([
      400,
      "text/plain",
      "Received a baton that has already been used",
    ]);
  });

  test("an unknown, forged or closed stream's baton gets 400 'invalid baton'", async () => {
    const open = await pipeline(t().url, { requests: [execute("SELECT 1")] });
    const baton: string = open.json.baton;
    const forged = `${baton.slice(0, 20)}${baton[20] === "A" ? "B" : "A"}${baton.slice(21)}`;
    const closed = await pipeline(t().url, { baton, requests: [{ type: "close" }] });
    expect(closed.json).toEqual({
      baton: null,
      base_url: null,
      results: [{ type: "ok", response: { type: "close" } }],
    });
    for (const bad of ["garbage", forged, baton]) {
      const r = await pipeline(t().url, { baton: bad, requests: [] });
      expect([r.status, r.contentType, r.text]).toEqual([
        400,
        "text/plain",
        "Received an invalid baton",
      ]);
    }
  });

  test("a request after close in the same pipeline is a protocol error", async () => {
    const r = await pipeline(t().url, { requests: [{ type: "close" }, execute("SELECT 1")] });
    expect([r.status, r.text]).toEqual([400, "Stream for this baton was closed"]);
  });

  test("a statement that outwaits the busy timeout fails SQLITE_BUSY and leaves its stream usable", async () => {
    await pipeline(t().url, { requests: [execute("CREATE TABLE bz_t (x)"), { type: "close" }] });
    const locker = await pipeline(t().url, { requests: [execute("BEGIN IMMEDIATE")] });
    const inTx = await pipeline(t().url, {
      requests: [execute("BEGIN"), execute("INSERT INTO bz_t VALUES ('in tx')")],
    });
    const autocommit = await pipeline(t().url, {
      requests: [execute("INSERT INTO bz_t VALUES ('lost')")],
    });
    for (const r of [inTx.json.results[1], autocommit.json.results[0]]) {
      expect(r).toEqual({
        type: "error",
        error: { message: "SQLite error: database is locked", code: "SQLITE_BUSY" },
      });
    }
    await pipeline(t().url, {
      baton: locker.json.baton,
      requests: [execute("COMMIT"), { type: "close" }],
    });
    // The transaction survived the failure, and neither connection is stuck with a
    // half-run statement (which would make COMMIT fail with "SQL statements in progress").
    const retried = await pipeline(t().url, {
      baton: inTx.json.baton,
      requests: [
        execute("INSERT INTO bz_t VALUES ('in tx')"),
        execute("COMMIT"),
        { type: "close" },
      ],
    });
    const again = await pipeline(t().url, {
      baton: autocommit.json.baton,
      requests: [execute("BEGIN"), execute("INSERT INTO bz_t VALUES ('later')"), execute("COMMIT")],
    });
    for (const r of [...retried.json.results, ...again.json.results]) expect(r.type).toBe("ok");
    expect(await column(t().url, "SELECT x FROM bz_t ORDER BY rowid")).toEqual(["in tx", "later"]);
  });
});

describe("limits", () => {
  const t = forSuite(() => startTestServer({ maxStreams: 2, maxBodyBytes: 4096 }));

  test("open streams are capped: one more gets 503 TRANSACTION_BUSY until one closes", async () => {
    const a = await pipeline(t().url, { requests: [] });
    await pipeline(t().url, { requests: [] });
    const refused = await pipeline(t().url, { requests: [execute("SELECT 1")] });
    expect([refused.status, refused.contentType, refused.json?.code]).toEqual([
      503,
      "application/json",
      "TRANSACTION_BUSY",
    ]);
    const db = createClient({ url: t().url });
    const err = await db.execute("SELECT 1").catch((e: unknown) => e);
    expect((err as LibsqlError).code).toBe("TRANSACTION_BUSY");
    await pipeline(t().url, { baton: a.json.baton, requests: [{ type: "close" }] });
    expect((await db.execute("SELECT 7")).rows[0]?.[0]).toBe(7);
    db.close();
  });

  test("a body over the size limit gets 413", async () => {
    const r = await pipeline(t().url, { requests: [execute(`SELECT '${"x".repeat(5000)}'`)] });
    expect([r.status, r.text]).toEqual([413, "Request body exceeds 4096 bytes"]);
  });
});

describe("concurrent writers", () => {
  const t = forSuite(() => startTestServer());

  test("a second concurrent request on a busy stream is refused, not interleaved", async () => {
    await pipeline(t().url, { requests: [execute("CREATE TABLE busy_t (x)"), { type: "close" }] });
    const locker = await pipeline(t().url, { requests: [execute("BEGIN IMMEDIATE")] });
    const stream = await pipeline(t().url, { requests: [execute("SELECT 1")] });
    // The first request waits for the write lock (asynchronously) while the second arrives.
    const slow = pipeline(t().url, {
      baton: stream.json.baton,
      requests: [execute("INSERT INTO busy_t VALUES (1)")],
    });
    await sleep(150);
    const second = await pipeline(t().url, {
      baton: stream.json.baton,
      requests: [execute("SELECT 2")],
    });
    expect([second.status, second.text]).toEqual([
      400,
      "Received a baton that has already been used",
    ]);
    await pipeline(t().url, {
      baton: locker.json.baton,
      requests: [execute("COMMIT"), { type: "close" }],
    });
    const first = await slow;
    expect(first.status).toBe(200);
    expect(first.json.results[0].response.result.affected_row_count).toBe(1);
  });

  test("two clients' write transactions serialize through the busy timeout without corruption", async () => {
    const a = createClient({ url: t().url });
    const b = createClient({ url: t().url });
    await a.execute("CREATE TABLE cw_t (id INTEGER PRIMARY KEY, who TEXT)");
    const txA = await a.transaction("write");
    await txA.execute("INSERT INTO cw_t (who) VALUES ('a1')");
    let bStarted = false;
    const bDone = (async () => {
      const txB = await b.transaction("write");
      await txB.execute("INSERT INTO cw_t (who) VALUES ('b1')");
      bStarted = true;
      const seen = (await txB.execute("SELECT who FROM cw_t ORDER BY id")).rows.map((r) => r[0]);
      await txB.commit();
      return seen;
    })();
    await sleep(150);
    expect(bStarted).toBe(false);
    await txA.execute("INSERT INTO cw_t (who) VALUES ('a2')");
    await txA.commit();
    expect(await bDone).toEqual(["a1", "a2", "b1"]);

    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).execute(`INSERT INTO cw_t (who) VALUES ('p${i}')`),
      ),
    );
    expect(await column(t().url, "SELECT count(*) FROM cw_t")).toEqual([43]);
    expect(await column(t().url, "PRAGMA integrity_check")).toEqual(["ok"]);
    a.close();
    b.close();
  });
});

test("closing the server rolls back open transactions and checkpoints the WAL", async () => {
  const t = await startTestServer();
  try {
    await pipeline(t.url, { requests: [execute("CREATE TABLE sd_t (x)"), { type: "close" }] });
    const open = await pipeline(t.url, {
      requests: [execute("BEGIN"), execute("INSERT INTO sd_t VALUES ('uncommitted')")],
    });
    expect(open.json.results.map((r: { type: string }) => r.type)).toEqual(["ok", "ok"]);
    await t.server.close();
    const wal = `${t.dbPath}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
    const db = new Database(t.dbPath);
    expect(db.prepare("SELECT count(*) FROM sd_t").raw(true).all()).toEqual([[0]]);
    db.close();
  } finally {
    await t.stop();
  }
});
