// The fault proxy with real sockets: an HTTP upstream on loopback, requests through the
// proxy with each fault on, then healed. Delays are checked as lower bounds (what was
// injected), never as speed targets.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FaultProxy, Faults } from "./fault-proxy.ts";

let upstream: Server;
let upstreamPort = 0;
const BIG = Buffer.alloc(100 * 1024, 0x61);

beforeAll(async () => {
  upstream = createServer((req, res) => {
    if (req.url === "/big") return res.end(BIG);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamPort = (upstream.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

async function withProxy(seed: number, use: (p: FaultProxy, url: string) => Promise<void>) {
  const proxy = new FaultProxy("db:test", { host: "127.0.0.1", port: upstreamPort }, seed);
  const port = await proxy.listen(0);
  try {
    await use(proxy, `http://127.0.0.1:${port}`);
  } finally {
    await proxy.close();
  }
}

/** A fresh connection per request, so connection-level faults apply to each. */
const get = (url: string, timeoutMs = 5_000) =>
  fetch(url, { headers: { connection: "close" }, signal: AbortSignal.timeout(timeoutMs) });

describe("fault proxy", () => {
  test("[faults] without faults it forwards both ways unchanged", async () => {
    await withProxy(1, async (_, url) => {
      const res = await get(`${url}/v1/x?y=1`);
      expect(await res.json()).toEqual({ path: "/v1/x?y=1" });
      expect(Buffer.from(await (await get(`${url}/big`)).arrayBuffer()).equals(BIG)).toBe(true);
    });
  });

  test("[faults] latency holds every request back by at least the injected delay; heal lifts it", async () => {
    await withProxy(1, async (proxy, url) => {
      proxy.set({ latencyMs: 300 });
      const t0 = performance.now();
      expect((await get(`${url}/slow`)).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      proxy.heal();
      expect(proxy.current.latencyMs).toBe(0);
    });
  });

  test("[faults] a blackhole accepts and never answers: only the caller's timeout ends the wait", async () => {
    await withProxy(1, async (proxy, url) => {
      proxy.set({ blackhole: true });
      await expect(get(`${url}/hole`, 400)).rejects.toThrow(/abort|timeout/i);
      expect(proxy.stats.blackholed).toBe(1);
      proxy.heal();
      expect((await get(`${url}/back`)).status).toBe(200);
    });
  });

  test("[faults] a blackhole silences connections that were already open", async () => {
    await withProxy(1, async (proxy, url) => {
      // One keep-alive connection: the second request travels on the first one's socket.
      const first = await fetch(`${url}/a`);
      expect(first.status).toBe(200);
      await first.text();
      proxy.set({ blackhole: true });
      await expect(fetch(`${url}/b`, { signal: AbortSignal.timeout(400) })).rejects.toThrow(
        /abort|timeout/i,
      );
      proxy.heal();
    });
  });

  test("[faults] reset refuses every connection with a reset", async () => {
    await withProxy(1, async (proxy, url) => {
      proxy.set({ reset: true });
      await expect(get(`${url}/r`)).rejects.toThrow();
      expect(proxy.stats.reset).toBeGreaterThanOrEqual(1);
    });
  });

  test("[faults] an error rate resets the same connections for the same seed", async () => {
    const pattern = async (seed: number) => {
      const outcomes: boolean[] = [];
      await withProxy(seed, async (proxy, url) => {
        proxy.set({ errorRate: 0.5 });
        for (let i = 0; i < 16; i++)
          outcomes.push(
            await get(`${url}/e${i}`).then(
              (r) => r.ok,
              () => false,
            ),
          );
      });
      return outcomes;
    };
    const first = await pattern(42);
    expect(await pattern(42)).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(0);
    expect(first.filter((ok) => !ok).length).toBeGreaterThan(0);
  });

  test("[faults] a bandwidth cap spreads a large answer over at least its size / rate", async () => {
    await withProxy(1, async (proxy, url) => {
      proxy.set({ bandwidthBytesPerS: 200 * 1024 });
      const t0 = performance.now();
      const body = Buffer.from(await (await get(`${url}/big`)).arrayBuffer());
      expect(body.equals(BIG)).toBe(true);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(400);
    });
  });

  test("[faults] the fault schema refuses what it does not know and bounds what it does", () => {
    expect(Faults.safeParse({ latencyMs: -1 }).success).toBe(false);
    expect(Faults.safeParse({ latencyMs: 1e9 }).success).toBe(false);
    expect(Faults.safeParse({ errorRate: 2 }).success).toBe(false);
    expect(Faults.safeParse({ slow: true }).success).toBe(false);
    expect(Faults.parse({ latencyMs: 800 })).toMatchObject({ latencyMs: 800, blackhole: false });
  });
});
