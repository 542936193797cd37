// SqlStore over the libsql engine in Node: lets DO logic run in plain vitest (and the
// simulator, chaos/sim) with the same SQLite semantics it has inside workerd. Statements are
// prepared once per query text: the engine's queries are a fixed set of literals, and the
// simulator runs thousands of them per seed.
import Database from "libsql";
import type { SqlCursor, SqlRow, SqlStore, SqlValue } from "./sql-store.ts";

type Prepared = {
  all(...b: SqlValue[]): unknown[];
  run(...b: SqlValue[]): unknown;
  reader: boolean;
};

export function openLibsqlStore(path = ":memory:"): SqlStore & { close(): void } {
  const db = new Database(path);
  const statements = new Map<string, Prepared>();
  let depth = 0;
  return {
    sql: {
      exec<T extends SqlRow>(query: string, ...bindings: SqlValue[]): SqlCursor<T> {
        let stmt = statements.get(query);
        if (!stmt) {
          stmt = db.prepare(query) as unknown as Prepared;
          statements.set(query, stmt);
        }
        let rows: T[] = [];
        if (stmt.reader) rows = stmt.all(...bindings) as T[];
        else stmt.run(...bindings);
        return {
          toArray: () => rows,
          one: () => {
            if (rows.length !== 1) throw new Error(`expected exactly one row, got ${rows.length}`);
            return rows[0]!;
          },
        };
      },
    },
    transactionSync<T>(fn: () => T): T {
      // Like workerd, nested calls join the outer transaction.
      if (depth > 0) return fn();
      db.exec("BEGIN IMMEDIATE");
      depth++;
      try {
        const result = fn();
        db.exec("COMMIT");
        return result;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      } finally {
        depth--;
      }
    },
    close: () => db.close(),
  };
}
