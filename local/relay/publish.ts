// Storing a publish: deduplication (10-minute window), URL-group fan-out into one message per
// endpoint, and the first attempt time — all inside the caller's transaction, before any ack.

import { createHash } from "node:crypto";
import type { RelayContext } from "./context.ts";
import { scalar } from "./db.ts";
import { assertAllowed } from "./destinations.ts";
import { RelayError } from "./http.ts";
import { insertMessage, newMessageId, pendingCount } from "./message-store.ts";
import type { PublishSpec } from "./publish-request.ts";
import { ensureQueue } from "./queue-store.ts";
import { groupEndpoints } from "./url-group-store.ts";

export interface Published {
  messageId: string;
  url: string;
  deduplicated?: boolean;
}
export type PublishResponse = Published | Published[];

export interface PublishOutcome {
  deduplicated: boolean;
  response: PublishResponse;
}

// Explicit ids are scoped by destination, so one event id can be sent to several regions.
function dedupKey(spec: PublishSpec): string | null {
  if (!spec.dedup) return null;
  const material =
    spec.dedup.kind === "id"
      ? ["id", spec.destination, spec.dedup.id]
      : ["content", spec.destination, spec.method, spec.header, spec.body.toString("base64")];
  return createHash("sha256").update(JSON.stringify(material)).digest("hex");
}

const markDuplicate = (r: PublishResponse): PublishResponse =>
  Array.isArray(r) ? r.map((p) => ({ ...p, deduplicated: true })) : { ...r, deduplicated: true };

export function purgeExpiredDedup(ctx: RelayContext): void {
  ctx.db.prepare("DELETE FROM dedup WHERE expires_at <= ?").run(ctx.now());
}

/** Call inside a transaction. Throws RelayError for an unknown or empty URL group, or when full. */
export function storePublish(ctx: RelayContext, spec: PublishSpec): PublishOutcome {
  const { db, config } = ctx;
  const now = ctx.now();
  const key = dedupKey(spec);
  if (key) {
    const seen = scalar(
      db,
      "SELECT response FROM dedup WHERE key = ? AND expires_at > ?",
      key,
      now,
    );
    if (typeof seen === "string")
      return { deduplicated: true, response: markDuplicate(JSON.parse(seen)) };
  }

  const endpoints =
    spec.target.kind === "url"
      ? [{ url: spec.target.url, name: null }]
      : groupEndpoints(db, spec.target.name);
  if (!endpoints) throw new RelayError(404, `url group ${spec.destination} not found`);
  if (endpoints.length === 0)
    throw new RelayError(400, `url group ${spec.destination} has no endpoints`);
  for (const e of endpoints) assertAllowed(config.allowedOrigins, e.url, "destination");
  if (spec.callback) assertAllowed(config.allowedOrigins, spec.callback, "Upstash-Callback");
  if (spec.failureCallback)
    assertAllowed(config.allowedOrigins, spec.failureCallback, "Upstash-Failure-Callback");
  const pending = pendingCount(db);
  if (pending + endpoints.length > config.maxPendingMessages) {
    ctx.log.warn(
      `rejecting publish: ${pending} messages pending (cap ${config.maxPendingMessages})`,
    );
    throw new RelayError(429, `relay is full: ${pending} messages pending`);
  }
  if (spec.queueName) ensureQueue(db, spec.queueName, now);

  // Not-Before is an absolute instant and wins over Delay; only relative waits are scaled.
  const firstAttemptAt =
    spec.notBeforeMs !== null
      ? Math.max(now, spec.notBeforeMs)
      : now + Math.round((spec.delayMs ?? 0) * config.timeScale);
  const published = endpoints.map((endpoint): Published => {
    const id = newMessageId();
    insertMessage(db, {
      id,
      url: endpoint.url,
      topic_name: spec.target.kind === "group" ? spec.target.name : null,
      endpoint_name: endpoint.name,
      queue_name: spec.queueName,
      method: spec.method,
      header: JSON.stringify(spec.header),
      body: spec.body,
      max_retries: spec.maxRetries ?? config.defaultRetries,
      retry_delay: spec.retryDelay,
      timeout_ms: spec.timeoutMs,
      callback: spec.callback,
      failure_callback: spec.failureCallback,
      label: spec.label,
      caller_ip: spec.callerIp,
      not_before: firstAttemptAt,
      created_at: now,
      next_attempt_at: firstAttemptAt,
    });
    return { messageId: id, url: endpoint.url };
  });
  const response = spec.target.kind === "url" ? (published[0] as Published) : published;
  if (key) {
    db.prepare("INSERT OR REPLACE INTO dedup (key, response, expires_at) VALUES (?, ?, ?)").run(
      key,
      JSON.stringify(response),
      now + config.dedupWindowMs,
    );
  }
  return { deduplicated: false, response };
}
