// SqlStore over the libsql engine in Node: lets DO logic run in plain vitest with the same
// SQLite semantics it has inside workerd.
import Database from "libsql";
import type { SqlCursor, SqlRow, SqlStore, SqlValue } from "./sql-store.ts";

export function openLibsqlStore(path = ":memory:"): SqlStore & { close(): void } {
  const db = new Database(path);
  let depth = 0;
  return {
    sql: {
      exec<T extends SqlRow>(query: string, ...bindings: SqlValue[]): SqlCursor<T> {
        const stmt = db.prepare(query);
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
