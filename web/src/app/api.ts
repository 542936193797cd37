// The app's HTTP client: it talks to the regional endpoints of the rep's jurisdiction
// directly (learned from GET /v1/regions), sticks to the one that answered last, and fails
// over to the next on a network error, a timeout or a 5xx, honouring Retry-After. The
// router (the page's own origin) is the last resort. Works in the page and in the
// service worker (no DOM).
import { retryAfterMs } from "./commands.ts";

export type Endpoint = { region: string | null; url: string };

export type Answer = {
  status: number;
  headers: Headers;
  body: unknown;
  region: string | null;
  degraded: string[];
  endpoint: Endpoint;
};

export type ApiHooks = {
  /** Every answer (any status): which region served, which modes are in force. */
  onAnswer?: (a: { region: string | null; degraded: string[] }) => void;
  /** No endpoint could be reached. */
  onUnreachable?: () => void;
};

export class Unreachable extends Error {
  constructor(readonly retryAfterMs: number | null) {
    super("no endpoint of the jurisdiction answered");
  }
}

export const ATTEMPT_TIMEOUT_MS = 10_000;

export type RequestSpec = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  json?: unknown;
  blob?: Blob;
  headers?: Record<string, string>;
};

export class Api {
  private preferred = 0;
  constructor(
    private endpoints: Endpoint[],
    private token: string | null,
    private lang: string,
    private hooks: ApiHooks = {},
  ) {}

  /**
   * A new endpoint list: the region that answered last stays first if it is in it, else
   * the first region. The router (the list's last entry) is only the last resort.
   */
  setEndpoints(endpoints: Endpoint[]): void {
    const current = this.endpoints[this.preferred];
    this.endpoints = endpoints;
    this.preferred = Math.max(
      endpoints.findIndex((e) => e.region !== null && e.url === current?.url),
      0,
    );
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  setLang(lang: string): void {
    this.lang = lang;
  }

  /** The endpoints in the order they will be tried: the last good one first. */
  order(): Endpoint[] {
    const n = this.endpoints.length;
    return Array.from({ length: n }, (_, i) => this.endpoints[(this.preferred + i) % n]!);
  }

  /** One request to one endpoint; network failures and timeouts throw. */
  async send(endpoint: Endpoint, spec: RequestSpec): Promise<Answer> {
    const headers: Record<string, string> = {
      accept: "application/json",
      "accept-language": this.lang,
      ...spec.headers,
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: BodyInit | undefined;
    if (spec.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(spec.json);
    } else if (spec.blob) {
      headers["content-type"] = spec.blob.type || "application/octet-stream";
      body = spec.blob;
    }
    const res = await fetch(endpoint.url + spec.path, {
      method: spec.method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      cache: "no-store",
    });
    const type = res.headers.get("content-type") ?? "";
    const parsed: unknown = type.includes("json")
      ? await res.json().catch(() => null)
      : type.startsWith("image/")
        ? await res.blob()
        : null;
    const region = res.headers.get("lifeline-region") ?? endpoint.region;
    const degraded = (res.headers.get("lifeline-degraded") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    this.hooks.onAnswer?.({ region, degraded });
    return { status: res.status, headers: res.headers, body: parsed, region, degraded, endpoint };
  }

  /**
   * Runs `attempt` against each endpoint in turn until it says it is done. `attempt`
   * returns "next" to fail over (a 5xx, a region that cannot take it now), with an
   * optional Retry-After. Network errors fail over too. If every endpoint failed, throws
   * Unreachable with the smallest Retry-After any of them gave.
   */
  async failover<T>(
    attempt: (endpoint: Endpoint) => Promise<T | { next: true; retryAfterMs: number | null }>,
  ): Promise<T> {
    let wait: number | null = null;
    const order = this.order();
    for (const endpoint of order) {
      let out: T | { next: true; retryAfterMs: number | null };
      try {
        out = await attempt(endpoint);
      } catch (err) {
        if (err instanceof TypeError || isAbort(err)) continue;
        throw err;
      }
      if (isNext(out)) {
        if (out.retryAfterMs !== null)
          wait = wait === null ? out.retryAfterMs : Math.min(wait, out.retryAfterMs);
        continue;
      }
      this.preferred = this.endpoints.indexOf(endpoint);
      return out;
    }
    this.hooks.onUnreachable?.();
    throw new Unreachable(wait);
  }

  /** A read or a single request with failover on network errors and 5xx. */
  async request(spec: RequestSpec): Promise<Answer> {
    return this.failover(async (endpoint) => {
      const a = await this.send(endpoint, spec);
      if (a.status >= 500)
        return {
          next: true as const,
          retryAfterMs: retryAfterMs(a.headers.get("retry-after"), Date.now()),
        };
      return a;
    });
  }
}

function isNext(x: unknown): x is { next: true; retryAfterMs: number | null } {
  return typeof x === "object" && x !== null && (x as { next?: unknown }).next === true;
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException && (err.name === "AbortError" || err.name === "TimeoutError");
}

export type RegionInfo = { region: string; jurisdiction: string; url: string };

/** The jurisdiction's regional endpoints, then the router (the page's origin) as the last resort. */
export function endpointsFor(
  regions: readonly RegionInfo[],
  jurisdiction: string,
  routerOrigin: string,
): Endpoint[] {
  const own = regions
    .filter((r) => r.jurisdiction === jurisdiction)
    .map((r) => ({ region: r.region, url: r.url.replace(/\/+$/, "") }));
  return [...own, { region: null, url: routerOrigin }];
}
