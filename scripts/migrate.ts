// Applies the read-model migrations in migrations/ to a libSQL server, in-process with
// drizzle's migrator (the same journal drizzle-kit migrate uses, without a subprocess).
import { resolve } from "node:path";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";

export const MIGRATIONS_DIR = resolve(import.meta.dirname, "..", "migrations");

export async function applyMigrations(libsqlUrl: string, authToken?: string): Promise<void> {
  const client = createClient({ url: libsqlUrl, ...(authToken ? { authToken } : {}) });
  try {
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
  } finally {
    client.close();
  }
}
