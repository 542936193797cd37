// The three ways a request can fail, as sqld reports them: HTTP-level failures (which end the
// stream), per-request result errors `{message, code}`, and the SQLite error-code mapping.

/** Fails the whole HTTP request; the stream it was using is closed. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly contentType: "text/plain" | "application/json",
    readonly body: string,
  ) {
    super(body);
  }

  /** sqld's ProtocolError: 400 with the bare message as text/plain. */
  static protocol(message: string): HttpError {
    return new HttpError(400, "text/plain", message);
  }

  /** A Hrana `Error` body; the client reads `code` only when the type is exactly application/json. */
  static hrana(status: number, message: string, code: string): HttpError {
    return new HttpError(status, "application/json", JSON.stringify({ message, code }));
  }
}

export const streamExpired = () =>
  HttpError.hrana(400, "The stream has expired due to inactivity", "STREAM_EXPIRED");

/** A failure reported inside the pipeline as `{type:"error", error:{message, code}}`. */
export class StmtError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface SqliteError {
  message: string;
  code: string;
  rawCode?: number;
}

export function isSqliteError(e: unknown): e is SqliteError {
  return (
    e instanceof Error &&
    e.name === "SqliteError" &&
    typeof (e as unknown as SqliteError).code === "string"
  );
}

const PRIMARY_CODES: Record<number, string> = {
  2: "SQLITE_INTERNAL",
  3: "SQLITE_PERM",
  4: "SQLITE_ABORT",
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  7: "SQLITE_NOMEM",
  8: "SQLITE_READONLY",
  9: "SQLITE_INTERRUPT",
  10: "SQLITE_IOERR",
  11: "SQLITE_CORRUPT",
  12: "SQLITE_NOTFOUND",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  15: "SQLITE_PROTOCOL",
  17: "SQLITE_SCHEMA",
  18: "SQLITE_TOOBIG",
  19: "SQLITE_CONSTRAINT",
  20: "SQLITE_MISMATCH",
  21: "SQLITE_MISUSE",
  22: "SQLITE_NOLFS",
  23: "SQLITE_AUTH",
  25: "SQLITE_RANGE",
  26: "SQLITE_NOTADB",
};

/** Primary code of an extended one (2067 → 19). */
export const primaryCode = (e: SqliteError): number => (e.rawCode ?? 1) & 0xff;

// sqld's parser rejects these before SQLite sees the text, as SQL_PARSE_ERROR.
const PARSE_FAILURE = /syntax error|incomplete input|unrecognized token/;

export const isParseFailure = (e: SqliteError) =>
  primaryCode(e) === 1 && PARSE_FAILURE.test(e.message);

/**
 * Maps an engine error the way sqld does. Prepare-time SQLITE_ERRORs ("no such table") are
 * rusqlite `SqlInputError`s there; the generic SQLITE_ERROR has no name in rusqlite and so
 * becomes SQLITE_UNKNOWN.
 */
export function stmtErrorFromSqlite(e: SqliteError, phase: "prepare" | "execute"): StmtError {
  const primary = primaryCode(e);
  if (phase === "prepare" && isParseFailure(e)) {
    return new StmtError(`SQL string could not be parsed: ${e.message}`, "SQL_PARSE_ERROR");
  }
  if (phase === "prepare" && primary === 1) {
    return new StmtError(`SQL input error: ${e.message}`, "SQL_INPUT_ERROR");
  }
  return new StmtError(`SQLite error: ${e.message}`, PRIMARY_CODES[primary] ?? "SQLITE_UNKNOWN");
}

/** Errors after which SQLite leaves the statement resumable, i.e. still "in progress". */
export const isBusyOrLocked = (e: unknown): boolean =>
  isSqliteError(e) && (primaryCode(e) === 5 || primaryCode(e) === 6);

/**
 * Busy errors worth waiting out. BUSY_SNAPSHOT (517) is excluded: the reader's snapshot is stale
 * and no amount of waiting lets its transaction write.
 */
export const isRetryableBusy = (e: unknown): boolean =>
  isSqliteError(e) && primaryCode(e) === 5 && e.rawCode !== 517;
