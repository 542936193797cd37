// The stream table: one dedicated connection per Hrana stream, reached only through single-use
// HMAC'd batons, expired (and so rolled back) when idle, and bounded in number.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { HttpError, streamExpired } from "./errors.ts";
import type { Connection } from "./statement.ts";

export interface Stream {
  readonly id: string;
  /** Sequence number the next baton must carry; bumped on every acquire so batons are single-use. */
  seq: bigint;
  readonly conn: Connection;
  /** `store_sql` texts, which live as long as the stream. */
  readonly sqls: Map<number, string>;
  /** True while a request holds the stream; a second request is refused, never interleaved. */
  busy: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface StreamTableOptions {
  openConnection: () => Connection;
  idleMs: number;
  maxStreams: number;
  /** How long an expired stream's baton earns STREAM_EXPIRED rather than "invalid" (sqld: 300 s). */
  expiredMemoryMs?: number;
  onExpire?: (stream: Stream) => void;
}

const U64 = (1n << 64n) - 1n;
const MAX_REMEMBERED_EXPIRED = 100_000;

/** Rolls back whatever the stream left open; reading state of a closed handle aborts libsql. */
export function closeConnection(conn: Connection): void {
  if (!conn.open) return;
  try {
    if (conn.inTransaction) conn.exec("ROLLBACK");
  } catch {
    // closing discards the transaction anyway
  }
  conn.close();
}

export class StreamTable {
  readonly #key = randomBytes(32);
  readonly #streams = new Map<string, Stream>();
  /** id → when it expired; insertion order is expiry order, so the oldest come first. */
  readonly #expired = new Map<string, number>();

  constructor(private readonly opts: StreamTableOptions) {}

  get size(): number {
    return this.#streams.size;
  }

  /** A new stream, already acquired by the caller. */
  open(): Stream {
    if (this.#streams.size >= this.opts.maxStreams) {
      const message = `Server cannot handle additional streams (${this.opts.maxStreams} are open)`;
      throw HttpError.hrana(503, message, "TRANSACTION_BUSY");
    }
    let id = randomBytes(8).toString("hex");
    while (this.#streams.has(id) || this.#expired.has(id)) id = randomBytes(8).toString("hex");
    const seq = randomBytes(8).readBigUInt64BE();
    const stream: Stream = {
      id,
      seq,
      conn: this.opts.openConnection(),
      sqls: new Map(),
      busy: true,
      timer: undefined,
    };
    this.#streams.set(id, stream);
    return stream;
  }

  acquire(baton: string): Stream {
    const decoded = this.#decode(baton);
    if (!decoded) throw HttpError.protocol("Received an invalid baton");
    const stream = this.#streams.get(decoded.id);
    if (!stream) {
      this.#forgetOldExpired();
      if (this.#expired.has(decoded.id)) throw streamExpired();
      throw HttpError.protocol("Received an invalid baton");
    }
    if (stream.busy || stream.seq !== decoded.seq) {
      throw HttpError.protocol("Received a baton that has already been used");
    }
    clearTimeout(stream.timer);
    stream.busy = true;
    stream.seq = (stream.seq + 1n) & U64;
    return stream;
  }

  /** Makes the stream available again and returns the baton for its next request. */
  release(stream: Stream): string {
    stream.busy = false;
    stream.timer = setTimeout(() => this.#expire(stream), this.opts.idleMs);
    stream.timer.unref();
    return this.#encode(stream.id, stream.seq);
  }

  close(stream: Stream): void {
    clearTimeout(stream.timer);
    this.#streams.delete(stream.id);
    closeConnection(stream.conn);
  }

  /** Callers must first let in-flight requests finish: their connections are closed here. */
  closeAll(): void {
    for (const stream of [...this.#streams.values()]) this.close(stream);
  }

  #expire(stream: Stream): void {
    if (stream.busy || this.#streams.get(stream.id) !== stream) return;
    this.close(stream);
    this.#expired.set(stream.id, performance.now());
    this.#forgetOldExpired();
    this.opts.onExpire?.(stream);
  }

  #forgetOldExpired(): void {
    const cutoff = performance.now() - (this.opts.expiredMemoryMs ?? 300_000);
    for (const [id, at] of this.#expired) {
      if (at > cutoff && this.#expired.size <= MAX_REMEMBERED_EXPIRED) break;
      this.#expired.delete(id);
    }
  }

  // Baton = base64(id ‖ seq ‖ HMAC-SHA256(id ‖ seq)), the layout sqld uses.
  #mac(payload: Buffer): Buffer {
    return createHmac("sha256", this.#key).update(payload).digest();
  }

  #encode(id: string, seq: bigint): string {
    const payload = Buffer.alloc(16);
    payload.write(id, 0, "hex");
    payload.writeBigUInt64BE(seq, 8);
    return Buffer.concat([payload, this.#mac(payload)])
      .toString("base64")
      .replace(/=+$/, "");
  }

  #decode(baton: string): { id: string; seq: bigint } | null {
    if (!/^[A-Za-z0-9+/]{64}$/.test(baton)) return null;
    const data = Buffer.from(baton, "base64");
    const payload = data.subarray(0, 16);
    if (!timingSafeEqual(data.subarray(16), this.#mac(payload))) return null;
    return { id: payload.subarray(0, 8).toString("hex"), seq: payload.readBigUInt64BE(8) };
  }
}
