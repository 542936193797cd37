// Hrana-over-HTTP JSON message types and the runtime check that turns an untrusted body into
// them. The whole body is checked before anything runs, as sqld deserializes it up front.

import { HttpError } from "./errors.ts";
import type { HranaValue } from "./values.ts";

export type Version = 2 | 3;

export interface Stmt {
  sql: string | null;
  sql_id: number | null;
  args: HranaValue[];
  named_args: { name: string; value: HranaValue }[];
  want_rows: boolean;
}
export type BatchCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and" | "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };
export interface BatchStep {
  condition: BatchCond | null;
  stmt: Stmt;
}
export type StreamRequest =
  | { type: "close" | "get_autocommit" }
  | { type: "execute"; stmt: Stmt }
  | { type: "batch"; batch: { steps: BatchStep[] } }
  | { type: "sequence" | "describe"; sql: string | null; sql_id: number | null }
  | { type: "store_sql"; sql_id: number; sql: string }
  | { type: "close_sql"; sql_id: number };
export interface PipelineRequest {
  baton: string | null;
  requests: StreamRequest[];
}

export interface Col {
  name: string | null;
  decltype: string | null;
}
export interface StmtResult {
  cols: Col[];
  rows: HranaValue[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
  rows_read: number;
  rows_written: number;
  query_duration_ms: number;
}
export interface HranaErrorBody {
  message: string;
  code: string;
}
export interface BatchResult {
  step_results: (StmtResult | null)[];
  step_errors: (HranaErrorBody | null)[];
}
export type StreamResult =
  | { type: "ok"; response: { type: string } & Record<string, unknown> }
  | { type: "error"; error: HranaErrorBody };

type Json = unknown;
const bad = (detail: string): never => {
  throw HttpError.protocol(`Cannot deserialize client message from JSON: ${detail}`);
};
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: Json, what: string) => (isObject(v) ? v : bad(`expected ${what} to be an object`));
const arr = (v: Json, what: string) =>
  Array.isArray(v) ? v : bad(`expected ${what} to be an array`);
const optStr = (v: Json, what: string) =>
  v == null ? null : typeof v === "string" ? v : bad(`expected ${what} to be a string`);
const int32 = (v: Json, what: string) =>
  Number.isInteger(v) && Math.abs(v as number) <= 2 ** 31 ? (v as number) : bad(`invalid ${what}`);
const optInt32 = (v: Json, what: string) => (v == null ? null : int32(v, what));
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

function value(v: Json): HranaValue {
  const o = obj(v, "value");
  switch (o.type) {
    case "null":
      return { type: "null" };
    case "integer": {
      const s = o.value;
      if (typeof s !== "string" || !/^[+-]?\d{1,20}$/.test(s)) return bad("invalid integer value");
      const n = BigInt(s);
      return n < I64_MIN || n > I64_MAX
        ? bad("integer out of range")
        : { type: "integer", value: s };
    }
    case "float":
      return typeof o.value === "number" ? { type: "float", value: o.value } : bad("invalid float");
    case "text":
      return typeof o.value === "string" ? { type: "text", value: o.value } : bad("invalid text");
    case "blob": {
      const b = o.base64;
      const ok = typeof b === "string" && /^[A-Za-z0-9+/]*={0,2}$/.test(b);
      return ok ? { type: "blob", base64: b } : bad("invalid base64 blob");
    }
    default:
      throw HttpError.protocol("Value type not recognized");
  }
}

function stmt(v: Json): Stmt {
  const o = obj(v, "stmt");
  return {
    sql: optStr(o.sql, "sql"),
    sql_id: optInt32(o.sql_id, "sql_id"),
    args: o.args == null ? [] : arr(o.args, "args").map(value),
    named_args:
      o.named_args == null
        ? []
        : arr(o.named_args, "named_args").map((a) => {
            const na = obj(a, "named arg");
            if (typeof na.name !== "string") return bad("expected named arg name to be a string");
            return { name: na.name, value: value(na.value) };
          }),
    want_rows: o.want_rows == null ? true : o.want_rows === true,
  };
}

function cond(v: Json, version: Version): BatchCond {
  const o = obj(v, "condition");
  switch (o.type) {
    case "ok":
    case "error":
      return { type: o.type, step: int32(o.step, "step") };
    case "not":
      return { type: "not", cond: cond(o.cond, version) };
    case "and":
    case "or":
      return { type: o.type, conds: arr(o.conds, "conds").map((c) => cond(c, version)) };
    case "is_autocommit":
      if (version < 3) throw notSupported("BatchCond of type `is_autocommit`");
      return { type: "is_autocommit" };
    default:
      throw HttpError.protocol("BatchCond type not recognized");
  }
}

const notSupported = (what: string) =>
  HttpError.protocol(`${what} is only supported in protocol version hrana3 and higher`);

function request(v: Json, version: Version): StreamRequest {
  const o = obj(v, "request");
  switch (o.type) {
    case "close":
      return { type: "close" };
    case "get_autocommit":
      if (version < 3) throw notSupported("The `get_autocommit` request");
      return { type: "get_autocommit" };
    case "execute":
      return { type: "execute", stmt: stmt(o.stmt) };
    case "batch": {
      const steps = arr(obj(o.batch, "batch").steps, "steps").map((s) => {
        const step = obj(s, "step");
        const condition = step.condition == null ? null : cond(step.condition, version);
        return { condition, stmt: stmt(step.stmt) };
      });
      return { type: "batch", batch: { steps } };
    }
    case "sequence":
    case "describe":
      return { type: o.type, sql: optStr(o.sql, "sql"), sql_id: optInt32(o.sql_id, "sql_id") };
    case "store_sql":
      if (typeof o.sql !== "string") return bad("expected sql to be a string");
      return { type: "store_sql", sql_id: int32(o.sql_id, "sql_id"), sql: o.sql };
    case "close_sql":
      return { type: "close_sql", sql_id: int32(o.sql_id, "sql_id") };
    default:
      throw HttpError.protocol("StreamRequest type not recognized");
  }
}

export function parsePipelineRequest(text: string, version: Version): PipelineRequest {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return bad((e as Error).message);
  }
  const body = obj(json, "pipeline request");
  const baton = optStr(body.baton, "baton");
  const requests = arr(body.requests, "requests").map((r) => request(r, version));
  return { baton, requests };
}
