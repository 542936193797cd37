// Server-only wire behaviour: routes, value encoding, sqld's error codes and protocol errors,
// batch conditions, protocol-version gating, stored SQL and auth — checked byte for byte.

import { createClient, LibsqlBatchError, LibsqlError } from "@libsql/client";
import { describe, expect, test } from "vitest";
import { forSuite } from "../support/suite.ts";
import { execute, pipeline, type RawReply, startTestServer } from "./harness.ts";

const t = forSuite(() => startTestServer());

const results = (r: RawReply) => {
  expect(r.status).toBe(200);
  return r.json.results;
};
const stmtError = (message: string, code: string) => ({ type: "error", error: { message, code } });

describe("routes", () => {
  test("serves the hello text on /v2 and /v3, health, version, and 404s everything else", async () => {
    const get = async (path: string, method = "GET") => {
      const res = await fetch(`${t().url}${path}`, { method });
      return [res.status, res.headers.get("content-type"), await res.text()];
    };
    const hello = "Hello, this is HTTP API v2 (Hrana over HTTP)";
    expect(await get("/v2")).toEqual([200, "text/plain", hello]);
    expect(await get("/v3")).toEqual([200, "text/plain", hello]);
    expect((await get("/v3-protobuf"))[0]).toBe(404);
    expect((await get("/v3-protobuf/pipeline", "POST"))[0]).toBe(404);
    expect(await get("/health")).toEqual([200, null, ""]);
    expect(await get("/version")).toEqual([200, "text/plain", "lifeline-libsql-server 0.1.0"]);
    expect((await get("/nope"))[0]).toBe(404);
    expect((await get("/v2/pipeline"))[0]).toBe(405);
  });
});

describe("encoding", () => {
  test("encodes values, columns and counters exactly as sqld does", async () => {
    const r = await pipeline(t().url, {
      requests: [
        execute("CREATE TABLE enc_t (i INTEGER, r REAL, s TEXT, b BLOB)"),
        execute("INSERT INTO enc_t VALUES (?, ?, ?, ?), (?, ?, ?, ?)", {
          args: [
            { type: "integer", value: "9007199254740993" },
            { type: "float", value: 1.5 },
            { type: "text", value: "😀" },
            { type: "blob", base64: "AQ==" },
            { type: "integer", value: "-9223372036854775808" },
            { type: "float", value: 2 },
            { type: "null" },
            { type: "blob", base64: "AQI" },
          ],
        }),
        execute("SELECT i, r, s, b, NULL, -0.0 FROM enc_t"),
        { type: "close" },
      ],
    });
    const [create, insert, select, close] = results(r);
    expect(create.response.result).toMatchObject({
      affected_row_count: 0,
      last_insert_rowid: null,
    });
    expect(insert.response.result).toMatchObject({
      cols: [],
      rows: [],
      affected_row_count: 2,
      last_insert_rowid: "2",
    });
    const result = select.response.result;
    expect(result.cols).toEqual([
      { name: "i", decltype: "INTEGER" },
      { name: "r", decltype: "REAL" },
      { name: "s", decltype: "TEXT" },
      { name: "b", decltype: "BLOB" },
      { name: "NULL", decltype: null },
      { name: "-0.0", decltype: null },
    ]);
    expect(result.rows).toEqual([
      [
        { type: "integer", value: "9007199254740993" },
        { type: "float", value: 1.5 },
        { type: "text", value: "😀" },
        { type: "blob", base64: "AQ" },
        { type: "null" },
        { type: "float", value: -0 },
      ],
      [
        { type: "integer", value: "-9223372036854775808" },
        { type: "float", value: 2 },
        { type: "null" },
        { type: "blob", base64: "AQI" },
        { type: "null" },
        { type: "float", value: -0 },
      ],
    ]);
    expect(Object.is(result.rows[0][5].value, -0)).toBe(true);
    expect(result).toMatchObject({ affected_row_count: 0, last_insert_rowid: null, rows_read: 2 });
    expect(typeof result.query_duration_ms).toBe("number");
    expect(close).toEqual({ type: "ok", response: { type: "close" } });
    expect([r.json.baton, r.json.base_url]).toEqual([null, null]);
  });

  test("reports lastInsertRowid beyond 2^53 exactly and rowsAffected for INSERT … RETURNING", async () => {
    const db = createClient({ url: t().url, intMode: "bigint" });
    await db.execute("CREATE TABLE rid_t (id INTEGER PRIMARY KEY, x TEXT)");
    const big = await db.execute("INSERT INTO rid_t (id, x) VALUES (9007199254740993, 'a')");
    expect(big.lastInsertRowid).toBe(9007199254740993n);
    const ret = await db.execute("INSERT INTO rid_t (x) VALUES ('b'), ('c') RETURNING id, x");
    expect(ret.rows.map((row) => [row[0], row[1]])).toEqual([
      [9007199254740994n, "b"],
      [9007199254740995n, "c"],
    ]);
    expect([ret.rowsAffected, ret.lastInsertRowid]).toEqual([2, 9007199254740995n]);
    const upd = await db.execute("UPDATE rid_t SET x = 'z' RETURNING id");
    expect([upd.rowsAffected, upd.lastInsertRowid]).toEqual([3, undefined]);
    db.close();
  });
});

describe("statement errors", () => {
  test("one stmt must hold exactly one statement", async () => {
    const r = await pipeline(t().url, {
      requests: [
        execute("SELECT 1; SELECT 2"),
        execute("  -- nothing here\n ;"),
        execute("SELECT 3; -- a trailing comment is fine"),
        { type: "close" },
      ],
    });
    const [many, none, ok] = results(r);
    expect(many).toEqual(
      stmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS"),
    );
    expect(none).toEqual(
      stmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT"),
    );
    expect(ok.response.result.rows).toEqual([[{ type: "integer", value: "3" }]]);
    const db = createClient({ url: t().url });
    const err = await db.execute("SELECT 1; SELECT 2").catch((e: unknown) => e);
    expect((err as LibsqlError).code).toBe("SQL_MANY_STATEMENTS");
    db.close();
  });

  test("arguments are checked like sqld's Params::bind", async () => {
    const one = { type: "integer", value: "1" };
    const r = await pipeline(t().url, {
      requests: [
        execute("SELECT ?", { args: [one], named_args: [{ name: "a", value: one }] }),
        execute("SELECT ?", { args: [one, one] }),
        execute("SELECT ?, ?", { args: [one] }),
        execute("SELECT :a, :b", { named_args: [{ name: "a", value: one }] }),
        execute("SELECT :a", { args: [one] }),
        execute("SELECT ?2, ?1", { args: [one, { type: "text", value: "two" }] }),
        { type: "close" },
      ],
    });
    const [both, tooMany, missing, missingNamed, positionalForNamed, numbered] = results(r);
    expect(both).toEqual(
      stmtError(
        "Specifying both positional and named arguments is not supported",
        "ARGS_BOTH_POSITIONAL_AND_NAMED",
      ),
    );
    const invalid = (detail: string) =>
      stmtError(`Arguments do not match SQL parameters: ${detail}`, "ARGS_INVALID");
    expect(tooMany).toEqual(invalid("too many parameters, expected 1 found 2"));
    expect(missing).toEqual(invalid("value for parameter 2 not found"));
    expect(missingNamed).toEqual(invalid("value for parameter :b not found"));
    expect(positionalForNamed).toEqual(invalid("value for parameter :a not found"));
    expect(numbered.response.result.rows).toEqual([[{ type: "text", value: "two" }, one]]);
  });

  test("SQLite failures carry primary codes and sqld's message prefixes", async () => {
    const r = await pipeline(t().url, {
      requests: [
        execute("CREATE TABLE err_t (x TEXT UNIQUE)"),
        execute("INSERT INTO err_t VALUES ('a')"),
        execute("INSERT INTO err_t VALUES ('a')"),
        execute("SELEC 1"),
        execute("SELECT * FROM err_missing"),
        execute("COMMIT"),
        { type: "close" },
      ],
    });
    const [, , unique, syntax, missing, commit] = results(r);
    expect(unique).toEqual(
      stmtError("SQLite error: UNIQUE constraint failed: err_t.x", "SQLITE_CONSTRAINT"),
    );
    expect(syntax).toEqual(
      stmtError('SQL string could not be parsed: near "SELEC": syntax error', "SQL_PARSE_ERROR"),
    );
    expect(missing).toEqual(
      stmtError("SQL input error: no such table: err_missing", "SQL_INPUT_ERROR"),
    );
    expect(commit).toEqual(
      stmtError("SQLite error: cannot commit - no transaction is active", "SQLITE_UNKNOWN"),
    );
  });
});

describe("batch", () => {
  test("a failing step does not abort the batch, conditions see it, and the transaction stays open", async () => {
    const ok = (step: number) => ({ type: "ok", step });
    const first = await pipeline(t().url, {
      requests: [
        execute("CREATE TABLE bt_t (x TEXT UNIQUE)"),
        {
          type: "batch",
          batch: {
            steps: [
              { stmt: { sql: "BEGIN" } },
              { stmt: { sql: "INSERT INTO bt_t VALUES ('a')" } },
              { stmt: { sql: "INSERT INTO bt_t VALUES ('a')" } },
              { stmt: { sql: "INSERT INTO bt_t VALUES ('b')" } },
              { condition: ok(2), stmt: { sql: "SELECT 'skipped'" } },
              { condition: { type: "error", step: 2 }, stmt: { sql: "SELECT 'ran'" } },
              {
                condition: { type: "error", step: 4 },
                stmt: { sql: "SELECT 'skipped counts as error'" },
              },
              {
                condition: { type: "and", conds: [ok(1), { type: "not", cond: ok(2) }] },
                stmt: { sql: "SELECT 'and'" },
              },
              { condition: { type: "or", conds: [ok(2), ok(4)] }, stmt: { sql: "SELECT 'or'" } },
            ],
          },
        },
      ],
    });
    const batch = results(first)[1].response.result;
    const ran = batch.step_results.map((s: unknown) => s !== null);
    expect(ran).toEqual([true, true, false, true, false, true, true, true, false]);
    expect(batch.step_errors.map((e: { code: string } | null) => e?.code ?? null)).toEqual([
      ...[null, null, "SQLITE_CONSTRAINT"],
      ...[null, null, null, null, null, null],
    ]);
    const done = await pipeline(t().url, {
      baton: first.json.baton,
      requests: [execute("COMMIT"), execute("SELECT x FROM bt_t ORDER BY x"), { type: "close" }],
    });
    expect(results(done)[1].response.result.rows).toEqual([
      [{ type: "text", value: "a" }],
      [{ type: "text", value: "b" }],
    ]);
  });

  test("a syntax error in any step fails the whole batch before a step runs", async () => {
    const db = createClient({ url: t().url });
    await db.execute("CREATE TABLE bs_t (x)");
    const err = await db
      .batch(["INSERT INTO bs_t VALUES (1)", "SELEC 2"], "write")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    expect(err).not.toBeInstanceOf(LibsqlBatchError);
    expect((err as LibsqlError).code).toBe("SQL_PARSE_ERROR");
    expect((await db.execute("SELECT count(*) FROM bs_t")).rows[0]?.[0]).toBe(0);
    db.close();
  });

  test("a condition naming the current or a later step is a 400 protocol error", async () => {
    const r = await pipeline(t().url, {
      requests: [
        {
          type: "batch",
          batch: { steps: [{ condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 1" } }] },
        },
      ],
    });
    expect([r.status, r.text]).toEqual([400, "Invalid reference to step in a batch condition"]);
  });
});

describe("protocol versions", () => {
  test("/v2 rejects the v3-only is_autocommit condition and get_autocommit with 400", async () => {
    const cond = await pipeline(t().url, {
      requests: [
        {
          type: "batch",
          batch: { steps: [{ condition: { type: "is_autocommit" }, stmt: { sql: "SELECT 1" } }] },
        },
      ],
    });
    expect([cond.status, cond.contentType, cond.text]).toEqual([
      400,
      "text/plain",
      "BatchCond of type `is_autocommit` is only supported in protocol version hrana3 and higher",
    ]);
    const get = await pipeline(t().url, { requests: [{ type: "get_autocommit" }] });
    expect([get.status, get.text]).toEqual([
      400,
      "The `get_autocommit` request is only supported in protocol version hrana3 and higher",
    ]);
  });

  test("/v3 evaluates is_autocommit and answers get_autocommit", async () => {
    const autocommit = { type: "is_autocommit" };
    const r = await pipeline(
      t().url,
      {
        requests: [
          { type: "get_autocommit" },
          execute("BEGIN"),
          { type: "get_autocommit" },
          {
            type: "batch",
            batch: {
              steps: [
                { condition: autocommit, stmt: { sql: "SELECT 1" } },
                { condition: { type: "not", cond: autocommit }, stmt: { sql: "SELECT 2" } },
              ],
            },
          },
          execute("ROLLBACK"),
          { type: "close" },
        ],
      },
      { version: 3 },
    );
    const [before, , during, batch] = results(r);
    expect(before.response).toEqual({ type: "get_autocommit", is_autocommit: true });
    expect(during.response).toEqual({ type: "get_autocommit", is_autocommit: false });
    expect(batch.response.result.step_results.map((s: unknown) => s !== null)).toEqual([
      false,
      true,
    ]);
  });
});

describe("describe", () => {
  test("describes parameters, columns and whether a statement reads or explains", async () => {
    const describeSql = (sql: string) => ({ type: "describe", sql });
    const r = await pipeline(t().url, {
      requests: [
        execute("CREATE TABLE d_t (id INTEGER, name TEXT)"),
        describeSql("SELECT id, name AS n FROM d_t WHERE id = :id AND name = ?2"),
        describeSql("INSERT INTO d_t VALUES (1, 'x')"),
        describeSql("EXPLAIN SELECT 1"),
        { type: "close" },
      ],
    });
    const [, select, insert, explain] = results(r);
    expect(select.response).toEqual({
      type: "describe",
      result: {
        params: [{ name: ":id" }, { name: "?2" }],
        cols: [
          { name: "id", decltype: "INTEGER" },
          { name: "n", decltype: "TEXT" },
        ],
        is_explain: false,
        is_readonly: true,
      },
    });
    expect(insert.response.result).toEqual({
      params: [],
      cols: [],
      is_explain: false,
      is_readonly: false,
    });
    expect([explain.response.result.is_explain, explain.response.result.is_readonly]).toEqual([
      true,
      true,
    ]);
  });
});

describe("stored SQL", () => {
  test("store_sql texts live across a stream's requests, up to 50 texts of 5000 bytes", async () => {
    const store = (id: number, sql = "SELECT 1") => ({ type: "store_sql", sql_id: id, sql });
    const first = await pipeline(t().url, {
      requests: [
        ...Array.from({ length: 50 }, (_, i) => store(i, `SELECT ${i}`)),
        store(50),
        { type: "close_sql", sql_id: 49 },
        store(49, `SELECT '${"x".repeat(5000)}'`),
      ],
    });
    const res = results(first);
    expect(res[50]).toEqual(
      stmtError(
        "The server already stores 50 SQL texts, it cannot store more",
        "SQL_STORE_TOO_MANY",
      ),
    );
    expect(res[52].error.code).toBe("SQL_STORE_TOO_LARGE");
    const second = await pipeline(t().url, {
      baton: first.json.baton,
      requests: [
        { type: "execute", stmt: { sql_id: 7 } },
        { type: "sequence", sql_id: 8 },
      ],
    });
    expect(results(second)[0].response.result.rows).toEqual([[{ type: "integer", value: "7" }]]);
    const dup = await pipeline(t().url, { baton: second.json.baton, requests: [store(0)] });
    expect([dup.status, dup.text]).toEqual([400, "SQL text 0 already exists"]);
    const missing = await pipeline(t().url, {
      requests: [{ type: "execute", stmt: { sql_id: 99 } }],
    });
    expect([missing.status, missing.text]).toEqual([400, "SQL text 99 not found"]);
  });
});

describe("malformed requests", () => {
  test("malformed JSON and unknown request or value types get 400 text/plain", async () => {
    const bad = await pipeline(t().url, "{not json");
    expect([bad.status, bad.contentType]).toEqual([400, "text/plain"]);
    expect(bad.text.startsWith("Cannot deserialize client message from JSON: ")).toBe(true);
    const noRequests = await pipeline(t().url, { baton: null });
    expect(noRequests.text).toBe(
      "Cannot deserialize client message from JSON: expected requests to be an array",
    );
    const unknown = await pipeline(t().url, { requests: [{ type: "fly" }] });
    expect([unknown.status, unknown.text]).toEqual([400, "StreamRequest type not recognized"]);
    const badValue = await pipeline(t().url, {
      requests: [execute("SELECT ?", { args: [{ type: "integer", value: 5 }] })],
    });
    expect(badValue.text).toBe(
      "Cannot deserialize client message from JSON: invalid integer value",
    );
  });
});

describe("auth", () => {
  const secured = forSuite(() => startTestServer({ authToken: "s3cret" }));

  test("pipelines need the bearer token when one is configured; health does not", async () => {
    for (const authToken of [undefined, "wrong"]) {
      const db = createClient({ url: secured().url, authToken });
      const err = await db.execute("SELECT 1").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LibsqlError);
      expect((err as LibsqlError).message).toContain("HTTP status 401");
      db.close();
    }
    const raw = await pipeline(secured().url, { requests: [] }, { token: "wrong" });
    expect([raw.status, raw.contentType, raw.json]).toEqual([
      401,
      "application/json",
      { error: "Unauthorized: invalid token" },
    ]);
    const db = createClient({ url: secured().url, authToken: "s3cret" });
    expect((await db.execute("SELECT 42")).rows[0]?.[0]).toBe(42);
    db.close();
    expect((await fetch(`${secured().url}/health`)).status).toBe(200);
  });
});
