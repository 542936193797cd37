// A Durable Object's storage in the simulator: the engine tests' in-memory SQLite store. It
// outlives a simulated crash: the crash drops the engine, never its store.

import { openLibsqlStore } from "../../durable-objects/storage/libsql-store.ts";
import type { SqlStore } from "../../durable-objects/storage/sql-store.ts";

export type SimStore = SqlStore & { close(): void };

export const openSimStore = (): SimStore => openLibsqlStore();
