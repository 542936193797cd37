// /v2/queues: upsert a queue's parallelism, pause and resume it, inspect its lag, or delete it
// together with the messages still waiting in it.

import type { RelayContext } from "../context.ts";
import type { Db } from "../db.ts";
import {
  decodeParam,
  ok,
  RelayError,
  type Reply,
  type RequestInfo,
  type Route,
  readJson,
} from "../http.ts";
import { NAME } from "../publish-request.ts";
import { queueView } from "../queue-store.ts";

const MAX_PARALLELISM = 100;

function view(db: Db, name: string) {
  const queue = queueView(db, name);
  if (!queue) throw new RelayError(404, `queue ${name} not found`);
  return queue;
}

async function upsert(ctx: RelayContext, r: RequestInfo): Promise<Reply> {
  const body = (await readJson(r.req, 64 * 1024)) as {
    queueName?: unknown;
    parallelism?: unknown;
    paused?: unknown;
  };
  const name = body?.queueName;
  if (typeof name !== "string" || !NAME.test(name))
    throw new RelayError(400, "queueName is required");
  const parallelism = body.parallelism ?? 1;
  if (!Number.isInteger(parallelism) || (parallelism as number) < 1)
    throw new RelayError(400, "parallelism must be a positive integer");
  const now = ctx.now();
  ctx.db
    .prepare(
      `INSERT INTO queues (name, parallelism, paused, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET parallelism = excluded.parallelism,
         paused = excluded.paused, updated_at = excluded.updated_at`,
    )
    .run(name, Math.min(parallelism as number, MAX_PARALLELISM), body.paused ? 1 : 0, now, now);
  ctx.wake();
  return ok(undefined);
}

function setPaused(ctx: RelayContext, name: string, paused: boolean): Reply {
  const changed = ctx.db
    .prepare("UPDATE queues SET paused = ?, updated_at = ? WHERE name = ?")
    .run(paused ? 1 : 0, ctx.now(), name).changes;
  if (changed === 0) throw new RelayError(404, `queue ${name} not found`);
  if (!paused) ctx.wake();
  return ok(undefined);
}

/** Deleting a queue drops the messages still waiting in it. */
function remove(ctx: RelayContext, name: string): Reply {
  const { db } = ctx;
  const gone = db.transaction(() => {
    db.prepare("DELETE FROM messages WHERE queue_name = ? AND dlq_id IS NULL").run(name);
    return db.prepare("DELETE FROM queues WHERE name = ?").run(name).changes;
  })();
  if (gone === 0) throw new RelayError(404, `queue ${name} not found`);
  return ok(undefined);
}

const listQueues = (ctx: RelayContext): Reply =>
  ok(
    (ctx.db.prepare("SELECT name FROM queues ORDER BY name").raw(true).all() as [string][]).map(
      ([name]) => view(ctx.db, name),
    ),
  );

export const queueRoutes: Route[] = [
  { method: "POST", pattern: /^\/v2\/queues\/?$/, handler: upsert },
  { method: "GET", pattern: /^\/v2\/queues\/?$/, handler: listQueues },
  {
    method: "GET",
    pattern: /^\/v2\/queues\/([^/]+)$/,
    handler: (ctx, _r, [name]) => ok(view(ctx.db, decodeParam(name))),
  },
  {
    method: "DELETE",
    pattern: /^\/v2\/queues\/([^/]+)$/,
    handler: (ctx, _r, [name]) => remove(ctx, decodeParam(name)),
  },
  {
    method: "POST",
    pattern: /^\/v2\/queues\/([^/]+)\/(pause|resume)$/,
    handler: (ctx, _r, [name, action]) => setPaused(ctx, decodeParam(name), action === "pause"),
  },
];
