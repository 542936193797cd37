// Drizzle's two migration paths — the libsql migrator API and the drizzle-kit CLI — applied
// through the local server to a migration folder written here.

import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { createClient } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeTempDir, startTestServer } from "./harness.ts";

const DRIZZLE_KIT = resolve(import.meta.dirname, "../../node_modules/.bin/drizzle-kit");

async function writeMigrations(dir: string): Promise<string> {
  const folder = join(dir, "migrations");
  await mkdir(join(folder, "meta"), { recursive: true });
  await writeFile(
    join(folder, "0000_customers.sql"),
    [
      "CREATE TABLE `customers` (`id` integer PRIMARY KEY NOT NULL, `name` text NOT NULL);",
      "CREATE UNIQUE INDEX `customers_name_unique` ON `customers` (`name`);",
    ].join("\n--> statement-breakpoint\n"),
  );
  await writeFile(
    join(folder, "0001_orders.sql"),
    [
      "CREATE TABLE `orders` (`id` integer PRIMARY KEY NOT NULL, `customer_id` integer NOT NULL REFERENCES `customers`(`id`));",
      "INSERT INTO `customers` (`id`, `name`) VALUES (1, 'seed');",
    ].join("\n--> statement-breakpoint\n"),
  );
  const entry = (idx: number, tag: string) => ({
    idx,
    version: "6",
    when: 1_700_000_000_000 + idx,
    tag,
    breakpoints: true,
  });
  const journal = {
    version: "7",
    dialect: "sqlite",
    entries: [entry(0, "0000_customers"), entry(1, "0001_orders")],
  };
  await writeFile(join(folder, "meta", "_journal.json"), JSON.stringify(journal));
  return folder;
}

const tablesAndLedger = async (url: string) => {
  const db = createClient({ url });
  try {
    const tables = await db.execute(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('customers', 'orders') ORDER BY name",
    );
    const ledger = await db.execute("SELECT count(*) FROM __drizzle_migrations");
    const seed = await db.execute("SELECT name FROM customers");
    return {
      tables: tables.rows.map((r) => r[0]),
      applied: ledger.rows[0]?.[0],
      customers: seed.rows.map((r) => r[0]),
    };
  } finally {
    db.close();
  }
};

/** Runs `apply` against a fresh server: both migrations are then there, each applied once. */
async function expectMigratedBy(apply: (url: string) => Promise<void>) {
  const t = await startTestServer();
  try {
    await apply(t.url);
    expect(await tablesAndLedger(t.url)).toEqual({
      tables: ["customers", "orders"],
      applied: 2,
      customers: ["seed"],
    });
  } finally {
    await t.stop();
  }
}

describe("drizzle migrations through the local server", () => {
  let dir: string;
  let folder: string;
  beforeAll(async () => {
    dir = await makeTempDir("libsql-drizzle-");
    folder = await writeMigrations(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("drizzle-orm's libsql migrator applies a folder once and skips it the second time", () =>
    expectMigratedBy(async (url) => {
      const client = createClient({ url });
      const db = drizzle(client);
      await migrate(db, { migrationsFolder: folder });
      await migrate(db, { migrationsFolder: folder });
      client.close();
    }));

  test("the drizzle-kit migrate CLI applies the folder with dialect turso", () =>
    expectMigratedBy(async (url) => {
      const config = join(dir, "drizzle.config.json");
      const settings = { dialect: "turso", out: folder, dbCredentials: { url } };
      await writeFile(config, JSON.stringify(settings));
      const { stdout } = await promisify(execFile)(DRIZZLE_KIT, ["migrate", "--config", config], {
        cwd: dir,
        timeout: 20_000,
      });
      expect(stdout).toContain("migrations applied successfully");
    }));
});
