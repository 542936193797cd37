// POST /v2/publish/{destination}, /v2/enqueue/{queue}/{destination} and /v2/batch: each message
// is stored in one transaction before the reply, so an acknowledged publish survives a crash.

import type { RelayContext } from "../context.ts";
import { inTransaction } from "../db.ts";
import {
  decodeParam,
  type HeaderBag,
  ok,
  RelayError,
  type Reply,
  type RequestInfo,
  type Route,
  readBody,
  readJson,
} from "../http.ts";
import { type PublishResponse, purgeExpiredDedup, storePublish } from "../publish.ts";
import { type PublishSpec, parsePublish } from "../publish-request.ts";

const MAX_BATCH_MESSAGES = 1000;
// A batch carries many bodies, each within the per-message limit.
const BATCH_BODY_FACTOR = 10;

function store(ctx: RelayContext, specs: PublishSpec[]) {
  const outcomes = inTransaction(ctx.db, () => {
    purgeExpiredDedup(ctx);
    return specs.map((spec) => storePublish(ctx, spec));
  });
  if (outcomes.some((o) => !o.deduplicated)) ctx.wake();
  return outcomes;
}

async function publishOne(
  ctx: RelayContext,
  r: RequestInfo,
  queueName: string | null,
  destination: string,
): Promise<Reply> {
  const body = await readBody(r.req, ctx.config.maxBodyBytes);
  if (body === null)
    throw new RelayError(413, `message body exceeds ${ctx.config.maxBodyBytes} bytes`);
  const spec = parsePublish({
    destination,
    queueName,
    headers: r.req.headers,
    body,
    callerIp: r.req.socket.remoteAddress ?? null,
  });
  const [outcome] = store(ctx, [spec]);
  if (!outcome) throw new Error("publish stored nothing");
  return ok(outcome.response, outcome.deduplicated ? 202 : 201);
}

interface BatchItem {
  destination?: unknown;
  headers?: unknown;
  body?: unknown;
  queue?: unknown;
}

function batchSpec(ctx: RelayContext, r: RequestInfo, item: BatchItem, i: number): PublishSpec {
  if (typeof item !== "object" || item === null || typeof item.destination !== "string")
    throw new RelayError(400, `batch item ${i}: destination is required`);
  if (item.body !== undefined && typeof item.body !== "string")
    throw new RelayError(400, `batch item ${i}: body must be a string`);
  if (item.queue !== undefined && typeof item.queue !== "string")
    throw new RelayError(400, `batch item ${i}: queue must be a string`);
  const headers: HeaderBag = {};
  if (item.headers !== undefined) {
    if (typeof item.headers !== "object" || item.headers === null)
      throw new RelayError(400, `batch item ${i}: headers must be an object`);
    for (const [k, v] of Object.entries(item.headers)) headers[k.toLowerCase()] = String(v);
  }
  const body = Buffer.from((item.body as string | undefined) ?? "", "utf8");
  if (body.length > ctx.config.maxBodyBytes)
    throw new RelayError(413, `batch item ${i}: body exceeds ${ctx.config.maxBodyBytes} bytes`);
  return parsePublish({
    destination: item.destination,
    queueName: (item.queue as string | undefined) ?? null,
    headers,
    body,
    callerIp: r.req.socket.remoteAddress ?? null,
  });
}

async function batch(ctx: RelayContext, r: RequestInfo): Promise<Reply> {
  const items = await readJson(r.req, ctx.config.maxBodyBytes * BATCH_BODY_FACTOR);
  if (!Array.isArray(items)) throw new RelayError(400, "batch body must be a JSON array");
  if (items.length > MAX_BATCH_MESSAGES)
    throw new RelayError(400, `a batch holds at most ${MAX_BATCH_MESSAGES} messages`);
  // Validate everything first: a batch is accepted whole or not at all.
  const specs = items.map((item, i) => batchSpec(ctx, r, item, i));
  const responses: PublishResponse[] = store(ctx, specs).map((o) => o.response);
  return ok(responses, 201);
}

const PUBLISH_PREFIX = "/v2/publish/";

export const publishRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/v2\/publish\/.+$/,
    handler: (ctx, r) => publishOne(ctx, r, null, r.rawUrl.slice(PUBLISH_PREFIX.length)),
  },
  {
    method: "POST",
    pattern: /^\/v2\/enqueue\/([^/]+)\/.+$/,
    handler: (ctx, r, [queue]) =>
      publishOne(ctx, r, decodeParam(queue), r.rawUrl.slice(`/v2/enqueue/${queue}/`.length)),
  },
  { method: "POST", pattern: /^\/v2\/batch$/, handler: batch },
];
