// The relay's one error type and reply shape: every failure leaves as `{"error": "…"}` with
// its status, which is what the QStash SDK turns into a QstashError.

import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { readBody } from "../service-kit/http-server.ts";
import type { RelayContext } from "./context.ts";

// Routes read raw bodies (signed publishes) through this module like every other reply helper.
export { readBody };

export class RelayError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  /** Serialised as JSON; undefined sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const errorReply = (status: number, message: string): Reply => ({
  status,
  body: { error: message },
});

/** Headers as Node delivers them: lower-case names, repeated ones as arrays or joined. */
export type HeaderBag = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `content-type` → `Content-Type`, the Go-canonical form QStash reports header names in. */
export const canonicalHeaderName = (name: string): string =>
  name
    .toLowerCase()
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("-");

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body === null) throw new RelayError(413, `request body exceeds ${limit} bytes`);
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new RelayError(400, "request body is not valid JSON");
  }
}

export interface RequestInfo {
  req: IncomingMessage;
  /** Undecoded path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Path and query exactly as sent: a published destination keeps its own query string. */
  rawUrl: string;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE" | "PATCH";
  pattern: RegExp;
  handler(ctx: RelayContext, r: RequestInfo, params: string[]): Reply | Promise<Reply>;
}

export function decodeParam(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    throw new RelayError(400, `malformed path segment: ${raw}`);
  }
}
