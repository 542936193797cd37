// One drizzle handle over a libSQL client. Every call is bounded by a deadline: a slow
// or dead libSQL must never hold a request or an alarm beyond its budget [LF5].
import { createClient } from "@libsql/client/web";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import { drizzle } from "drizzle-orm/libsql/web";
import * as schema from "./schema.ts";

export type ReadModelDb = LibSQLDatabase<typeof schema>;

export function connectReadModel(
  url: string,
  options: { authToken?: string; timeoutMs: number },
): ReadModelDb {
  const boundedFetch: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
  const client = createClient({
    url,
    ...(options.authToken ? { authToken: options.authToken } : {}),
    fetch: boundedFetch,
  });
  return drizzle(client, { schema });
}
