// The credentials worker: the region's password checks (PBKDF2, ~40 ms of CPU each) run
// here, behind the API's CREDENTIALS service binding (RPC `verify`, `hash`), never on
// the thread that serves API keys and the lifeline flows (issue 8: a login storm must not
// stall a region).
//
// Why a Worker of its own: CPU spent in one isolate delays every other request queued
// on that isolate. In production Cloudflare runs this Worker in isolates of its own, with
// its own CPU limits; locally `npm start` runs it in its own `wrangler dev` process, so
// workerd's single thread per process does not serialise password checks with API-key
// requests either (scripts/region.ts, `credentials: "own-process"`). Tests that do not
// measure this run it inside the region's process. Only a service binding reaches it:
// `workers_dev = false`, and `GET /health` is its only HTTP route (readiness probes).
import { WorkerEntrypoint } from "cloudflare:workers";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password.ts";

/** Longer inputs are refused before any hashing (the API's schema already caps them); the
 * entry module exports only its handler (workerd refuses other exports). */
const MAX_PASSWORD_CHARS = 1_024;
const MAX_STORED_CHARS = 512;

export default class Credentials extends WorkerEntrypoint {
  /**
   * Whether `password` matches `stored`; `stored` null (an unknown e-mail) is checked
   * against a dummy hash, so the answer takes as long as a real check.
   */
  async verify(password: string, stored: string | null): Promise<boolean> {
    if (typeof password !== "string" || password.length > MAX_PASSWORD_CHARS) return false;
    if (stored !== null && (typeof stored !== "string" || stored.length > MAX_STORED_CHARS))
      return false;
    return verifyPassword(password, stored ?? DUMMY_HASH);
  }

  /** A new salted hash of `password`, in the format `verify` reads. */
  async hash(password: string): Promise<string> {
    if (typeof password !== "string" || password.length > MAX_PASSWORD_CHARS)
      throw new Error(`a password is at most ${MAX_PASSWORD_CHARS} characters`);
    return hashPassword(password, crypto.getRandomValues(new Uint8Array(16)));
  }

  override async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/health")
      return Response.json({ ok: true, service: "credentials" });
    return Response.json(
      { type: "about:blank", title: "Not found", status: 404 },
      { status: 404, headers: { "content-type": "application/problem+json" } },
    );
  }
}
