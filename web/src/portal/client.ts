// The portal's HTTP client: JSON over fetch to the page's own origin (the router forwards
// to the customer's regions and fails over between them), with a timeout, the session's
// bearer token, the user's language and, on writes, the action's Idempotency-Key. It
// reports what every answer says about the portal (Lifeline-Degraded: portal-read-only)
// and never throws for an HTTP status: callers decide; only "no answer" throws.
import type { Problem } from "./api-types.ts";

export const TIMEOUT_MS = 15_000;
export const READ_ONLY_MODE = "portal-read-only";

export type Reply = { status: number; body: unknown; headers: Headers; degraded: string[] };

export type Spec = {
  method: "GET" | "POST" | "PUT";
  path: string;
  json?: unknown;
  idempotencyKey?: string;
};

/** No answer at all: offline, a timeout, or the origin is down. */
export class Unreachable extends Error {
  constructor() {
    super("Lifeline did not answer");
  }
}

export async function send(
  spec: Spec,
  ctx: { token: string | null; lang: string; origin?: string },
): Promise<Reply> {
  const headers: Record<string, string> = {
    accept: "application/json",
    "accept-language": ctx.lang,
  };
  if (ctx.token) headers.authorization = `Bearer ${ctx.token}`;
  if (spec.idempotencyKey) headers["idempotency-key"] = spec.idempotencyKey;
  if (spec.json !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch((ctx.origin ?? "") + spec.path, {
      method: spec.method,
      headers,
      ...(spec.json !== undefined ? { body: JSON.stringify(spec.json) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new Unreachable();
  }
  const type = res.headers.get("content-type") ?? "";
  const body: unknown = type.includes("json") ? await res.json().catch(() => null) : null;
  const degraded = (res.headers.get("lifeline-degraded") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return { status: res.status, body, headers: res.headers, degraded };
}

/** The problem's code: the last segment of its type (urn:lifeline:problem:<code>). */
export function problemCode(body: unknown): string | null {
  const type = (body as Partial<Problem> | null)?.type;
  if (typeof type !== "string") return null;
  return type.split(/[:/]/).pop() || null;
}

export function problemDetail(body: unknown, status: number): string {
  const p = body as Partial<Problem> | null;
  const fields = (p?.errors ?? [])
    .map((e) => [e.field, e.message].filter(Boolean).join(": "))
    .filter(Boolean);
  return [p?.detail ?? p?.title ?? `HTTP ${status}`, ...fields].join(" · ");
}

/** Writes are paused for the portal: the header on any answer, or a write refused with 503. */
export function saysReadOnly(r: Reply): boolean {
  return (
    r.degraded.includes(READ_ONLY_MODE) ||
    (r.status === 503 && problemCode(r.body) === READ_ONLY_MODE)
  );
}

/** Seconds to wait from Retry-After (seconds or an HTTP date), at least 1; null without one. */
export function retryAfterSeconds(headers: Headers, nowMs: number): number | null {
  const v = headers.get("retry-after");
  if (!v) return null;
  const s = /^\d+$/.test(v.trim()) ? Number(v) : (Date.parse(v) - nowMs) / 1000;
  return Number.isFinite(s) ? Math.max(1, Math.ceil(s)) : null;
}
