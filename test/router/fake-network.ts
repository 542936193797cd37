// A fake network and clock for driving the router app in Node with app.request(): each
// region is a handler keyed by its URL; every request that reaches one is recorded.
import { createRouter } from "../../workers/router/index.ts";
import { isolateState } from "../../workers/router/state.ts";

export const REGIONS = [
  { region: "cn-east", jurisdiction: "cn", url: "http://cn-east.test" },
  { region: "cn-south", jurisdiction: "cn", url: "http://cn-south.test" },
  { region: "eu-central", jurisdiction: "eu", url: "http://eu-central.test" },
];

export const ACC = "acc_0123456789ABCDEFGHJKMNPQRS";
export const CTR = `ctr_${ACC.slice(4)}_0123456789ABCDEF`;
export const ACC_EU = "acc_ZZZZZZZZZZZZZZZZZZZZZZZZZZ";

export type Seen = { region: string; method: string; path: string; headers: Headers; body: string };
/** A region's behaviour for one request: a response, or a fault. */
export type Reply = Response | "hang" | "refuse";

/** Far past any attempt timeout these tests set (≤ 1 s). */
const HANG_BACKSTOP_MS = 5_000;
export type Behaviour = (req: Request, region: string) => Reply | Promise<Reply>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  return new Response(text, {
    status,
    headers: {
      "content-type": status >= 400 ? "application/problem+json" : "application/json",
      "content-length": String(new TextEncoder().encode(text).byteLength),
      ...headers,
    },
  });
}

/** What a healthy regional API answers: health, customer views, an echo for the rest. */
export async function healthyRegion(req: Request, region: string): Promise<Response> {
  const jurisdiction = REGIONS.find((r) => r.region === region)!.jurisdiction;
  const mark = { "lifeline-region": region };
  const path = new URL(req.url).pathname;
  if (path === "/v1/health") return json({ status: "ok", region, jurisdiction }, 200, mark);
  if (req.method === "POST" && path === "/v1/customers") {
    const body = (await req.json()) as { id?: string; residency: string };
    return streamed({ id: body.id ?? ACC, residency: body.residency, name: "x" }, 201, mark);
  }
  return json({ servedBy: region, method: req.method, path }, 200, mark);
}

/** As the regional API sends customer views: streamed, without Content-Length. */
export function streamed(body: unknown, status: number, headers: Record<string, string>) {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, 10));
      controller.enqueue(bytes.subarray(10));
      controller.close();
    },
  });
  return new Response(stream, {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function wrongJurisdiction(jurisdiction: string, region: string) {
  return json(
    {
      type: "urn:lifeline:problem:wrong-jurisdiction",
      title: "This account's data lives in another jurisdiction",
      status: 409,
      jurisdiction,
      regions: REGIONS.filter((r) => r.jurisdiction === jurisdiction),
    },
    409,
    { "lifeline-region": region, "lifeline-jurisdiction": jurisdiction },
  );
}

export function fakeTopology(
  options: { attemptTimeoutMs?: number; regions?: typeof REGIONS } = {},
) {
  const regions = options.regions ?? REGIONS;
  const seen: Seen[] = [];
  const behaviours = new Map<string, Behaviour>();
  const clock = { nowMs: 1_000_000 };
  const pending: Promise<unknown>[] = [];

  async function fetch(request: Request): Promise<Response> {
    const origin = new URL(request.url).origin;
    const region = regions.find((r) => r.url === origin)?.region;
    if (!region) throw new TypeError(`fetch failed: no route to ${origin}`);
    const path = new URL(request.url).pathname;
    // Health probes are bookkeeping, not traffic: recorded apart so tests count requests.
    if (path !== "/v1/health") {
      seen.push({
        region,
        method: request.method,
        path: path + new URL(request.url).search,
        headers: request.headers,
        body: await request.clone().text(),
      });
    }
    const reply = await (behaviours.get(region) ?? healthyRegion)(request, region);
    if (reply === "refuse") throw new TypeError("fetch failed: connection refused");
    if (reply === "hang") {
      // The router's attempt timeout may already have fired while this fake read the body
      // (a loaded machine): an abort event that has passed never comes again. And Node's
      // Request follows its init signal only through a weak link, so under memory pressure
      // the abort may never reach `request.signal` at all (a full run once hung here for
      // 30 s): past HANG_BACKSTOP_MS the fake gives up too. The router has aborted by then,
      // so it still sees a timeout, as a real hung connection would show it.
      return new Promise((_, reject) => {
        if (request.signal.aborted) return reject(request.signal.reason);
        const backstop = setTimeout(() => reject(new Error("hang backstop")), HANG_BACKSTOP_MS);
        request.signal.addEventListener("abort", () => {
          clearTimeout(backstop);
          reject(request.signal.reason);
        });
      });
    }
    return reply;
  }

  const app = createRouter({ fetch, nowMs: () => clock.nowMs, state: isolateState() });
  const env = {
    REGIONS: JSON.stringify(regions),
    ROUTER_DEFAULT_JURISDICTION: "cn",
    ROUTER_ATTEMPT_TIMEOUT_MS: String(options.attemptTimeoutMs ?? 200),
    ROUTER_COOL_DOWN_MS: "5000",
    ROUTER_PROBE_INTERVAL_MS: "2000",
  };
  const ctx = {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    passThroughOnException: () => {},
    props: {},
  };

  return {
    seen,
    clock,
    /** Make `region` answer with `behaviour` from now on (undefined: healthy again). */
    set(region: string, behaviour: Behaviour | undefined) {
      if (behaviour) behaviours.set(region, behaviour);
      else behaviours.delete(region);
    },
    async request(
      method: string,
      path: string,
      init: { body?: unknown; headers?: Record<string, string> } = {},
    ) {
      const headers = new Headers(init.headers);
      if (init.body !== undefined && !headers.has("content-type"))
        headers.set("content-type", "application/json");
      const body =
        init.body === undefined
          ? undefined
          : typeof init.body === "string"
            ? init.body
            : JSON.stringify(init.body);
      const res = await app.request(
        `http://router.test${path}`,
        { method, headers, body },
        env,
        ctx as never,
      );
      return res;
    },
    /** Waits for background work (probes, learning) started so far. */
    async settle() {
      for (let round = 0; round < 10 && pending.length; round++)
        await Promise.all(pending.splice(0));
    },
    regionsHit: () => seen.map((s) => s.region),
    reset() {
      seen.length = 0;
    },
  };
}
