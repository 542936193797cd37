// Which requests may be sent twice, and what an attempt's outcome means for failover and
// for the region's breaker. A request is retried only when a second delivery cannot
// double its effect: safe methods, or a write carrying its Idempotency-Key [LF2].
import type { Signal } from "../../core/breaker.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const isWrite = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/**
 * Writes whose second delivery has no effect to double: a login only issues a session
 * token (a retry issues another; the rate limits count attempts either way). Without this
 * a login through the router fails while one region of the jurisdiction is down.
 */
const RETRYABLE_WRITES: ReadonlySet<string> = new Set(["POST /v1/auth/login"]);

export function isIdempotent(method: string, path: string, headers: Headers): boolean {
  if (!isWrite(method)) return true;
  if (RETRYABLE_WRITES.has(`${method.toUpperCase()} ${path.replace(/\/$/, "")}`)) return true;
  return (headers.get("idempotency-key") ?? "").trim() !== "";
}

/** One forwarded attempt: the region answered, or it could not be reached in time. */
export type Attempt =
  | { kind: "response"; response: Response }
  | { kind: "unreachable"; error: string }
  | { kind: "timeout"; afterMs: number };

export type Verdict =
  /** Pass it to the client: whatever the status, the region meant it. */
  | { kind: "answer"; response: Response; signal: Signal }
  /**
   * 409 with `Lifeline-Jurisdiction` (problem wrong-jurisdiction): the account lives in
   * another jurisdiction; the region took no effect.
   */
  | { kind: "misdirected"; response: Response; signal: Signal }
  /**
   * 503 problem+json from a live region (e.g. no second region confirmed a `region`
   * survival write in time): worth one try in a peer, which completes the same key, but
   * no mark against the region's health.
   */
  | { kind: "refused"; response: Response; signal: Signal }
  /** Network error, timeout, 502/504, or a 503 that no region wrote (a proxy's, a crash page). */
  | { kind: "failed"; attempt: Attempt; signal: Signal };

export function judge(attempt: Attempt): Verdict {
  if (attempt.kind !== "response") return { kind: "failed", attempt, signal: "failure" };
  const { response } = attempt;
  if (response.status === 409 && response.headers.has("lifeline-jurisdiction")) {
    return { kind: "misdirected", response, signal: "success" };
  }
  switch (response.status) {
    case 502:
    case 504:
      return { kind: "failed", attempt, signal: "failure" };
    case 503:
      return isRegionProblem(response)
        ? { kind: "refused", response, signal: "success" }
        : { kind: "failed", attempt, signal: "failure" };
    default:
      return { kind: "answer", response, signal: "success" };
  }
}

/** The regional API marks every answer with Lifeline-Region and speaks problem+json. */
function isRegionProblem(response: Response): boolean {
  const type = response.headers.get("content-type") ?? "";
  return response.headers.has("lifeline-region") && type.startsWith("application/problem+json");
}
