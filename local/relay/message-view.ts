// Stored rows as the QStash API shows them: `MessagePayload` for pending messages and
// `DlqMessage` for dead letters (bodies as text when UTF-8, else base64).

import { isUtf8 } from "node:buffer";
import type { MessageRow } from "./message-store.ts";

type Json = Record<string, unknown>;

function bodyFields(body: Buffer | null, text: string, base64: string): Json {
  if (body === null || body.length === 0) return {};
  return isUtf8(body) ? { [text]: body.toString("utf8") } : { [base64]: body.toString("base64") };
}

export function messagePayload(row: MessageRow): Json {
  const labels = row.label?.split(",").filter(Boolean);
  const optional: Json = {
    topicName: row.topic_name,
    endpointName: row.endpoint_name,
    retryDelayExpression: row.retry_delay,
    callback: row.callback,
    failureCallback: row.failure_callback,
    queueName: row.queue_name,
    callerIp: row.caller_ip,
    label: row.label,
    labels,
  };
  return {
    messageId: row.id,
    url: row.url,
    method: row.method,
    header: JSON.parse(row.header),
    ...bodyFields(row.body, "body", "bodyBase64"),
    maxRetries: row.max_retries,
    notBefore: row.not_before,
    createdAt: row.created_at,
    ...Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== null && v !== undefined),
    ),
  };
}

export function dlqPayload(row: MessageRow): Json {
  const response: Json = { responseStatus: row.response_status ?? undefined };
  if (row.response_header) response.responseHeader = JSON.parse(row.response_header);
  return {
    ...messagePayload(row),
    dlqId: row.dlq_id,
    ...response,
    ...bodyFields(row.response_body, "responseBody", "responseBodyBase64"),
  };
}
