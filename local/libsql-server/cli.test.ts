// The CLI as an operator runs it: flags, env token, debug access log, and a clean SIGTERM.

import { join, resolve } from "node:path";
import Database from "libsql";
import { describe, test } from "vitest";
import { cliUnderTest, tempDirForSuite, waitFor } from "../../test/support/cli-harness.ts";

const cli = cliUnderTest(resolve(import.meta.dirname, "cli.ts"));
const TOKEN = "cli-token-0123456789";

// Concurrent: each test pays for a process start, and they share nothing but the temp dir.
describe.concurrent("libsql-server CLI", () => {
  const dir = tempDirForSuite("libsql-cli-");

  test("--help prints usage and exits 0", async ({ expect }) => {
    expect(await cli.usage()).toContain("Usage: tsx local/libsql-server/cli.ts --db <path>");
  });

  test("an unknown flag, a bad port or no token of 16+ characters: a readable error, exit 2", async ({
    expect,
  }) => {
    const db = join(dir(), "refused.db");
    const noToken = "set LIBSQL_AUTH_TOKEN (or --auth-token), 16+ characters";
    const unexpected = await cli.unrefused([
      { args: ["--db", db, "--bogus"], says: "Unknown option '--bogus'" },
      { args: ["--db", db, "--port", "http"], says: "--port must be an integer in 0..65535" },
      { args: ["--db", db], env: { LIBSQL_AUTH_TOKEN: "" }, says: noToken },
      { args: ["--db", db, "--auth-token", "tok"], says: noToken },
    ]);
    expect(unexpected).toEqual([]);
  });

  test("serves with the env token until SIGTERM, then rolls back and exits 0", async ({
    expect,
  }) => {
    const dbPath = join(dir(), "created", "by-cli.db");
    const server = cli.start(["--port", "0", "--db", dbPath, "--log-level", "debug"], {
      LIBSQL_AUTH_TOKEN: TOKEN,
    });
    const url = await waitFor(server.output, /listening on (http:\/\/\S+)/, server.child);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const post = (token: string | null, requests: unknown[]) =>
      fetch(`${url}/v2/pipeline`, {
        method: "POST",
        headers: token ? { authorization: `Bearer ${token}` } : {},
        body: JSON.stringify({ requests }),
      });
    expect((await post(null, [])).status).toBe(401);
    const exec = (sql: string) => ({ type: "execute", stmt: { sql } });
    const setup = await post(TOKEN, [exec("CREATE TABLE cli_t (x)"), { type: "close" }]);
    expect(setup.status).toBe(200);
    const open = await post(TOKEN, [exec("BEGIN"), exec("INSERT INTO cli_t VALUES (1)")]);
    const { baton } = (await open.json()) as { baton: unknown };
    expect(typeof baton).toBe("string");

    server.child.kill("SIGTERM");
    const { code, stderr } = await server.exited;
    expect(code).toBe(0);
    expect(stderr).toMatch(/debug libsql-server: POST \/v2\/pipeline 200 [\d.]+ms requests=2/);
    expect(stderr).toContain("info libsql-server: stopped");
    const db = new Database(dbPath);
    expect(db.prepare("SELECT count(*) FROM cli_t").raw(true).all()).toEqual([[0]]);
    db.close();
  });
});
