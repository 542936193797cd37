// Callbacks are ordinary signed messages: after each attempt to `Upstash-Callback`, and once
// to `Upstash-Failure-Callback` when a message is dead-lettered, with QStash's callback body.

import type { Attempt } from "./deliver.ts";
import { type MessageRow, type NewMessage, newMessageId } from "./message-store.ts";

export interface CallbackContext {
  now: number;
  defaultRetries: number;
}

function callbackBody(row: MessageRow, attempt: Attempt, dlqId: string | null) {
  const response =
    attempt.kind === "response"
      ? { status: attempt.status, header: attempt.header, body: attempt.body.toString("base64") }
      : { status: 0, header: {}, body: "" };
  return {
    ...response,
    retried: row.retried,
    maxRetries: row.max_retries,
    sourceMessageId: row.id,
    ...(row.topic_name ? { topicName: row.topic_name } : {}),
    ...(row.endpoint_name ? { endpointName: row.endpoint_name } : {}),
    url: row.url,
    method: row.method,
    sourceHeader: JSON.parse(row.header),
    sourceBody: row.body.toString("base64"),
    notBefore: String(row.not_before),
    createdAt: String(row.created_at),
    ...(row.caller_ip ? { callerIP: row.caller_ip } : {}),
    ...(dlqId ? { dlqId } : {}),
  };
}

export function callbackMessage(
  url: string,
  row: MessageRow,
  attempt: Attempt,
  dlqId: string | null,
  ctx: CallbackContext,
): NewMessage {
  return {
    id: newMessageId(),
    url,
    topic_name: null,
    endpoint_name: null,
    queue_name: null,
    method: "POST",
    header: JSON.stringify({ "Content-Type": ["application/json"] }),
    body: Buffer.from(JSON.stringify(callbackBody(row, attempt, dlqId))),
    max_retries: ctx.defaultRetries,
    retry_delay: null,
    timeout_ms: null,
    callback: null,
    failure_callback: null,
    label: row.label,
    caller_ip: null,
    not_before: ctx.now,
    created_at: ctx.now,
    next_attempt_at: ctx.now,
  };
}
