// The regional read model as the API sees it: one drizzle handle per isolate, reads
// bounded by a short deadline; a slow or dead libSQL turns into a 503 on lists only.
import { connectReadModel, type ReadModelDb } from "../../db/client.ts";
import { decodeCursor } from "../../db/queries.ts";
import { Problem } from "./errors.ts";

const READ_TIMEOUT_MS = 2_000;
let cached: { url: string; db: ReadModelDb } | null = null;

export function readModel(env: Env): ReadModelDb {
  if (cached?.url !== env.LIBSQL_URL) {
    cached = {
      url: env.LIBSQL_URL,
      db: connectReadModel(env.LIBSQL_URL, {
        authToken: env.LIBSQL_AUTH_TOKEN,
        timeoutMs: READ_TIMEOUT_MS,
      }),
    };
  }
  return cached.db;
}

const LISTS_UNAVAILABLE = {
  title: "Lists are temporarily unavailable",
  detail: "The regional read model did not answer in time. Single reads and all writes still work.",
};

export async function fromReadModel<T>(
  query: () => Promise<T>,
  unavailable: { title: string; detail: string } = LISTS_UNAVAILABLE,
): Promise<T> {
  try {
    return await query();
  } catch (err) {
    console.warn("read model unavailable", err instanceof Error ? err.message : err);
    throw new Problem(
      503,
      "read-model-unavailable",
      unavailable.title,
      unavailable.detail,
      {},
      { "retry-after": "5" },
    );
  }
}

export function cursorParts(cursor: string | undefined, arity: number): string[] | null {
  if (cursor === undefined) return null;
  const parts = decodeCursor(cursor, arity);
  if (!parts) {
    throw new Problem(
      400,
      "validation",
      "Invalid query parameters",
      "cursor: is not a cursor this API issued",
      {
        errors: [
          { field: "cursor", pointer: "#/cursor", message: "is not a cursor this API issued" },
        ],
      },
    );
  }
  return parts;
}
