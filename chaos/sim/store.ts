// A Durable Object's storage in the simulator: in-memory SQLite (libsql), the engine tests'
// store with prepared statements kept per query, since a seed runs thousands of them. It
// outlives a simulated crash: the crash drops the engine, never its store.
import Database from "libsql";
import type {
  SqlCursor,
  SqlRow,
  SqlStore,
  SqlValue,
} from "../../durable-objects/storage/sql-store.ts";

type Prepared = {
  all(...b: SqlValue[]): unknown[];
  run(...b: SqlValue[]): unknown;
  reader: boolean;
};

export type SimStore = SqlStore & { close(): void };

class Cursor<T extends SqlRow> implements SqlCursor<T> {
  constructor(private readonly rows: T[]) {}
  toArray(): T[] {
    return this.rows;
  }
  one(): T {
    if (this.rows.length !== 1)
      throw new Error(`expected exactly one row, got ${this.rows.length}`);
    return this.rows[0]!;
  }
}

export function openSimStore(): SimStore {
  const db = new Database(":memory:");
  const statements = new Map<string, { stmt: Prepared; reader: boolean }>();
  let depth = 0;
  return {
    sql: {
      exec<T extends SqlRow>(query: string, ...bindings: SqlValue[]): SqlCursor<T> {
        let cached = statements.get(query);
        if (!cached) {
          const stmt = db.prepare(query) as unknown as Prepared;
          cached = { stmt, reader: stmt.reader };
          statements.set(query, cached);
        }
        if (!cached.reader) {
          cached.stmt.run(...bindings);
          return new Cursor<T>([]);
        }
        return new Cursor(cached.stmt.all(...bindings) as T[]);
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
