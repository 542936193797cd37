// Queues at rest: name, parallelism and paused flag. The scheduler's deliverable query joins
// this table; enqueueing creates a queue with QStash's default parallelism of 1.

import { type Db, scalar } from "./db.ts";

export function ensureQueue(db: Db, name: string, now: number): void {
  db.prepare(
    `INSERT INTO queues (name, parallelism, paused, created_at, updated_at) VALUES (?, 1, 0, ?, ?)
     ON CONFLICT (name) DO NOTHING`,
  ).run(name, now, now);
}

/** The API's queue shape, with `lag` = messages still pending in it; null when unknown. */
export function queueView(db: Db, name: string) {
  const row = db
    .prepare("SELECT parallelism, paused, created_at, updated_at FROM queues WHERE name = ?")
    .raw(true)
    .get(name) as [number, number, number, number] | undefined;
  if (!row) return null;
  const lag = Number(
    scalar(db, "SELECT count(*) FROM messages WHERE queue_name = ? AND dlq_id IS NULL", name),
  );
  const [parallelism, paused, createdAt, updatedAt] = row;
  return { name, createdAt, updatedAt, parallelism, paused: paused === 1, lag };
}
