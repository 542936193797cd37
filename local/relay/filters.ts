// Bulk-action filters from the query string (`messageIds`, `url`, `label`, `fromDate`, …) as a
// parameterised SQL condition; a filter the relay cannot honour is refused, never ignored.

import { RelayError } from "./http.ts";

export interface SqlCondition {
  sql: string;
  args: unknown[];
}

// Query key → column. Repeated keys mean "any of" (OR); different keys combine with AND.
const EQUALITY: Record<string, string> = {
  messageId: "id",
  messageIds: "id",
  url: "url",
  topicName: "topic_name",
  queueName: "queue_name",
  callerIp: "caller_ip",
};
const DLQ_ONLY: Record<string, string> = { dlqIds: "dlq_id", responseStatus: "response_status" };
const PAGING = new Set(["count", "cursor"]);

function epochMs(key: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new RelayError(400, `${key} must be a unix timestamp in ms`);
  return n;
}

export function filterCondition(query: URLSearchParams, scope: "messages" | "dlq"): SqlCondition {
  const parts: string[] = [];
  const args: unknown[] = [];
  for (const key of new Set(query.keys())) {
    if (PAGING.has(key)) continue;
    const values = query.getAll(key);
    const column = EQUALITY[key] ?? (scope === "dlq" ? DLQ_ONLY[key] : undefined);
    if (column) {
      parts.push(`${column} IN (${values.map(() => "?").join(", ")})`);
      args.push(...values.map((v) => (column === "response_status" ? Number(v) : v)));
    } else if (key === "label") {
      // Labels are stored comma-joined as published; match any one of them.
      parts.push(`(${values.map(() => "instr(',' || label || ',', ?) > 0").join(" OR ")})`);
      args.push(...values.map((v) => `,${v},`));
    } else if (key === "fromDate" || key === "toDate") {
      parts.push(`created_at ${key === "fromDate" ? ">=" : "<="} ?`);
      args.push(epochMs(key, values[0] as string));
    } else {
      throw new RelayError(400, `the relay does not support the filter "${key}"`);
    }
  }
  return { sql: parts.length ? parts.join(" AND ") : "1", args };
}

/** `count` for paged bulk actions: default 100, at most 1000 per call. */
export function pageSize(query: URLSearchParams): number {
  const raw = query.get("count");
  if (raw === null) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new RelayError(400, "count must be a positive integer");
  return Math.min(n, 1000);
}

/** The cursor is the last row's sequence number; pages continue after it. */
export function cursorSeq(query: URLSearchParams): number {
  const raw = query.get("cursor");
  if (raw === null || raw === "") return 0;
  if (!/^\d+$/.test(raw)) throw new RelayError(400, "invalid cursor");
  return Number(raw);
}
