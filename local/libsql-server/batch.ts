// Multi-statement requests: `batch` (conditional steps; a failing step is recorded, never fatal)
// and `sequence` (stops at the first error), plus the optional `describe`.

import type { BusyPolicy } from "./busy.ts";
import { HttpError, isSqliteError, StmtError, stmtErrorFromSqlite } from "./errors.ts";
import { analyzeStatement, splitStatements } from "./sql-text.ts";
import { type Connection, checkSyntax, compileStmt, executeStmt } from "./statement.ts";
import type { BatchCond, BatchResult, BatchStep } from "./wire.ts";

function checkCond(cond: BatchCond, stepIndex: number): void {
  switch (cond.type) {
    case "ok":
    case "error":
      if (cond.step < 0 || cond.step >= stepIndex) {
        throw HttpError.protocol("Invalid reference to step in a batch condition");
      }
      return;
    case "not":
      checkCond(cond.cond, stepIndex);
      return;
    case "and":
    case "or":
      for (const c of cond.conds) checkCond(c, stepIndex);
      return;
    case "is_autocommit":
      return;
  }
}

// As sqld's eval_cond: `error(i)` is `!ok(i)`, so it also holds for a skipped step.
function evalCond(cond: BatchCond, ok: boolean[], conn: Connection): boolean {
  switch (cond.type) {
    case "ok":
      return ok[cond.step] === true;
    case "error":
      return ok[cond.step] !== true;
    case "not":
      return !evalCond(cond.cond, ok, conn);
    case "and":
      return cond.conds.every((c) => evalCond(c, ok, conn));
    case "or":
      return cond.conds.some((c) => evalCond(c, ok, conn));
    case "is_autocommit":
      return !conn.inTransaction;
  }
}

/**
 * Every step is checked before any runs, so a parse error fails the whole request (a
 * `StmtError`) and a bad `sql_id` or condition fails the HTTP request, as in sqld.
 */
export async function executeBatch(
  conn: Connection,
  steps: BatchStep[],
  sqls: Map<number, string>,
  busy: BusyPolicy,
): Promise<BatchResult> {
  const compiled = steps.map((step, i) => {
    const c = compileStmt(step.stmt, sqls, conn);
    if (step.condition) checkCond(step.condition, i);
    return c;
  });
  const result: BatchResult = { step_results: [], step_errors: [] };
  const ok: boolean[] = [];
  for (const [i, c] of compiled.entries()) {
    const condition = steps[i]?.condition;
    if (condition && !evalCond(condition, ok, conn)) {
      result.step_results.push(null);
      result.step_errors.push(null);
      ok.push(false);
      continue;
    }
    try {
      result.step_results.push(await executeStmt(conn, c, busy));
      result.step_errors.push(null);
      ok.push(true);
    } catch (e) {
      if (!(e instanceof StmtError)) throw e;
      result.step_results.push(null);
      result.step_errors.push({ message: e.message, code: e.code });
      ok.push(false);
    }
  }
  return result;
}

/** Runs each statement of `sql` without arguments; the first failure is the request's error. */
export async function executeSequence(conn: Connection, sql: string, busy: BusyPolicy) {
  const statements = splitStatements(sql);
  for (const s of statements) checkSyntax(conn, s);
  for (const s of statements) {
    const info = analyzeStatement(s);
    await executeStmt(conn, { sql: s, info, args: [], namedArgs: [] }, busy);
  }
}

export function describeStmt(conn: Connection, sql: string) {
  const statements = splitStatements(sql);
  if (statements.length === 0) {
    throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  }
  if (statements.length > 1) {
    throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  }
  const info = analyzeStatement(statements[0] as string);
  try {
    const stmt = conn.prepare(sql);
    return {
      params: info.paramNames.map((name) => ({ name })),
      cols: stmt.columns().map((col) => ({ name: col.name, decltype: col.type ?? null })),
      is_explain: info.kind === "explain",
      // The engine does not expose sqlite3_stmt_readonly; this is the parser's view.
      is_readonly: info.kind === "select" || info.kind === "explain",
    };
  } catch (e) {
    throw isSqliteError(e) ? stmtErrorFromSqlite(e, "prepare") : e;
  }
}
