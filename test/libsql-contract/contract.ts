// The behaviour app code may rely on from @libsql/client, whatever serves the database. Run
// against the local server (http://) and the embedded engine (file:), both must pass unchanged.

import {
  type Client,
  type Config,
  type InStatement,
  type InValue,
  LibsqlBatchError,
  LibsqlError,
  type ResultSet,
  type Row,
} from "@libsql/client";
import { afterAll, describe, expect, test } from "vitest";

/** A row's cells as a plain array (rows are array-like objects with named keys too). */
const cells = (row: Row | undefined): unknown[] => (row ? Array.from(row) : []);

export type MakeClient = (config?: Omit<Config, "url">) => Client;

async function rejection(promise: Promise<unknown>): Promise<LibsqlError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(LibsqlError);
  return outcome as LibsqlError;
}

const column = async (db: { execute(stmt: InStatement): Promise<ResultSet> }, sql: string) =>
  (await db.execute(sql)).rows.map((row) => row[0]);

export function defineClientContract(name: string, makeClient: MakeClient): void {
  describe(`@libsql/client contract: ${name}`, () => {
    const clients: Client[] = [];
    const open: MakeClient = (config) => {
      const client = makeClient(config);
      clients.push(client);
      return client;
    };
    afterAll(() => {
      for (const client of clients) client.close();
    });

    describe("values", () => {
      test("round-trips null, text, floats and blobs through a table, keeping their types", async () => {
        const db = open({ intMode: "bigint" });
        await db.execute("CREATE TABLE vals_basic (id INTEGER PRIMARY KEY, v)");
        const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
        const inputs: InValue[] = [
          null,
          "",
          "emoji 😀 and CJK 中文",
          "quote ' \" backslash \\ newline \n tab \t",
          0.1,
          -2.5,
          1e308,
          -1e308,
          5e-324,
          new Uint8Array(0),
          allBytes,
        ];
        for (const v of inputs) {
          await db.execute({ sql: "INSERT INTO vals_basic (v) VALUES (?)", args: [v] });
        }
        const rs = await db.execute("SELECT v, typeof(v) FROM vals_basic ORDER BY id");
        expect(rs.rows.map((r) => r[1])).toEqual([
          ...["null", "text", "text", "text"],
          ...["real", "real", "real", "real", "real"],
          ...["blob", "blob"],
        ]);
        const read = rs.rows.map((r) => r[0]);
        expect(read.slice(0, 9)).toEqual(inputs.slice(0, 9));
        expect(read[9]).toBeInstanceOf(ArrayBuffer);
        expect((read[9] as ArrayBuffer).byteLength).toBe(0);
        expect(new Uint8Array(read[10] as ArrayBuffer)).toEqual(allBytes);
      });

      test("round-trips 64-bit integers as bigint, beyond 2^53 and at the i64 limits", async () => {
        const db = open({ intMode: "bigint" });
        await db.execute("CREATE TABLE vals_int (id INTEGER PRIMARY KEY, v)");
        const ints = [
          0n,
          1n,
          -42n,
          9007199254740993n,
          -9007199254740993n,
          9223372036854775807n,
          -9223372036854775808n,
        ];
        for (const v of ints) {
          await db.execute({ sql: "INSERT INTO vals_int (v) VALUES (?)", args: [v] });
        }
        const rs = await db.execute("SELECT v, typeof(v) FROM vals_int ORDER BY id");
        expect(rs.rows.map((r) => r[0])).toEqual(ints);
        expect(rs.rows.map((r) => r[1])).toEqual(ints.map(() => "integer"));
      });

      test("reads integers as numbers by default and refuses unsafe ones with RangeError", async () => {
        const db = open();
        const rs = await db.execute("SELECT 42, -7, 9007199254740991");
        expect(cells(rs.rows[0])).toEqual([42, -7, 9007199254740991]);
        await expect(db.execute("SELECT 9007199254740992")).rejects.toBeInstanceOf(RangeError);
      });

      test("reads integers as decimal strings in string mode", async () => {
        const db = open({ intMode: "string" });
        const rs = await db.execute("SELECT 9223372036854775807, -1");
        expect([rs.rows[0]?.[0], rs.rows[0]?.[1]]).toEqual(["9223372036854775807", "-1"]);
      });

      test("returns -0.0, 1e308 and the smallest subnormal from SQL exactly", async () => {
        const db = open();
        const row = (await db.execute("SELECT -0.0, 1e308, 5e-324, 0.1 + 0.2")).rows[0];
        expect(Object.is(row?.[0], -0)).toBe(true);
        expect(cells(row).slice(1)).toEqual([1e308, 5e-324, 0.30000000000000004]);
      });

      test("sends booleans as integers and Dates as float milliseconds", async () => {
        const db = open({ intMode: "bigint" });
        const rs = await db.execute({
          sql: "SELECT ?1, typeof(?1), ?2, typeof(?2), ?3",
          args: [true, new Date(1234), false],
        });
        expect(cells(rs.rows[0])).toEqual([1n, "integer", 1234, "real", 0n]);
      });

      test("binds named arguments given with or without their prefix", async () => {
        const db = open({ intMode: "bigint" });
        const sql = "SELECT :a, @b, $c, :a";
        const bare = await db.execute({ sql, args: { a: 1n, b: "x", c: null } });
        const prefixed = await db.execute({ sql, args: { ":a": 2n, "@b": "y", $c: 1.5 } });
        expect(cells(bare.rows[0])).toEqual([1n, "x", null, 1n]);
        expect(cells(prefixed.rows[0])).toEqual([2n, "y", 1.5, 2n]);
      });
    });

    test("reports column names and declared types, empty for expressions", async () => {
      const db = open();
      await db.execute(
        "CREATE TABLE cols_t (i INTEGER, t TEXT, r REAL, b BLOB, n NUMERIC, v VARCHAR(10), u)",
      );
      const rs = await db.execute(
        "SELECT i, t AS renamed, r, b, n, v, u, i + 1, 'lit' FROM cols_t",
      );
      expect(rs.rows).toEqual([]);
      expect(rs.columns).toEqual(["i", "renamed", "r", "b", "n", "v", "u", "i + 1", "'lit'"]);
      expect(rs.columnTypes).toEqual([
        ...["INTEGER", "TEXT", "REAL", "BLOB", "NUMERIC", "VARCHAR(10)"],
        ...["", "", ""],
      ]);
    });

    describe("writes", () => {
      test("reports rowsAffected and lastInsertRowid for INSERT, UPDATE and DELETE", async () => {
        const db = open({ intMode: "bigint" });
        await db.execute("CREATE TABLE w_t (id INTEGER PRIMARY KEY, x INTEGER UNIQUE)");
        const ins = await db.execute("INSERT INTO w_t (x) VALUES (1), (2), (3)");
        expect([ins.rowsAffected, ins.lastInsertRowid]).toEqual([3, 3n]);
        expect((await db.execute("UPDATE w_t SET x = x + 10 WHERE x >= 2")).rowsAffected).toBe(2);
        expect((await db.execute("DELETE FROM w_t WHERE x = 1")).rowsAffected).toBe(1);
        expect((await db.execute("SELECT * FROM w_t")).rowsAffected).toBe(0);
        const big = await db.execute("INSERT INTO w_t (id, x) VALUES (4611686018427387904, 99)");
        expect(big.lastInsertRowid).toBe(4611686018427387904n);
      });

      test("counts rows changed by INSERT OR IGNORE, REPLACE and WITH … INSERT", async () => {
        const db = open({ intMode: "bigint" });
        await db.execute("CREATE TABLE w2_t (id INTEGER PRIMARY KEY, x INTEGER UNIQUE)");
        await db.execute("INSERT INTO w2_t (id, x) VALUES (1, 12)");
        expect((await db.execute("INSERT OR IGNORE INTO w2_t (x) VALUES (12)")).rowsAffected).toBe(
          0,
        );
        const replaced = await db.execute("REPLACE INTO w2_t (id, x) VALUES (100, 12)");
        expect([replaced.rowsAffected, replaced.lastInsertRowid]).toEqual([1, 100n]);
        const cte = await db.execute(
          "WITH s(v) AS (VALUES (50), (51)) INSERT INTO w2_t (x) SELECT v FROM s",
        );
        expect([cte.rowsAffected, cte.lastInsertRowid]).toEqual([2, 102n]);
        expect(await column(db, "SELECT x FROM w2_t ORDER BY id")).toEqual([12n, 50n, 51n]);
      });
    });

    describe("constraint errors", () => {
      const setup = async (db: Client, suffix: string) => {
        await db.execute(`CREATE TABLE ce_parent_${suffix} (
          id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, age INTEGER CHECK (age >= 0))`);
        await db.execute(`CREATE TABLE ce_child_${suffix} (
          id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES ce_parent_${suffix}(id))`);
        await db.execute(`INSERT INTO ce_parent_${suffix} VALUES (1, 'a@x', 30)`);
      };
      const cases = [
        [
          "UNIQUE",
          "INSERT INTO ce_parent_S (email, age) VALUES ('a@x', 1)",
          "UNIQUE constraint failed: ce_parent_S.email",
        ],
        [
          "NOT NULL",
          "INSERT INTO ce_parent_S (email, age) VALUES (NULL, 1)",
          "NOT NULL constraint failed: ce_parent_S.email",
        ],
        [
          "CHECK",
          "INSERT INTO ce_parent_S (email, age) VALUES ('b@x', -1)",
          "CHECK constraint failed: age >= 0",
        ],
      ] as const;
      test.each(cases)(
        "a %s violation is a LibsqlError with code SQLITE_CONSTRAINT",
        async (kind, sql, message) => {
          const db = open();
          const s = kind.replace(" ", "_").toLowerCase();
          await setup(db, s);
          const err = await rejection(db.execute(sql.replaceAll("_S", `_${s}`)));
          expect(err.code).toBe("SQLITE_CONSTRAINT");
          expect(err.message).toContain(message.replaceAll("_S", `_${s}`));
          expect(await column(db, `SELECT count(*) FROM ce_parent_${s}`)).toEqual([1]);
        },
      );

      test("a FOREIGN KEY violation with foreign_keys on is a LibsqlError SQLITE_CONSTRAINT", async () => {
        const db = open();
        await setup(db, "fk");
        // One sequence, so the pragma and the insert share a connection on every backend.
        const err = await rejection(
          db.executeMultiple(
            "PRAGMA foreign_keys = ON; INSERT INTO ce_child_fk (parent_id) VALUES (999);",
          ),
        );
        expect(err.code).toBe("SQLITE_CONSTRAINT");
        expect(err.message).toContain("FOREIGN KEY constraint failed");
        expect(await column(db, "SELECT count(*) FROM ce_child_fk")).toEqual([0]);
      });

      test("SQL naming a missing table is a LibsqlError that names it", async () => {
        const err = await rejection(open().execute("SELECT * FROM no_such_table_here"));
        expect(err.message).toContain("no such table: no_such_table_here");
      });
    });

    describe("batch", () => {
      const prepare = async () => {
        const db = open({ intMode: "bigint" });
        const t = `batch_${Math.random().toString(36).slice(2, 8)}`;
        await db.execute(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, x TEXT UNIQUE)`);
        await db.batch([`INSERT INTO ${t} (x) VALUES ('a')`, `INSERT INTO ${t} (x) VALUES ('b')`]);
        return { db, t };
      };

      test("a write batch commits every statement and returns one result each", async () => {
        const { db, t } = await prepare();
        const results = await db.batch(
          [
            `INSERT INTO ${t} (x) VALUES ('c')`,
            { sql: `INSERT INTO ${t} (x) VALUES (?)`, args: ["d"] },
            `SELECT x FROM ${t} ORDER BY id`,
          ],
          "write",
        );
        expect(results).toHaveLength(3);
        expect([results[0]?.rowsAffected, results[0]?.lastInsertRowid]).toEqual([1, 3n]);
        expect(results[1]?.lastInsertRowid).toBe(4n);
        expect(results[2]?.rows.map((r) => r[0])).toEqual(["a", "b", "c", "d"]);
      });

      test("a failing write batch rolls back entirely and reports the statement index", async () => {
        const { db, t } = await prepare();
        const err = await rejection(
          db.batch(
            [
              `INSERT INTO ${t} (x) VALUES ('c')`,
              `INSERT INTO ${t} (x) VALUES ('a')`,
              `INSERT INTO ${t} (x) VALUES ('d')`,
            ],
            "write",
          ),
        );
        expect(err).toBeInstanceOf(LibsqlBatchError);
        expect((err as LibsqlBatchError).statementIndex).toBe(1);
        expect(err.code).toBe("SQLITE_CONSTRAINT");
        expect(await column(db, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b"]);
      });

      test("a failing deferred batch rolls back too", async () => {
        const { db, t } = await prepare();
        const err = await rejection(
          db.batch(
            [`INSERT INTO ${t} (x) VALUES ('e')`, "INSERT INTO missing_tbl VALUES (1)"],
            "deferred",
          ),
        );
        expect((err as LibsqlBatchError).statementIndex).toBe(1);
        expect(await column(db, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b"]);
      });

      test("a read batch returns query results", async () => {
        const { db, t } = await prepare();
        const [count, max] = await db.batch(
          [`SELECT count(*) FROM ${t}`, `SELECT max(id) FROM ${t}`],
          "read",
        );
        expect([count?.rows[0]?.[0], max?.rows[0]?.[0]]).toEqual([2n, 2n]);
      });

      // libSQL accepts BEGIN TRANSACTION READONLY but does not enforce it, in sqld/Turso too
      // (tursodatabase/libsql#839, #1555). Pinned so nobody mistakes "read" for a guard.
      test("a write inside a read batch is not rejected, as libSQL does not enforce READONLY", async () => {
        const { db, t } = await prepare();
        const [ins] = await db.batch([`INSERT INTO ${t} (x) VALUES ('ro')`], "read");
        expect(ins?.rowsAffected).toBe(1);
        expect(await column(db, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b", "ro"]);
      });
    });

    describe("interactive transactions", () => {
      const prepare = async () => {
        const db = open({ intMode: "bigint" });
        const t = `tx_${Math.random().toString(36).slice(2, 8)}`;
        await db.execute(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, x TEXT UNIQUE)`);
        return { db, t, other: open({ intMode: "bigint" }) };
      };

      test("a write transaction spans requests, hides its rows from others, then commits", async () => {
        const { db, t, other } = await prepare();
        const tx = await db.transaction("write");
        await tx.execute(`INSERT INTO ${t} (x) VALUES ('a')`);
        await tx.execute({ sql: `INSERT INTO ${t} (x) VALUES (?)`, args: ["b"] });
        expect(await column(tx, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b"]);
        expect(await column(other, `SELECT count(*) FROM ${t}`)).toEqual([0n]);
        await tx.commit();
        expect(await column(other, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b"]);
      });

      test("rolling back or closing a transaction discards its writes", async () => {
        const { db, t, other } = await prepare();
        const rolledBack = await db.transaction("write");
        await rolledBack.execute(`INSERT INTO ${t} (x) VALUES ('gone')`);
        await rolledBack.rollback();
        const closed = await db.transaction("write");
        await closed.execute(`INSERT INTO ${t} (x) VALUES ('also gone')`);
        closed.close();
        expect(await column(other, `SELECT count(*) FROM ${t}`)).toEqual([0n]);
      });

      test("a failed statement leaves the transaction open for the next one", async () => {
        const { db, t, other } = await prepare();
        const tx = await db.transaction("write");
        await tx.execute(`INSERT INTO ${t} (x) VALUES ('a')`);
        const err = await rejection(tx.execute(`INSERT INTO ${t} (x) VALUES ('a')`));
        expect(err.code).toBe("SQLITE_CONSTRAINT");
        await tx.execute(`INSERT INTO ${t} (x) VALUES ('b')`);
        await tx.commit();
        expect(await column(other, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b"]);
      });

      test("batch and executeMultiple inside a transaction join it", async () => {
        const { db, t, other } = await prepare();
        const tx = await db.transaction("write");
        await tx.batch([`INSERT INTO ${t} (x) VALUES ('a')`, `INSERT INTO ${t} (x) VALUES ('b')`]);
        await tx.executeMultiple(
          `INSERT INTO ${t} (x) VALUES ('c'); INSERT INTO ${t} (x) VALUES ('d');`,
        );
        expect(await column(other, `SELECT count(*) FROM ${t}`)).toEqual([0n]);
        await tx.commit();
        expect(await column(other, `SELECT x FROM ${t} ORDER BY id`)).toEqual(["a", "b", "c", "d"]);
      });
    });

    describe("executeMultiple and migrate", () => {
      test("executeMultiple runs every statement, including a trigger body with semicolons", async () => {
        const db = open();
        await db.executeMultiple(`
          CREATE TABLE em_t (id INTEGER PRIMARY KEY, x TEXT);
          CREATE TABLE em_log (msg TEXT);
          CREATE TRIGGER em_tr AFTER INSERT ON em_t BEGIN
            INSERT INTO em_log VALUES ('added ' || new.x); INSERT INTO em_log VALUES ('twice');
          END;
          INSERT INTO em_t (x) VALUES ('a'); -- trailing comment`);
        expect(await column(db, "SELECT msg FROM em_log ORDER BY rowid")).toEqual([
          "added a",
          "twice",
        ]);
      });

      test("executeMultiple stops at the first failing statement, keeping earlier ones", async () => {
        const db = open();
        await db.execute("CREATE TABLE em2_t (x TEXT)");
        const err = await rejection(
          db.executeMultiple(
            "INSERT INTO em2_t VALUES ('b'); INSERT INTO em2_missing VALUES (1); INSERT INTO em2_t VALUES ('c');",
          ),
        );
        expect(err.message).toContain("no such table: em2_missing");
        expect(await column(db, "SELECT x FROM em2_t")).toEqual(["b"]);
      });

      test("migrate applies statements in one transaction with foreign keys off", async () => {
        const db = open();
        const results = await db.migrate([
          "CREATE TABLE mig_a (id INTEGER PRIMARY KEY)",
          "CREATE TABLE mig_b (a_id INTEGER REFERENCES mig_a(id))",
          "INSERT INTO mig_b VALUES (42)",
        ]);
        expect(results).toHaveLength(3);
        expect(results[2]?.rowsAffected).toBe(1);
        expect(await column(db, "SELECT a_id FROM mig_b")).toEqual([42]);
      });

      test("a failing migrate rolls back every statement", async () => {
        const db = open();
        const err = await rejection(
          db.migrate(["CREATE TABLE mig_c (x)", "INSERT INTO mig_nope VALUES (1)"]),
        );
        expect(err).toBeInstanceOf(LibsqlBatchError);
        expect((err as LibsqlBatchError).statementIndex).toBe(1);
        const tables = await column(db, "SELECT count(*) FROM sqlite_master WHERE name = 'mig_c'");
        expect(tables).toEqual([0]);
      });
    });
  });
}
