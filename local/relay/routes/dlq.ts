// The dead-letter queue: list (paged by cursor), delete, and redrive — a redriven entry becomes
// a fresh pending message with a new id and a full set of retries.

import type { RelayContext } from "../context.ts";
import { inTransaction } from "../db.ts";
import { cursorSeq, filterCondition, pageSize } from "../filters.ts";
import { decodeParam, ok, RelayError, type Reply, type RequestInfo, type Route } from "../http.ts";
import { insertMessage, newMessageId, pendingCount, toMessageRow } from "../message-store.ts";
import { dlqPayload } from "../message-view.ts";

/** One page of matching DLQ rows, oldest first, and the cursor for the next page if any. */
function page(ctx: RelayContext, query: URLSearchParams) {
  const where = filterCondition(query, "dlq");
  const count = pageSize(query);
  const rows = ctx.db
    .prepare(
      `SELECT * FROM messages WHERE dlq_id IS NOT NULL AND seq > ? AND ${where.sql}
       ORDER BY seq LIMIT ?`,
    )
    .all(cursorSeq(query), ...where.args, count + 1)
    .map(toMessageRow);
  const more = rows.length > count;
  const taken = rows.slice(0, count);
  const cursor = more ? String(taken[taken.length - 1]?.seq) : undefined;
  return { rows: taken, cursor };
}

function list(ctx: RelayContext, r: RequestInfo): Reply {
  const { rows, cursor } = page(ctx, r.query);
  return ok({ messages: rows.map(dlqPayload), ...(cursor ? { cursor } : {}) });
}

function deleteOne(ctx: RelayContext, dlqId: string): Reply {
  const gone = ctx.db.prepare("DELETE FROM messages WHERE dlq_id = ?").run(dlqId).changes;
  if (gone === 0) throw new RelayError(404, `dlq message ${dlqId} not found`);
  return ok({ deleted: 1 });
}

function deleteMany(ctx: RelayContext, r: RequestInfo): Reply {
  const { rows, cursor } = page(ctx, r.query);
  const drop = ctx.db.prepare("DELETE FROM messages WHERE seq = ?");
  inTransaction(ctx.db, () => {
    for (const row of rows) drop.run(row.seq);
  });
  return ok({ deleted: rows.length, ...(cursor ? { cursor } : {}) });
}

function redrive(ctx: RelayContext, r: RequestInfo): Reply {
  const { db, config } = ctx;
  const now = ctx.now();
  const result = inTransaction(db, () => {
    const { rows, cursor } = page(ctx, r.query);
    if (pendingCount(db) + rows.length > config.maxPendingMessages)
      throw new RelayError(429, "relay is full: too many pending messages to redrive");
    const responses = rows.map((row) => {
      const messageId = newMessageId();
      insertMessage(db, {
        ...row,
        id: messageId,
        not_before: now,
        created_at: now,
        next_attempt_at: now,
      });
      db.prepare("DELETE FROM messages WHERE seq = ?").run(row.seq);
      return { messageId };
    });
    return { responses, ...(cursor ? { cursor } : {}) };
  });
  if (result.responses.length > 0) ctx.wake();
  return ok(result);
}

export const dlqRoutes: Route[] = [
  { method: "GET", pattern: /^\/v2\/dlq\/?$/, handler: list },
  { method: "POST", pattern: /^\/v2\/dlq\/retry\/?$/, handler: redrive },
  {
    method: "DELETE",
    pattern: /^\/v2\/dlq\/([^/]+)$/,
    handler: (ctx, _r, [id]) => deleteOne(ctx, decodeParam(id)),
  },
  { method: "DELETE", pattern: /^\/v2\/dlq\/?$/, handler: deleteMany },
];
