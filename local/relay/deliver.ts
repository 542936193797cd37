// One delivery attempt: the stored request plus QStash's delivery headers and a fresh
// signature, sent with a timeout; the response is captured (bounded) for retries and the DLQ.

import { canonicalHeaderName } from "./http.ts";
import type { MessageRow } from "./message-store.ts";
import { signDelivery } from "./signature.ts";

export type Attempt =
  | { kind: "response"; status: number; header: Record<string, string[]>; body: Buffer }
  /** Connection failure or timeout: counts as a failed attempt. */
  | { kind: "failed"; reason: string }
  /** The relay is shutting down: the attempt does not count and the message stays pending. */
  | { kind: "aborted" };

export const RESPONSE_BODY_MAX_BYTES = 256 * 1024;

async function readCapped(res: Response, cap: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(Buffer.from(value));
    size += value.length;
    if (size >= cap) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, cap);
}

export interface DeliveryOptions {
  signingKey: string;
  timeoutMs: number;
  /** Aborted when the relay closes. */
  shutdown: AbortSignal;
  now: number;
}

export async function attemptDelivery(row: MessageRow, opts: DeliveryOptions): Promise<Attempt> {
  // GET and HEAD cannot carry a body; the signature then covers the empty body actually sent.
  const body = row.method === "GET" ? Buffer.alloc(0) : row.body;
  const headers = new Headers();
  for (const [name, values] of Object.entries(JSON.parse(row.header) as Record<string, string[]>))
    for (const v of values) headers.append(name, v);
  headers.set("User-Agent", "Upstash-QStash");
  headers.set("Upstash-Signature", signDelivery(opts.signingKey, row.url, body, opts.now));
  headers.set("Upstash-Message-Id", row.id);
  headers.set("Upstash-Retried", String(row.retried));
  if (row.topic_name) headers.set("Upstash-Topic-Name", row.topic_name);
  if (row.caller_ip) headers.set("Upstash-Caller-Ip", row.caller_ip);

  const timeout = AbortSignal.timeout(opts.timeoutMs);
  try {
    const res = await fetch(row.url, {
      method: row.method,
      headers,
      body: row.method === "GET" ? undefined : body,
      redirect: "manual",
      signal: AbortSignal.any([opts.shutdown, timeout]),
    });
    const responseBody = await readCapped(res, RESPONSE_BODY_MAX_BYTES);
    const header: Record<string, string[]> = {};
    res.headers.forEach((value, name) => {
      header[canonicalHeaderName(name)] = [value];
    });
    return { kind: "response", status: res.status, header, body: responseBody };
  } catch (e) {
    if (opts.shutdown.aborted) return { kind: "aborted" };
    if (timeout.aborted) return { kind: "failed", reason: `timed out after ${opts.timeoutMs}ms` };
    const cause = (e as Error & { cause?: Error }).cause;
    return { kind: "failed", reason: cause?.message ?? (e as Error).message };
  }
}
