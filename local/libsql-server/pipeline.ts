// One `POST /v{2,3}/pipeline`: find or open the stream, run every request in order (a failing
// request is reported in `results`, not fatal), and hand back the next baton.

import { describeStmt, executeBatch, executeSequence } from "./batch.ts";
import type { BusyPolicy } from "./busy.ts";
import { HttpError, StmtError } from "./errors.ts";
import { compileStmt, executeStmt, resolveSql } from "./statement.ts";
import type { Stream, StreamTable } from "./streams.ts";
import { writeJson } from "./values.ts";
import {
  parsePipelineRequest,
  type StreamRequest,
  type StreamResult,
  type Version,
} from "./wire.ts";

const MAX_STORED_SQLS = 50;
const MAX_STORED_SQL_BYTES = 5000;

export interface PipelineReply {
  status: number;
  contentType: string;
  body: string;
  /** Number of requests in the pipeline, for the access log (0 if the body was unreadable). */
  requestCount: number;
}

interface RequestContext {
  stream: Stream;
  streams: StreamTable;
  busy: BusyPolicy;
}

async function handleRequest(ctx: RequestContext, req: StreamRequest) {
  const { stream, busy } = ctx;
  const { conn, sqls } = stream;
  switch (req.type) {
    case "close":
      ctx.streams.close(stream);
      return { type: "close" };
    case "execute":
      return {
        type: "execute",
        result: await executeStmt(conn, compileStmt(req.stmt, sqls), busy),
      };
    case "batch":
      return { type: "batch", result: await executeBatch(conn, req.batch.steps, sqls, busy) };
    case "sequence":
      await executeSequence(conn, resolveSql(req.sql, req.sql_id, sqls), busy);
      return { type: "sequence" };
    case "describe":
      return {
        type: "describe",
        result: describeStmt(conn, resolveSql(req.sql, req.sql_id, sqls)),
      };
    case "store_sql": {
      if (sqls.has(req.sql_id)) throw HttpError.protocol(`SQL text ${req.sql_id} already exists`);
      if (sqls.size >= MAX_STORED_SQLS) {
        const message = `The server already stores ${sqls.size} SQL texts, it cannot store more`;
        throw new StmtError(message, "SQL_STORE_TOO_MANY");
      }
      const size = Buffer.byteLength(req.sql);
      if (size > MAX_STORED_SQL_BYTES) {
        const message = `The statement is too large to be stored: ${size} B/${MAX_STORED_SQL_BYTES} B`;
        throw new StmtError(message, "SQL_STORE_TOO_LARGE");
      }
      sqls.set(req.sql_id, req.sql);
      return { type: "store_sql" };
    }
    case "close_sql":
      sqls.delete(req.sql_id);
      return { type: "close_sql" };
    case "get_autocommit":
      return { type: "get_autocommit", is_autocommit: !conn.inTransaction };
  }
}

export async function handlePipeline(
  bodyText: string,
  version: Version,
  streams: StreamTable,
  busy: BusyPolicy,
): Promise<PipelineReply> {
  let requestCount = 0;
  let stream: Stream | undefined;
  let closed = false;
  try {
    const body = parsePipelineRequest(bodyText, version);
    requestCount = body.requests.length;
    stream = body.baton === null ? streams.open() : streams.acquire(body.baton);
    const ctx: RequestContext = { stream, streams, busy };
    const results: StreamResult[] = [];
    for (const req of body.requests) {
      if (closed) throw HttpError.protocol("Stream for this baton was closed");
      try {
        results.push({ type: "ok", response: await handleRequest(ctx, req) });
      } catch (e) {
        if (!(e instanceof StmtError)) throw e;
        results.push({ type: "error", error: { message: e.message, code: e.code } });
      }
      closed = req.type === "close";
    }
    const baton = closed ? null : streams.release(stream);
    const reply = writeJson({ baton, base_url: null, results });
    return { status: 200, contentType: "application/json", body: reply, requestCount };
  } catch (e) {
    // Like sqld, any failure that is not a per-request result ends the stream (rolling back).
    if (stream && !closed) streams.close(stream);
    if (e instanceof HttpError) {
      return { status: e.status, contentType: e.contentType, body: e.body, requestCount };
    }
    throw e;
  }
}
