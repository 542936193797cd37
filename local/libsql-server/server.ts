// The local libSQL server: sqld's HTTP surface (Hrana v2/v3 over JSON) in front of the real
// libSQL engine on one WAL-mode file, for tests and local development.

import { mkdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, resolve } from "node:path";
import Database from "libsql";
import { bearerCheck } from "../service-kit/bearer.ts";
import { listen, once, readBody } from "../service-kit/http-server.ts";
import { createLogger, type LogLevel } from "../service-kit/log.ts";
import { handlePipeline } from "./pipeline.ts";
import type { Connection } from "./statement.ts";
import { StreamTable } from "./streams.ts";

export const SERVER_VERSION = "lifeline-libsql-server 0.1.0";
const HELLO = "Hello, this is HTTP API v2 (Hrana over HTTP)";

export interface LibsqlServerOptions {
  /** 0 picks a free port; the real one is returned. */
  port: number;
  host?: string;
  dbPath: string;
  /** When set, pipeline requests need `authorization: Bearer <authToken>`. */
  authToken?: string;
  logLevel?: LogLevel;
  /** Idle time after which a stream is rolled back and closed (sqld: 10 s). */
  streamIdleMs?: number;
  maxStreams?: number;
  /** How long a statement waits for a locked database before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  maxBodyBytes?: number;
}

export interface LibsqlServer {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish, rolls back open streams, checkpoints. */
  close(): Promise<void>;
}

interface Reply {
  status: number;
  contentType?: string;
  body: string;
  requestCount?: number;
  headers?: Record<string, string>;
}
const text = (status: number, body: string): Reply => ({ status, contentType: "text/plain", body });

export async function startLibsqlServer(opts: LibsqlServerOptions): Promise<LibsqlServer> {
  const log = createLogger("libsql-server", opts.logLevel ?? "info");
  const host = opts.host ?? "127.0.0.1";
  const dbPath = resolve(opts.dbPath);
  const maxBodyBytes = opts.maxBodyBytes ?? 10 * 1024 * 1024;
  // sqld's auth failure: 401 with `{"error": …}`, which the client reports as HTTP 401.
  const authFailure = opts.authToken ? bearerCheck(opts.authToken) : () => null;
  mkdirSync(dirname(dbPath), { recursive: true });

  // Held open for the server's life so the WAL survives stream connections coming and going.
  const mainDb: Connection = new Database(dbPath);
  mainDb.exec("PRAGMA busy_timeout=5000");
  mainDb.exec("PRAGMA journal_mode=WAL");

  const shutdown = new AbortController();
  const busy = { timeoutMs: opts.busyTimeoutMs ?? 5000, signal: shutdown.signal };
  const streams = new StreamTable({
    idleMs: opts.streamIdleMs ?? 10_000,
    maxStreams: opts.maxStreams ?? 1000,
    // busy_timeout 0: the engine would block the event loop; busy.ts waits asynchronously.
    openConnection: () => {
      const conn: Connection = new Database(dbPath);
      conn.exec("PRAGMA busy_timeout=0");
      return conn;
    },
    onExpire: (stream) => log.debug(`stream ${stream.id} expired after inactivity`),
  });

  async function route(req: IncomingMessage, path: string): Promise<Reply> {
    const version = path === "/v2/pipeline" ? 2 : path === "/v3/pipeline" ? 3 : null;
    if (version !== null) {
      if (req.method !== "POST")
        return { ...text(405, "Method not allowed"), headers: { allow: "POST" } };
      const denied = authFailure(req.headers.authorization);
      if (denied) {
        const body = JSON.stringify({ error: denied });
        return { status: 401, contentType: "application/json", body };
      }
      const body = (await readBody(req, maxBodyBytes))?.toString("utf8");
      if (body === undefined) {
        const tooLarge = text(413, `Request body exceeds ${maxBodyBytes} bytes`);
        return { ...tooLarge, headers: { connection: "close" } };
      }
      return handlePipeline(body, version, streams, busy);
    }
    const getOnly = (reply: Reply): Reply =>
      req.method === "GET" || req.method === "HEAD"
        ? reply
        : { ...text(405, "Method not allowed"), headers: { allow: "GET" } };
    if (path === "/v2" || path === "/v3") return getOnly(text(200, HELLO));
    if (path === "/health") return getOnly({ status: 200, body: "" });
    if (path === "/version") return getOnly(text(200, SERVER_VERSION));
    // Includes /v3-protobuf: a 404 there makes older clients fall back to JSON.
    return text(404, "Not found");
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    let reply: Reply;
    try {
      reply = shutdown.signal.aborted
        ? { ...text(503, "Server is shutting down"), headers: { connection: "close" } }
        : await route(req, path);
    } catch (e) {
      log.warn(`${req.method} ${path} failed: ${(e as Error)?.stack ?? e}`);
      reply = text(500, "Internal server error");
    }
    const headers: Record<string, string | number> = {
      ...reply.headers,
      "content-length": Buffer.byteLength(reply.body),
    };
    if (reply.contentType) headers["content-type"] = reply.contentType;
    res.writeHead(reply.status, headers);
    res.end(req.method === "HEAD" ? undefined : reply.body);
    const ms = (performance.now() - started).toFixed(1);
    const count = reply.requestCount === undefined ? "" : ` requests=${reply.requestCount}`;
    log.debug(`${req.method} ${path} ${reply.status} ${ms}ms${count}`);
  }

  const { url, port, drain } = await listen(handle, opts.port, host).catch((e: unknown) => {
    mainDb.close();
    throw e;
  });
  log.info(`listening on ${url} (db ${dbPath})`);

  const close = async () => {
    shutdown.abort();
    await drain();
    streams.closeAll();
    try {
      // Reload the schema first: if the checkpoint statement has to do it, its own read
      // transaction counts as a reader and TRUNCATE waits out the whole busy timeout.
      mainDb.exec("PRAGMA busy_timeout = 250");
      mainDb.exec("SELECT count(*) FROM sqlite_master");
      mainDb.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (e) {
      log.warn(`checkpoint at shutdown failed: ${(e as Error).message}`);
    }
    mainDb.close();
    log.info("stopped");
  };
  return { url, port, close: once(close) };
}
