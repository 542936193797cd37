// A TCP fault proxy: what Toxiproxy does, in TypeScript, because Toxiproxy cannot be
// installed here (DESIGN §9). The chaos topology puts one in front of each libSQL server
// (and, later, on inter-region links and before the relay); its faults change at runtime:
//
//   latencyMs ± jitterMs   every chunk toward the upstream waits this long (order kept)
//   errorRate              this share of new connections is reset at once (RST)
//   blackhole              connections are accepted and never answered, open ones go
//                          silent (a grey failure)
//   reset                  every connection, new and open, is reset
//   bandwidthBytesPerS     both directions share this many bytes per second
//
// Randomness (jitter, error rate) comes from a seeded generator, so a drill replays.
// Everything is bounded: connections held, bytes queued per connection.
import { connect, createServer, type Server, type Socket } from "node:net";
import { z } from "zod";
import { mulberry32 } from "../core/prng.ts";

export const Faults = z.strictObject({
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  jitterMs: z.number().int().min(0).max(60_000).default(0),
  errorRate: z.number().min(0).max(1).default(0),
  blackhole: z.boolean().default(false),
  reset: z.boolean().default(false),
  bandwidthBytesPerS: z.number().int().min(1).max(1e10).nullable().default(null),
});
export type Faults = z.infer<typeof Faults>;
export const NO_FAULTS: Faults = Faults.parse({});

/** Connections one proxy holds at most; past it, new ones are refused (reset). */
const MAX_CONNECTIONS = 1_024;
/** Bytes one connection may have waiting for their delay; past it, reading pauses. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

export interface ProxyStats {
  accepted: number;
  reset: number;
  blackholed: number;
  open: number;
}

/** Spreads bytes over time: a shared schedule per direction, `bytesPerS` at most. */
class Throttle {
  private nextFreeMs = 0;
  delayFor(bytes: number, bytesPerS: number | null, nowMs: number): number {
    if (bytesPerS === null) return 0;
    // A chunk is delivered once its last byte has passed: when the line frees up again.
    this.nextFreeMs = Math.max(nowMs, this.nextFreeMs) + (bytes / bytesPerS) * 1_000;
    return this.nextFreeMs - nowMs;
  }
}

export class FaultProxy {
  private faults: Faults = NO_FAULTS;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly up = new Throttle();
  private readonly down = new Throttle();
  private readonly random: () => number;
  readonly stats: ProxyStats = { accepted: 0, reset: 0, blackholed: 0, open: 0 };

  constructor(
    readonly name: string,
    private readonly upstream: { host: string; port: number },
    seed = 1,
  ) {
    this.random = mulberry32(seed);
  }

  get current(): Faults {
    return this.faults;
  }

  /** Replaces the faults; `reset` also resets every open connection. */
  set(faults: Partial<Faults>): Faults {
    this.faults = Faults.parse({ ...this.faults, ...faults });
    if (this.faults.reset) for (const s of this.sockets) this.resetSocket(s);
    return this.faults;
  }

  heal(): Faults {
    this.faults = NO_FAULTS;
    return this.faults;
  }

  listen(port: number, host = "127.0.0.1"): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port, host, exclusive: true }, () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    this.stats.open = this.sockets.size;
    socket.once("close", () => {
      this.sockets.delete(socket);
      this.stats.open = this.sockets.size;
    });
  }

  private resetSocket(socket: Socket): void {
    this.stats.reset++;
    if (!socket.destroyed) socket.resetAndDestroy();
  }

  private accept(client: Socket): void {
    this.stats.accepted++;
    client.on("error", () => {});
    const f = this.faults;
    if (this.sockets.size >= MAX_CONNECTIONS || f.reset || this.random() < f.errorRate) {
      this.resetSocket(client);
      return;
    }
    this.track(client);
    if (f.blackhole) {
      // Read and drop, never answer: the caller's own timeout is all that helps it.
      this.stats.blackholed++;
      client.resume();
      return;
    }
    const upstream = connect(this.upstream.port, this.upstream.host);
    upstream.on("error", () => client.destroy());
    this.track(upstream);
    this.pipe(client, upstream, this.up, true);
    this.pipe(upstream, client, this.down, false);
  }

  /**
   * Forwards `from` to `to` chunk by chunk, each after its delay, in order. Latency
   * applies toward the upstream (a request waits, as on a slow network or database);
   * bandwidth both ways.
   */
  private pipe(from: Socket, to: Socket, throttle: Throttle, towardUpstream: boolean): void {
    let chain = Promise.resolve();
    let queued = 0;
    from.on("data", (chunk: Buffer) => {
      const f = this.faults;
      if (f.reset) {
        this.resetSocket(from);
        return;
      }
      // A blackhole swallows what open connections carry too, not only new ones: a
      // database that stops answering does not spare the connections a pool holds.
      if (f.blackhole) return;
      const jitter = f.jitterMs ? (this.random() * 2 - 1) * f.jitterMs : 0;
      const latency = towardUpstream ? Math.max(0, f.latencyMs + jitter) : 0;
      const wait = latency + throttle.delayFor(chunk.length, f.bandwidthBytesPerS, Date.now());
      queued += chunk.length;
      if (queued > MAX_QUEUED_BYTES) from.pause();
      const due = Date.now() + wait;
      chain = chain.then(async () => {
        const left = due - Date.now();
        if (left > 0) await new Promise((r) => setTimeout(r, left));
        if (!to.destroyed) to.write(chunk);
        queued -= chunk.length;
        if (queued <= MAX_QUEUED_BYTES && from.isPaused()) from.resume();
      });
    });
    // What is still waiting for its delay is delivered before the other side is closed.
    from.once("close", () => {
      chain = chain.then(() => void (to.destroyed || to.end()));
    });
  }
}
