// The narrow storage surface Durable Object logic is written against: the subset of
// `ctx.storage` (`sql.exec`, `transactionSync`) that workerd provides. Node tests
// implement it over the libsql engine, so the same logic runs in both.

export type SqlValue = string | number | null | ArrayBuffer | Uint8Array;
export type SqlRow = Record<string, SqlValue>;

export interface SqlCursor<T extends SqlRow> {
  toArray(): T[];
  one(): T;
}

export interface SqlStore {
  sql: { exec<T extends SqlRow = SqlRow>(query: string, ...bindings: SqlValue[]): SqlCursor<T> };
  transactionSync<T>(fn: () => T): T;
}

/** Whether `migrate` ever ran on this store (a read of sqlite_master, which writes nothing). */
export function schemaExists(store: SqlStore): boolean {
  return (
    store.sql
      .exec("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = '_migrations'")
      .toArray().length > 0
  );
}

/**
 * Append-only schema migrations: entry i is applied once, in order, and the recorded
 * prefix must match the code's, so an edited past migration fails loudly instead of
 * leaving two DOs with different schemas.
 */
export function migrate(store: SqlStore, migrations: readonly string[]): void {
  store.sql.exec(
    "CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY, sql TEXT NOT NULL)",
  );
  store.transactionSync(() => {
    const applied = store.sql
      .exec<{ id: number; sql: string }>("SELECT id, sql FROM _migrations ORDER BY id")
      .toArray();
    if (applied.length > migrations.length) {
      throw new Error(`storage has ${applied.length} migrations, code knows ${migrations.length}`);
    }
    applied.forEach((row, i) => {
      if (row.id !== i || row.sql !== migrations[i])
        throw new Error(`migration ${i} was changed after it was applied`);
    });
    for (let i = applied.length; i < migrations.length; i++) {
      for (const statement of migrations[i]!.split(";")
        .map((s) => s.trim())
        .filter(Boolean)) {
        store.sql.exec(statement);
      }
      store.sql.exec("INSERT INTO _migrations (id, sql) VALUES (?, ?)", i, migrations[i]!);
    }
  });
}
