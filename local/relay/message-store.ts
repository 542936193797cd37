// Messages at rest: pending (first attempt or in retry) and dead-lettered rows in one table,
// and the one query that decides which are deliverable now (due, and at the head of their queue).

import { randomBytes } from "node:crypto";
import { type Db, scalar } from "./db.ts";

export interface MessageRow {
  seq: number;
  id: string;
  url: string;
  topic_name: string | null;
  endpoint_name: string | null;
  queue_name: string | null;
  method: string;
  /** JSON Record<string, string[]>: what is forwarded to the destination, canonical names. */
  header: string;
  body: Buffer;
  max_retries: number;
  retry_delay: string | null;
  timeout_ms: number | null;
  callback: string | null;
  failure_callback: string | null;
  label: string | null;
  caller_ip: string | null;
  not_before: number;
  created_at: number;
  retried: number;
  next_attempt_at: number;
  dlq_id: string | null;
  dlq_at: number | null;
  response_status: number | null;
  response_header: string | null;
  response_body: Buffer | null;
}

export type NewMessage = Omit<
  MessageRow,
  "seq" | "retried" | "dlq_id" | "dlq_at" | "response_status" | "response_header" | "response_body"
>;

// libsql returns BLOBs as Buffer from get() but as ArrayBuffer from all(); rows leave as Buffer.
const blob = (v: unknown): Buffer | null =>
  v === null || v === undefined ? null : Buffer.from(v as ArrayBuffer);

export function toMessageRow(raw: unknown): MessageRow {
  const r = raw as MessageRow;
  return { ...r, body: blob(r.body) ?? Buffer.alloc(0), response_body: blob(r.response_body) };
}

export const newMessageId = (): string => `msg_${randomBytes(18).toString("base64url")}`;

const COLUMNS = [
  "id",
  "url",
  "topic_name",
  "endpoint_name",
  "queue_name",
  "method",
  "header",
  "body",
  "max_retries",
  "retry_delay",
  "timeout_ms",
  "callback",
  "failure_callback",
  "label",
  "caller_ip",
  "not_before",
  "created_at",
  "next_attempt_at",
] as const satisfies readonly (keyof NewMessage)[];

export function insertMessage(db: Db, m: NewMessage): void {
  db.prepare(
    `INSERT INTO messages (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
  ).run(...COLUMNS.map((c) => m[c]));
}

export const pendingCount = (db: Db): number =>
  Number(scalar(db, "SELECT count(*) FROM messages WHERE dlq_id IS NULL"));

// Deliverable = pending, not already in flight, and (for queued messages) among the first
// `parallelism` pending messages of an unpaused queue: a failing head blocks its queue (FIFO).
const DELIVERABLE = `
  FROM messages m LEFT JOIN queues q ON q.name = m.queue_name
  WHERE m.dlq_id IS NULL
    AND m.id NOT IN (SELECT value FROM json_each(?))
    AND (m.queue_name IS NULL OR (q.paused = 0 AND q.parallelism > (
      SELECT count(*) FROM messages p
      WHERE p.queue_name = m.queue_name AND p.dlq_id IS NULL AND p.seq < m.seq)))`;

export function dueMessages(db: Db, now: number, inFlight: string[], limit: number): MessageRow[] {
  return db
    .prepare(
      `SELECT m.* ${DELIVERABLE} AND m.next_attempt_at <= ? ORDER BY m.next_attempt_at, m.seq LIMIT ?`,
    )
    .all(JSON.stringify(inFlight), now, limit)
    .map(toMessageRow);
}

/** When the earliest deliverable message falls due, or null if there is none. */
export function nextDueAt(db: Db, inFlight: string[]): number | null {
  const at = scalar(db, `SELECT min(m.next_attempt_at) ${DELIVERABLE}`, JSON.stringify(inFlight));
  return at === null || at === undefined ? null : Number(at);
}

export function getPending(db: Db, id: string): MessageRow | undefined {
  const row = db.prepare("SELECT * FROM messages WHERE id = ? AND dlq_id IS NULL").get(id);
  return row ? toMessageRow(row) : undefined;
}

export const deletePending = (db: Db, id: string): boolean =>
  db.prepare("DELETE FROM messages WHERE id = ? AND dlq_id IS NULL").run(id).changes > 0;

export function scheduleRetry(db: Db, id: string, retried: number, at: number): void {
  db.prepare(
    "UPDATE messages SET retried = ?, next_attempt_at = ? WHERE id = ? AND dlq_id IS NULL",
  ).run(retried, at, id);
}

export interface LastResponse {
  status: number | null;
  header: Record<string, string[]> | null;
  body: Buffer | null;
}

/** Dead-letters a pending message; the id mirrors QStash's `<unix ms>-<n>` shape. */
export function moveToDlq(db: Db, row: MessageRow, at: number, last: LastResponse): string {
  const dlqId = `${at}-${row.seq}`;
  db.prepare(
    `UPDATE messages SET dlq_id = ?, dlq_at = ?, response_status = ?, response_header = ?,
       response_body = ? WHERE id = ? AND dlq_id IS NULL`,
  ).run(dlqId, at, last.status, last.header && JSON.stringify(last.header), last.body, row.id);
  return dlqId;
}

/** Drops the oldest DLQ entries beyond `cap`; returns the dropped DLQ ids. */
export function trimDlq(db: Db, cap: number): string[] {
  const excess = Number(scalar(db, "SELECT count(*) FROM messages WHERE dlq_id IS NOT NULL")) - cap;
  if (excess <= 0) return [];
  const ids = db
    .prepare("SELECT dlq_id FROM messages WHERE dlq_id IS NOT NULL ORDER BY dlq_at, seq LIMIT ?")
    .raw(true)
    .all(excess) as [string][];
  const drop = db.prepare("DELETE FROM messages WHERE dlq_id = ?");
  for (const [id] of ids) drop.run(id);
  return ids.map(([id]) => id);
}
