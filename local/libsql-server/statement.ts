// One Hrana `Stmt` on one connection: resolving stored SQL, the checks sqld's parser makes,
// binding arguments exactly as sqld's `Params::bind`, and building the `StmtResult`.

import type Database from "libsql";
import { type BusyPolicy, withBusyRetry } from "./busy.ts";
import {
  HttpError,
  isBusyOrLocked,
  isParseFailure,
  isSqliteError,
  StmtError,
  stmtErrorFromSqlite,
} from "./errors.ts";
import { refuseFileAccess } from "./file-guard.ts";
import { analyzeStatement, type StatementInfo, splitStatements } from "./sql-text.ts";
import { type HranaValue, type SqlValue, valueFromSql, valueToSql } from "./values.ts";
import type { Stmt, StmtResult } from "./wire.ts";

export type Connection = Database.Database;

export interface CompiledStmt {
  sql: string;
  info: StatementInfo;
  args: HranaValue[];
  namedArgs: { name: string; value: HranaValue }[];
}

export function resolveSql(sql: string | null, sqlId: number | null, sqls: Map<number, string>) {
  if (sql !== null && sqlId !== null) {
    throw HttpError.protocol("Either `sql` or `sql_id` are required, but not both");
  }
  if (sql !== null) return sql;
  if (sqlId === null) throw HttpError.protocol("Either `sql` or `sql_id` are required");
  const stored = sqls.get(sqlId);
  if (stored === undefined) throw HttpError.protocol(`SQL text ${sqlId} not found`);
  return stored;
}

/** Everything sqld checks before executing. `conn` adds a syntax check (prepare, then discard). */
export function compileStmt(
  stmt: Stmt,
  sqls: Map<number, string>,
  conn?: Connection,
): CompiledStmt {
  const sql = resolveSql(stmt.sql, stmt.sql_id, sqls);
  const statements = splitStatements(sql);
  if (statements.length === 0) {
    throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  }
  if (statements.length > 1) {
    throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  }
  if (conn) checkSyntax(conn, sql);
  if (stmt.args.length > 0 && stmt.named_args.length > 0) {
    throw new StmtError(
      "Specifying both positional and named arguments is not supported",
      "ARGS_BOTH_POSITIONAL_AND_NAMED",
    );
  }
  const info = analyzeStatement(statements[0] as string);
  return { sql, info, args: stmt.args, namedArgs: stmt.named_args };
}

/** Only syntax errors count: later statements may use tables that earlier ones create. */
export function checkSyntax(conn: Connection, sql: string): void {
  try {
    conn.prepare(sql);
  } catch (e) {
    if (isSqliteError(e) && isParseFailure(e)) throw stmtErrorFromSqlite(e, "prepare");
  }
}

const argsInvalid = (detail: string) =>
  new StmtError(`Arguments do not match SQL parameters: ${detail}`, "ARGS_INVALID");

/** Named mode looks up `:a` then `a`; `?NNN` and bare `?` are positional (1-based). */
function bindParams(c: CompiledStmt): SqlValue[] {
  const named = c.namedArgs.length > 0;
  const provided = named ? new Set(c.namedArgs.map((a) => a.name)).size : c.args.length;
  const { paramCount, paramNames } = c.info;
  if (provided > paramCount) {
    throw argsInvalid(`too many parameters, expected ${paramCount} found ${provided}`);
  }
  const byName = new Map(c.namedArgs.map((a) => [a.name, a.value]));
  const out: SqlValue[] = [];
  for (let index = 1; index <= paramCount; index++) {
    const name = paramNames[index - 1] ?? null;
    let value: HranaValue | undefined;
    if (name === null) value = named ? undefined : c.args[index - 1];
    else if (name.startsWith("?")) value = named ? undefined : c.args[Number(name.slice(1)) - 1];
    else value = byName.get(name) ?? byName.get(name.slice(1));
    // sqld stops binding (leaving NULLs) rather than failing for EXPLAIN.
    if (value === undefined && c.info.kind === "explain") break;
    if (value === undefined) throw argsInvalid(`value for parameter ${name ?? index} not found`);
    out.push(valueToSql(value));
  }
  return out;
}

const statsQueries = new WeakMap<Connection, Database.Statement>();

/** `changes()` and `last_insert_rowid()` for DML; run()'s lastInsertRowid is a lossy number. */
function dmlStats(conn: Connection): [bigint, bigint] {
  let stats = statsQueries.get(conn);
  if (!stats) {
    stats = conn.prepare("SELECT changes(), last_insert_rowid()").raw(true).safeIntegers(true);
    statsQueries.set(conn, stats);
  }
  // all(), not get(): a statement left mid-step would pin this connection's read snapshot.
  return (stats.all() as [bigint, bigint][])[0] as [bigint, bigint];
}

const engineError = (e: unknown, phase: "prepare" | "execute") =>
  isSqliteError(e) ? stmtErrorFromSqlite(e, phase) : e;

/**
 * A statement that gave up on SQLITE_BUSY stays "in progress": libsql-js can neither reset nor
 * finalize it, and it would make every later COMMIT on the connection fail. Re-running it under
 * query_only resets it and fails it before it writes anything. COMMIT is left alone, since under
 * query_only it would commit.
 */
function defuse(conn: Connection, run: () => unknown, verb: string): void {
  if (verb === "COMMIT" || verb === "END" || verb === "RELEASE") return;
  const [[previous]] = conn.prepare("PRAGMA query_only").raw(true).all() as [[number]];
  conn.exec("PRAGMA query_only = 1");
  try {
    run();
  } catch {
    // the expected SQLITE_READONLY
  } finally {
    conn.exec(`PRAGMA query_only = ${previous ? 1 : 0}`);
  }
}

/** Executes a compiled statement; SQLite failures come back as `StmtError`. */
export async function executeStmt(
  conn: Connection,
  c: CompiledStmt,
  busy: BusyPolicy,
): Promise<StmtResult> {
  refuseFileAccess(c.sql);
  const params = bindParams(c);
  const started = performance.now();
  let stmt: Database.Statement;
  try {
    stmt = await withBusyRetry(() => conn.prepare(c.sql), busy);
  } catch (e) {
    throw engineError(e, "prepare");
  }
  stmt.safeIntegers(true);
  const reader = stmt.reader;
  // Non-readers must go through run(): raw() refuses them. Retries re-run this same statement,
  // which resets it, rather than preparing a new one and leaving this one in progress.
  if (reader) stmt.raw(true);
  const run = (): unknown[][] => {
    if (reader) return stmt.all(params) as unknown[][];
    stmt.run(params);
    return [];
  };
  let rows: unknown[][];
  try {
    rows = await withBusyRetry(run, busy);
  } catch (e) {
    if (isBusyOrLocked(e)) defuse(conn, run, c.info.verb);
    throw engineError(e, "execute");
  }
  let affected = 0;
  let lastRowid: string | null = null;
  if (c.info.kind === "insert" || c.info.kind === "update" || c.info.kind === "delete") {
    const [changes, rowid] = dmlStats(conn);
    affected = Number(changes);
    if (c.info.kind === "insert") lastRowid = rowid.toString();
  }
  return {
    cols: stmt.columns().map((col) => ({ name: col.name, decltype: col.type ?? null })),
    rows: rows.map((row) => row.map(valueFromSql)),
    affected_row_count: affected,
    last_insert_rowid: lastRowid,
    rows_read: rows.length,
    rows_written: affected,
    query_duration_ms: performance.now() - started,
  };
}
