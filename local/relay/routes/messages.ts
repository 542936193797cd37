// GET and DELETE /v2/messages: inspect or cancel messages still pending or in retry. Delivered
// and dead-lettered messages are not "messages" any more, so they answer 404 here.

import type { RelayContext } from "../context.ts";
import { filterCondition } from "../filters.ts";
import { decodeParam, ok, RelayError, type Reply, type RequestInfo, type Route } from "../http.ts";
import { deletePending, getPending } from "../message-store.ts";
import { messagePayload } from "../message-view.ts";

function get(ctx: RelayContext, id: string): Reply {
  const row = getPending(ctx.db, id);
  if (!row) throw new RelayError(404, `message ${id} not found`);
  return ok(messagePayload(row));
}

// A delivery already in flight still completes; cancelling stops every later attempt.
function cancel(ctx: RelayContext, id: string): Reply {
  if (!deletePending(ctx.db, id)) throw new RelayError(404, `message ${id} not found`);
  return ok({ cancelled: 1 });
}

function cancelMany(ctx: RelayContext, r: RequestInfo): Reply {
  const where = filterCondition(r.query, "messages");
  const cancelled = ctx.db
    .prepare(`DELETE FROM messages WHERE dlq_id IS NULL AND ${where.sql}`)
    .run(...where.args).changes;
  return ok({ cancelled });
}

export const messageRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/v2\/messages\/([^/]+)$/,
    handler: (ctx, _r, [id]) => get(ctx, decodeParam(id)),
  },
  {
    method: "DELETE",
    pattern: /^\/v2\/messages\/([^/]+)$/,
    handler: (ctx, _r, [id]) => cancel(ctx, decodeParam(id)),
  },
  { method: "DELETE", pattern: /^\/v2\/messages\/?$/, handler: cancelMany },
];
