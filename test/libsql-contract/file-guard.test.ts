// The local libSQL server is safe on a laptop: it takes a token, and whoever holds it can
// reach the database and nothing else. ATTACH, DETACH, VACUUM INTO, file pragmas and the
// engine's bundled fileio functions are refused as sqld refuses them (SQLITE_AUTH), through
// the vendor client in every request form, and no file is read or written.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient, LibsqlError } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";

const TOKEN = "guard-token-0123456789";
let t: TestServer;
let db: Client;

beforeAll(async () => {
  t = await startTestServer({ authToken: TOKEN });
  db = createClient({ url: t.url, authToken: TOKEN });
  await db.execute("CREATE TABLE notes (body TEXT)");
});
afterAll(async () => {
  db.close();
  await t.stop();
});

async function refused(run: () => Promise<unknown>): Promise<LibsqlError> {
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LibsqlError);
  return err as LibsqlError;
}

describe("the libSQL server refuses statements that reach other files", () => {
  test("ATTACH and DETACH are not authorized, and no attached file appears", async () => {
    const target = join(t.dir, "attached.db");
    const err = await refused(() => db.execute(`ATTACH DATABASE '${target}' AS other`));
    expect(err.code).toBe("SQLITE_AUTH");
    expect(err.message).toContain("ATTACH is disabled");
    expect(existsSync(target)).toBe(false);
    expect((await refused(() => db.execute("DETACH DATABASE other"))).code).toBe("SQLITE_AUTH");
    // Comments and case do not hide it.
    const hidden = `/* x */ attach -- y\n '${target}' AS o`;
    expect((await refused(() => db.execute(hidden))).code).toBe("SQLITE_AUTH");
  });

  test("fileio functions, VACUUM INTO and directory pragmas are refused", async () => {
    const out = join(t.dir, "written.txt");
    for (const sql of [
      "SELECT readfile('/etc/passwd')",
      `SELECT writefile('${out}', 'x')`,
      `SELECT "writefile"('${out}', 'x')`,
      "SELECT name FROM fsdir('/')",
      "SELECT load_extension('/tmp/nope')",
      `VACUUM INTO '${join(t.dir, "copy.db")}'`,
      "PRAGMA temp_store_directory = '/tmp'",
      `INSERT INTO notes SELECT readfile('/etc/hostname')`,
    ]) {
      const err = await refused(() => db.execute(sql));
      expect({ sql, code: err.code }).toEqual({ sql, code: "SQLITE_AUTH" });
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(t.dir, "copy.db"))).toBe(false);
  });

  test("batches and multi-statement scripts are checked statement by statement", async () => {
    const out = join(t.dir, "batch.txt");
    await refused(() =>
      db.batch(["INSERT INTO notes VALUES ('a')", `SELECT writefile('${out}', 'x')`], "write"),
    );
    await refused(() =>
      db.executeMultiple(`INSERT INTO notes VALUES ('b'); SELECT writefile('${out}', 'x');`),
    );
    expect(existsSync(out)).toBe(false);
  });

  test("ordinary statements, and the same words as data, still work", async () => {
    await db.execute({ sql: "INSERT INTO notes VALUES (?)", args: ["readfile('/etc/passwd')"] });
    await db.execute("INSERT INTO notes VALUES ('attach writefile')");
    const rows = await db.execute("SELECT count(*) AS n FROM notes WHERE body LIKE '%file%'");
    expect(Number(rows.rows[0]?.n)).toBeGreaterThanOrEqual(2);
    expect(readFileSync(t.dbPath).length).toBeGreaterThan(0);
  });
});
