// Reads one publish (from /v2/publish, /v2/enqueue or a /v2/batch item) into a validated
// PublishSpec: destination, forwarded headers and every `Upstash-*` option the relay honours.

import { parseDurationMs } from "./durations.ts";
import { canonicalHeaderName, type HeaderBag, headerValue, RelayError } from "./http.ts";
import { parseRetryDelay, RetryDelayError } from "./retry-delay.ts";

export type Target = { kind: "url"; url: string } | { kind: "group"; name: string };

export interface PublishSpec {
  target: Target;
  /** The destination as published: URL-group name or URL (dedup is scoped by it). */
  destination: string;
  queueName: string | null;
  method: string;
  header: Record<string, string[]>;
  body: Buffer;
  delayMs: number | null;
  notBeforeMs: number | null;
  maxRetries: number | null;
  retryDelay: string | null;
  timeoutMs: number | null;
  callback: string | null;
  failureCallback: string | null;
  label: string | null;
  dedup: { kind: "id"; id: string } | { kind: "content" } | null;
  callerIp: string | null;
}

export const MAX_RETRIES = 100;
const METHODS = new Set(["GET", "POST", "PUT", "DELETE", "PATCH"]);
export const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const FORWARD_PREFIX = "upstash-forward-";
// Hop-by-hop and framing headers belong to each connection; forwarding them breaks the request.
const UNFORWARDABLE = new Set([
  "host",
  "content-length",
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
]);

const bad = (message: string): never => {
  throw new RelayError(400, message);
};

export function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\//i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

export function parseTarget(destination: string): Target {
  if (isHttpUrl(destination)) return { kind: "url", url: destination };
  if (NAME.test(destination)) return { kind: "group", name: destination };
  return bad(`invalid destination url: ${destination}`);
}

function forwardedHeaders(headers: HeaderBag): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const target = lower.startsWith(FORWARD_PREFIX)
      ? lower.slice(FORWARD_PREFIX.length)
      : lower === "content-type"
        ? lower
        : null;
    if (!target || UNFORWARDABLE.has(target)) continue;
    const key = canonicalHeaderName(target);
    out[key] = [...(out[key] ?? []), ...(Array.isArray(value) ? value : [value])];
  }
  return out;
}

function optionalUrl(headers: HeaderBag, name: string): string | null {
  const v = headerValue(headers, name);
  if (v === undefined) return null;
  return isHttpUrl(v) ? v : bad(`${name} must be an http(s) URL`);
}

function optionalDuration(headers: HeaderBag, name: string): number | null {
  const v = headerValue(headers, name);
  if (v === undefined) return null;
  const ms = parseDurationMs(v);
  return ms === null ? bad(`invalid ${name}: ${v}`) : ms;
}

export interface PublishInput {
  destination: string;
  queueName: string | null;
  headers: HeaderBag;
  body: Buffer;
  callerIp: string | null;
}

export function parsePublish(input: PublishInput): PublishSpec {
  const { headers } = input;
  const get = (name: string) => headerValue(headers, name);
  if (input.queueName !== null && !NAME.test(input.queueName))
    bad(`invalid queue name: ${input.queueName}`);

  const method = (get("upstash-method") ?? "POST").toUpperCase();
  if (!METHODS.has(method)) bad(`unsupported Upstash-Method: ${method}`);

  const notBefore = get("upstash-not-before");
  if (notBefore !== undefined && !/^\d{1,12}$/.test(notBefore))
    bad(`Upstash-Not-Before must be unix seconds, got ${notBefore}`);

  const retries = get("upstash-retries");
  if (retries !== undefined && !(/^\d+$/.test(retries) && Number(retries) <= MAX_RETRIES))
    bad(`Upstash-Retries must be an integer in 0..${MAX_RETRIES}`);

  const retryDelay = get("upstash-retry-delay") ?? null;
  if (retryDelay !== null) {
    try {
      parseRetryDelay(retryDelay);
    } catch (e) {
      if (e instanceof RetryDelayError) bad(`invalid Upstash-Retry-Delay: ${e.message}`);
      throw e;
    }
  }

  const timeoutMs = optionalDuration(headers, "upstash-timeout");
  if (timeoutMs === 0) bad("Upstash-Timeout must be positive");
  const dedupId = get("upstash-deduplication-id");
  const contentDedup = get("upstash-content-based-deduplication") === "true";

  return {
    target: parseTarget(input.destination),
    destination: input.destination,
    queueName: input.queueName,
    method,
    header: forwardedHeaders(headers),
    body: input.body,
    delayMs: optionalDuration(headers, "upstash-delay"),
    notBeforeMs: notBefore === undefined ? null : Number(notBefore) * 1000,
    maxRetries: retries === undefined ? null : Number(retries),
    retryDelay,
    timeoutMs,
    callback: optionalUrl(headers, "upstash-callback"),
    failureCallback: optionalUrl(headers, "upstash-failure-callback"),
    label: get("upstash-label") ?? null,
    dedup: dedupId ? { kind: "id", id: dedupId } : contentDedup ? { kind: "content" } : null,
    callerIp: input.callerIp,
  };
}
