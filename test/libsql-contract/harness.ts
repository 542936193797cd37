// Test plumbing for the libSQL server: temp directories, servers that tests start and stop
// themselves, and raw Hrana requests for checks the client cannot express.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type LibsqlServer,
  type LibsqlServerOptions,
  startLibsqlServer,
} from "../../local/libsql-server/server.ts";

export interface TestServer {
  server: LibsqlServer;
  url: string;
  dir: string;
  dbPath: string;
  stop(): Promise<void>;
}

export async function makeTempDir(prefix = "libsql-contract-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A server on a free port over a database in a fresh temp dir (nested, to check mkdir). */
export async function startTestServer(
  opts: Partial<LibsqlServerOptions> = {},
): Promise<TestServer> {
  const dir = await makeTempDir();
  const dbPath = join(dir, "nested", "libsql.db");
  const server = await startLibsqlServer({ port: 0, dbPath, logLevel: "warn", ...opts });
  return {
    server,
    url: server.url,
    dir,
    dbPath,
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RawReply {
  status: number;
  contentType: string | null;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: raw wire bodies are inspected field by field
  json: any;
}

/** POSTs a pipeline body as-is; `body` may be a string to send malformed JSON. */
export async function pipeline(
  url: string,
  body: unknown,
  opts: { version?: 2 | 3; token?: string } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${url}/v${opts.version ?? 2}/pipeline`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const contentType = res.headers.get("content-type");
  const json = contentType === "application/json" ? JSON.parse(text) : undefined;
  return { status: res.status, contentType, text, json };
}

export const execute = (sql: string, extra: Record<string, unknown> = {}) => ({
  type: "execute",
  stmt: { sql, ...extra },
});
