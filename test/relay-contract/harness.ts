// Test plumbing for the relay: relays and destination servers that each test starts and stops
// itself, the vendor Client pointed at the relay, and polling helpers with deadlines.

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, Receiver } from "@upstash/qstash";
import { onTestFinished, vi } from "vitest";
import {
  DEV_CURRENT_SIGNING_KEY,
  DEV_NEXT_SIGNING_KEY,
  DEV_TOKEN,
  type Relay,
  type RelayOptions,
  startRelay,
} from "../../local/relay/server.ts";

export { DEV_CURRENT_SIGNING_KEY, DEV_NEXT_SIGNING_KEY, DEV_TOKEN };

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await sleep(5);
  }
}

export interface Delivery {
  method: string;
  /** The full URL the request reached, as the relay's `sub` claim should name it. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** When the response had been written; undefined while it is still being answered. */
  doneAt?: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export interface Destination {
  url: string;
  deliveries: Delivery[];
  /** Deliveries to one path (with its query string). */
  to(path: string): Delivery[];
  close(): Promise<void>;
}

/** A destination that records every request and answers 200 unless `answer` says otherwise. */
export async function startDestination(
  answer: (d: Delivery, index: number) => Answer = () => ({ status: 200 }),
): Promise<Destination> {
  const deliveries: Delivery[] = [];
  let base = "";
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const d: Delivery = {
        method: req.method ?? "",
        url: `${base}${req.url}`,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      deliveries.push(d);
      const a = answer(d, deliveries.length - 1);
      if (a.delayMs) await sleep(a.delayMs);
      res.writeHead(a.status, a.headers);
      res.end(a.body ?? "", () => {
        d.doneAt = Date.now();
      });
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", () => ok()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    deliveries,
    to: (path) => deliveries.filter((d) => d.url === `${base}${path}`),
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface TestRelay {
  relay: Relay;
  url: string;
  dataPath: string;
  client: Client;
  /** Closes the relay and starts a new one on the same data file. */
  restart(extra?: Partial<RelayOptions>): Promise<void>;
  stop(): Promise<void>;
}

export const clientFor = (url: string, token = DEV_TOKEN) =>
  new Client({ baseUrl: url, token, retry: false });

/** A relay on a free port over a fresh temp dir; retries run 1000× faster than QStash's. */
export async function startTestRelay(opts: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const dir = await mkdtemp(join(tmpdir(), "relay-contract-"));
  const dataPath = join(dir, "nested", "relay.db");
  const start = (extra: Partial<RelayOptions>) =>
    startRelay({ port: 0, dataPath, timeScale: 0.001, logLevel: "warn", ...opts, ...extra });
  const t: TestRelay = {
    relay: await start({}),
    url: "",
    dataPath,
    client: undefined as unknown as Client,
    async restart(extra = {}) {
      await t.relay.close();
      t.relay = await start(extra);
      t.url = t.relay.url;
      t.client = clientFor(t.url, opts.token);
    },
    async stop() {
      await t.relay.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  t.url = t.relay.url;
  t.client = clientFor(t.url, opts.token);
  return t;
}

export const devReceiver = () =>
  new Receiver({
    currentSigningKey: DEV_CURRENT_SIGNING_KEY,
    nextSigningKey: DEV_NEXT_SIGNING_KEY,
  });

/** Verifies a delivery's signature against its own body and URL with the vendor Receiver. */
export function verify(d: Delivery, receiver = devReceiver()): Promise<boolean> {
  return receiver.verify({
    signature: String(d.headers["upstash-signature"]),
    body: d.body,
    url: d.url,
  });
}

/** A raw call to the relay, for checks the SDK hides (statuses, error bodies). */
export async function raw(
  url: string,
  path: string,
  init: RequestInit & { token?: string | null } = {},
): Promise<{ status: number; json: unknown; text: string }> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? DEV_TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  const res = await fetch(`${url}${path}`, { ...init, headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** A relay and a destination for one test, both stopped when the test finishes. */
export async function open(
  opts: Partial<RelayOptions> = {},
  answer?: (d: Delivery, index: number) => Answer,
): Promise<{ relay: TestRelay; dest: Destination; client: Client }> {
  const relay = await startTestRelay(opts);
  const dest = await startDestination(answer);
  // The SDK logs every non-2xx answer; tests that expect refusals assert on them instead.
  const log = console.error;
  const quiet = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).startsWith("[Upstash QStash]")) log(...args);
  });
  onTestFinished(async () => {
    quiet.mockRestore();
    await relay.stop();
    await dest.close();
  });
  return { relay, dest, client: relay.client };
}

/** Gaps in ms between consecutive deliveries. */
export const gaps = (ds: Delivery[]) => ds.slice(1).map((d, i) => d.at - (ds[i] as Delivery).at);
