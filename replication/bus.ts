// The replication bus: how an AccountDO's outbox ships events to a peer region. Two
// implementations pass one contract suite — `direct` (signed HTTP, the local default)
// and `qstash` (Upstash QStash: durable, retried, outside Cloudflare's blast radius).
// Selected per env by REPLICATION_BUS in wrangler.toml.
import type { OutgoingBatch } from "../core/index.ts";
import { DirectBus } from "./direct-bus.ts";
import { rttTableOf } from "./geography.ts";
import { QstashBus } from "./qstash-bus.ts";
import type { RegionInfo } from "./regions.ts";
import { sealRingOf } from "./seal.ts";
import { keyRingOf } from "./signing.ts";

export interface ReplicationBus {
  readonly kind: "direct" | "qstash";
  /** Resolves once the peer (direct) or the relay (qstash) has durably accepted the batch. */
  send(peer: RegionInfo, batch: OutgoingBatch): Promise<void>;
}

/** Budget of one direct delivery; the outbox backs off and retries beyond it. */
export const DIRECT_TIMEOUT_MS = 5_000;

export function busFor(env: Env): ReplicationBus {
  if (env.REPLICATION_BUS === "qstash") {
    return new QstashBus(
      { baseUrl: env.QSTASH_URL ?? "http://127.0.0.1:8080", token: env.QSTASH_TOKEN ?? "" },
      sealRingOf(env),
    );
  }
  return new DirectBus(keyRingOf(env), DIRECT_TIMEOUT_MS, rttTableOf(env));
}
