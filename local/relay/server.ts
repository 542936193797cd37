// The local QStash relay: QStash's REST API (as @upstash/qstash sends it) over a SQLite file,
// delivering signed messages with retries, queues, URL groups, dedup and a DLQ.

import type { IncomingMessage, ServerResponse } from "node:http";
import { resolve } from "node:path";
import { bearerCheck } from "../service-kit/bearer.ts";
import { listen, once } from "../service-kit/http-server.ts";
import { createLogger, type LogLevel } from "../service-kit/log.ts";
import type { RelayConfig, RelayContext } from "./context.ts";
import { closeDb, openDb } from "./db.ts";
import { allowedOrigins } from "./destinations.ts";
import { errorReply, ok, RelayError, type Reply, type RequestInfo, type Route } from "./http.ts";
import { dlqRoutes } from "./routes/dlq.ts";
import { messageRoutes } from "./routes/messages.ts";
import { publishRoutes } from "./routes/publish.ts";
import { queueRoutes } from "./routes/queues.ts";
import { urlGroupRoutes } from "./routes/url-groups.ts";
import { Scheduler } from "./scheduler.ts";

/** The QStash dev server's credentials, which `QSTASH_DEV=true` clients and receivers use. */
export const DEV_TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";
export const DEV_CURRENT_SIGNING_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
export const DEV_NEXT_SIGNING_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";

export interface RelayOptions {
  /** 0 picks a free port; the real one is returned. */
  port: number;
  host?: string;
  dataPath: string;
  token?: string;
  currentSigningKey?: string;
  nextSigningKey?: string;
  /**
   * The only origins messages are delivered to (the topology's regions). Omitted: any,
   * which suits contract tests; the CLI always sets it.
   */
  allowedOrigins?: readonly string[];
  /** Multiplies relative waits (delays, backoff); 1 = real QStash seconds, tests use ~0.001. */
  timeScale?: number;
  maxRetries?: number;
  deliveryTimeoutMs?: number;
  maxConcurrentDeliveries?: number;
  maxBodyBytes?: number;
  maxPendingMessages?: number;
  maxDlqMessages?: number;
  /** How long close() lets in-flight deliveries finish before aborting them. */
  closeGraceMs?: number;
  logLevel?: LogLevel;
}

export interface Relay {
  url: string;
  port: number;
  /** Stops accepting, finishes or aborts in-flight deliveries (bounded), closes the database. */
  close(): Promise<void>;
}

function configFrom(opts: RelayOptions): RelayConfig {
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error("timeScale must be positive");
  return {
    token: opts.token ?? DEV_TOKEN,
    signingKeys: {
      current: opts.currentSigningKey ?? DEV_CURRENT_SIGNING_KEY,
      next: opts.nextSigningKey ?? DEV_NEXT_SIGNING_KEY,
    },
    allowedOrigins: allowedOrigins(opts.allowedOrigins),
    timeScale,
    defaultRetries: opts.maxRetries ?? 3,
    deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 30_000,
    maxConcurrentDeliveries: opts.maxConcurrentDeliveries ?? 16,
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    maxPendingMessages: opts.maxPendingMessages ?? 100_000,
    maxDlqMessages: opts.maxDlqMessages ?? 10_000,
    dedupWindowMs: 10 * 60_000,
  };
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const log = createLogger("relay", opts.logLevel ?? "info");
  const config = configFrom(opts);
  const dataPath = resolve(opts.dataPath);
  const db = openDb(dataPath);
  const ctx: RelayContext = { db, config, log, now: Date.now, wake: () => scheduler.wake() };
  const scheduler = new Scheduler(ctx);

  const routes: Route[] = [
    {
      method: "GET",
      pattern: /^\/v2\/keys$/,
      handler: () => ok({ current: config.signingKeys.current, next: config.signingKeys.next }),
    },
    ...publishRoutes,
    ...urlGroupRoutes,
    ...messageRoutes,
    ...dlqRoutes,
    ...queueRoutes,
  ];
  const authFailure = bearerCheck(config.token);
  const closing = new AbortController();

  async function route(req: IncomingMessage, info: RequestInfo): Promise<Reply> {
    if (closing.signal.aborted) return errorReply(503, "relay is shutting down");
    // Readiness probe for process supervisors; carries no data, so no token.
    if (req.method === "GET" && info.path === "/health") return ok({ status: "ok" });
    const denied = authFailure(req.headers.authorization);
    if (denied) return errorReply(401, denied);
    for (const r of routes) {
      const match = r.method === req.method ? r.pattern.exec(info.path) : null;
      if (match) return r.handler(ctx, info, match.slice(1));
    }
    return errorReply(404, `no route for ${req.method} ${info.path}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));
    let reply: Reply;
    try {
      reply = await route(req, { req, path, query, rawUrl });
    } catch (e) {
      if (e instanceof RelayError) reply = errorReply(e.status, e.message);
      else {
        log.warn(`${req.method} ${path} failed: ${(e as Error)?.stack ?? e}`);
        reply = errorReply(500, "internal relay error");
      }
    }
    const body = reply.body === undefined ? "" : JSON.stringify(reply.body);
    const headers: Record<string, string | number> = {
      ...reply.headers,
      "content-length": Buffer.byteLength(body),
    };
    if (body) headers["content-type"] = "application/json";
    // An unread oversized body would otherwise keep the socket busy; close it instead.
    if (reply.status === 413) headers.connection = "close";
    res.writeHead(reply.status, headers);
    res.end(body);
    const ms = (performance.now() - started).toFixed(1);
    log.debug(`${req.method} ${rawUrl} ${reply.status} ${ms}ms`);
  }

  const { url, port, drain } = await listen(handle, opts.port, opts.host ?? "127.0.0.1").catch(
    (e: unknown) => {
      closeDb(db);
      throw e;
    },
  );
  log.info(`listening on ${url} (data ${dataPath}, time scale ${config.timeScale})`);
  scheduler.wake();

  const close = async () => {
    closing.abort();
    await drain();
    await scheduler.close(opts.closeGraceMs ?? 5000);
    closeDb(db);
    log.info("stopped");
  };
  return { url, port, close: once(close) };
}
