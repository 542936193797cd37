// The HTTP listener the stand-in servers share: it tracks in-flight requests so that
// shutdown lets them finish before it drops the connections that are left. And the one
// bounded body reader they use.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listener {
  /** The real port (the one asked for, or the free one picked for 0). */
  port: number;
  /** `http://host:port`, an IPv6 host in brackets. */
  url: string;
  /** Stops accepting, closes idle connections, waits for in-flight requests, closes the rest. */
  drain(): Promise<void>;
}

/** Listens on `port` and `host` (rejects with the listen error, e.g. EADDRINUSE). */
export async function listen(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port: number,
  host: string,
): Promise<Listener> {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done = handle(req, res).finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, () => ok());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${actualPort}`,
    drain: async () => {
      const stopped = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** A close() that may be called any number of times: all calls share the first run. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= close();
    return closing;
  };
}

/** The raw body, or null when it exceeds `limit` (the caller answers 413). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"] ?? 0) > limit) {
    // Discard the upload so the client reads our 413 instead of a reset connection.
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on("error", reject);
    // An aborted upload emits neither: without this the request (and shutdown) would hang.
    req.on("close", () => {
      if (!req.complete) reject(new Error("client aborted the request body"));
    });
  });
}
