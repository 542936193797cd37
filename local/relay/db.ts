// The relay's SQLite file: opened in WAL mode and brought to the current schema by an
// append-only migration list whose position is recorded in `PRAGMA user_version`.

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "libsql";

export type Db = Database.Database;

// Append only: a released entry never changes, because user_version says it already ran.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     url TEXT NOT NULL,
     topic_name TEXT,
     endpoint_name TEXT,
     queue_name TEXT,
     method TEXT NOT NULL,
     header TEXT NOT NULL,
     body BLOB NOT NULL,
     max_retries INTEGER NOT NULL,
     retry_delay TEXT,
     timeout_ms INTEGER,
     callback TEXT,
     failure_callback TEXT,
     label TEXT,
     caller_ip TEXT,
     not_before INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     retried INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     dlq_id TEXT UNIQUE,
     dlq_at INTEGER,
     response_status INTEGER,
     response_header TEXT,
     response_body BLOB
   );
   CREATE INDEX messages_due ON messages (next_attempt_at) WHERE dlq_id IS NULL;
   CREATE INDEX messages_queue ON messages (queue_name, seq) WHERE dlq_id IS NULL;
   CREATE TABLE url_groups (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE url_group_endpoints (
     group_name TEXT NOT NULL REFERENCES url_groups (name) ON DELETE CASCADE,
     url TEXT NOT NULL,
     name TEXT,
     PRIMARY KEY (group_name, url)
   );
   CREATE TABLE queues (
     name TEXT PRIMARY KEY,
     parallelism INTEGER NOT NULL,
     paused INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE dedup (key TEXT PRIMARY KEY, response TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX dedup_expiry ON dedup (expires_at);`,
];

export function openDb(path: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  // NORMAL in WAL mode still survives a process crash; only an OS crash can lose the last commit.
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const applied = Number(scalar(db, "PRAGMA user_version"));
  if (applied > MIGRATIONS.length)
    throw new Error(
      `relay database is at schema ${applied}, newer than this relay (${MIGRATIONS.length})`,
    );
  MIGRATIONS.slice(applied).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.exec(`PRAGMA user_version = ${applied + i + 1}`);
    })();
  });
}

/** First column of the first row. (libsql's `pluck` still returns whole rows, so use raw.) */
export function scalar(db: Db, sql: string, ...args: unknown[]): unknown {
  const row = db
    .prepare(sql)
    .raw(true)
    .get(...args) as unknown[] | undefined;
  return row?.[0];
}

/** Runs `fn` in one IMMEDIATE transaction: a publish is stored whole or not at all. */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function closeDb(db: Db): void {
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
