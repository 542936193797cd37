// Direct bus: a signed POST of the batch to the peer's /v1/replication/events. A 2xx means
// the peer's AccountDOs committed every event (their output gates held the reply).
import type { OutgoingBatch } from "../core/index.ts";
import type { ReplicationBus } from "./bus.ts";
import { type RttTable, rttBetween } from "./geography.ts";
import type { RegionInfo } from "./regions.ts";
import { type KeyRing, signRequest } from "./signing.ts";

export const DIRECT_PATH = "/v1/replication/events";

export class ReplicationError extends Error {
  constructor(
    readonly peer: string,
    readonly status: number | null,
    detail: string,
  ) {
    super(`replication to ${peer} failed${status === null ? "" : ` (HTTP ${status})`}: ${detail}`);
  }
}

export class DirectBus implements ReplicationBus {
  readonly kind = "direct";

  constructor(
    private readonly ring: KeyRing,
    private readonly timeoutMs: number,
    private readonly rtt: RttTable = {},
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async send(peer: RegionInfo, batch: OutgoingBatch, timeoutMs = this.timeoutMs): Promise<void> {
    const emulatedMs = rttBetween(this.rtt, batch.from, peer.region);
    if (emulatedMs > 0) await new Promise((resolve) => setTimeout(resolve, emulatedMs));
    const body = JSON.stringify(batch);
    const headers = {
      "content-type": "application/json",
      ...signRequest(this.ring, body, Date.now()),
    };
    let res: Response;
    try {
      res = await this.fetcher(new URL(DIRECT_PATH, peer.url), {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ReplicationError(
        peer.region,
        null,
        err instanceof Error ? err.message : String(err),
      );
    }
    const text = await res.text();
    if (!res.ok) throw new ReplicationError(peer.region, res.status, text.slice(0, 300));
  }
}
