// The CLI as an operator runs it: flags, env credentials, debug request and delivery logs, and
// a clean SIGTERM that leaves undelivered messages in the data file.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import Database from "libsql";
import { describe, test } from "vitest";
import { cliUnderTest, tempDirForSuite, waitFor } from "../../test/support/cli-harness.ts";

const cli = cliUnderTest(resolve(import.meta.dirname, "cli.ts"));
const CREDENTIALS = {
  QSTASH_TOKEN: "cli-token-0123456789",
  QSTASH_CURRENT_SIGNING_KEY: "sig_cli_current_0123456789",
  QSTASH_NEXT_SIGNING_KEY: "sig_cli_next_0123456789",
};

describe.concurrent("relay CLI", () => {
  const dir = tempDirForSuite("relay-cli-");

  test("--help prints usage and exits 0", async ({ expect }) => {
    const usage = await cli.usage();
    expect(usage).toContain("Usage: tsx local/relay/cli.ts");
    expect(usage).toContain("QSTASH_CURRENT_SIGNING_KEY");
  });

  test("an unknown flag, a bad value, missing credentials or origins: a readable error, exit 2", async ({
    expect,
  }) => {
    const data = join(dir(), "refused.db");
    const origins = ["--allow-origins", "http://127.0.0.1:8801"];
    const unexpected = await cli.unrefused([
      { args: ["--data", data, "--bogus"], says: "Unknown option '--bogus'" },
      {
        args: ["--data", data, "--time-scale", "fast", "--port", "http"],
        says: "--time-scale must be a number",
      },
      {
        args: ["--data", data, ...origins],
        says: "set QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY",
      },
      { args: ["--data", data], env: CREDENTIALS, says: "--allow-origins is required" },
      {
        args: ["--data", data, "--allow-origins", "http://127.0.0.1:8801/v1/x"],
        env: CREDENTIALS,
        says: "is not an http(s) origin",
      },
    ]);
    expect(unexpected).toEqual([]);
  });

  test("serves with env credentials, logs requests and attempts, and stops cleanly on SIGTERM", async ({
    expect,
  }) => {
    const hits: string[] = [];
    const dest = createServer((req, res) => {
      hits.push(String(req.headers["upstash-message-id"]));
      res.writeHead(500).end();
    });
    await new Promise<void>((ok) => dest.listen(0, "127.0.0.1", () => ok()));
    const destUrl = `http://127.0.0.1:${(dest.address() as AddressInfo).port}/hook`;
    const data = join(dir(), "created", "relay.db");
    const origin = new URL(destUrl).origin;
    const relay = cli.start(
      ["--port", "0", "--data", data, "--log-level", "debug", "--allow-origins", origin],
      CREDENTIALS,
    );
    const url = await waitFor(relay.output, /info relay: listening on (http:\/\/\S+)/, relay.child);
    const call = (path: string, token: string, init: RequestInit = {}) =>
      fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });
    expect((await call("/v2/keys", "wrong")).status).toBe(401);
    expect(await (await call("/v2/keys", CREDENTIALS.QSTASH_TOKEN)).json()).toEqual({
      current: CREDENTIALS.QSTASH_CURRENT_SIGNING_KEY,
      next: CREDENTIALS.QSTASH_NEXT_SIGNING_KEY,
    });
    const published = await call(`/v2/publish/${destUrl}`, CREDENTIALS.QSTASH_TOKEN, {
      method: "POST",
      body: "x",
    });
    expect(published.status).toBe(201);
    const { messageId } = (await published.json()) as { messageId: string };
    // At real QStash speed the first retry is 12 s away, so the message is pending at SIGTERM.
    await waitFor(relay.output, /(debug relay: deliver msg_\S+ POST .* status 500)/, relay.child);

    relay.child.kill("SIGTERM");
    const { code, stderr } = await relay.exited;
    dest.close();
    expect(code).toBe(0);
    expect(stderr).toMatch(/debug relay: POST \/v2\/publish\/http:\/\/127\.0\.0\.1:\d+\/hook 201/);
    expect(stderr).toContain("info relay: stopped");
    expect(hits).toEqual([messageId]);
    const db = new Database(data);
    const rows = db.prepare("SELECT id, retried FROM messages").raw(true).all();
    db.close();
    expect(rows).toEqual([[messageId, 1]]);
  });
});
