// QStash bus: publishes the batch through the real @upstash/qstash Client; QStash (or the
// local relay) delivers it to the peer's /v1/replication/qstash with retries, signed with
// its HS256 keys. The body is sealed end to end first (replication/seal.ts): the relay is
// a third party and never sees personal data in clear [LF4]. The deduplication id makes a
// re-published batch one message.
import { Client } from "@upstash/qstash";
import { type OutgoingBatch, sha256Hex } from "../core/index.ts";
import type { ReplicationBus } from "./bus.ts";
import { ReplicationError } from "./direct-bus.ts";
import type { RegionInfo } from "./regions.ts";
import { type SealRing, seal } from "./seal.ts";

export const QSTASH_PATH = "/v1/replication/qstash";

export class QstashBus implements ReplicationBus {
  readonly kind = "qstash";
  private readonly client: Client;

  constructor(
    config: { baseUrl: string; token: string },
    private readonly sealRing: SealRing,
  ) {
    this.client = new Client({
      baseUrl: config.baseUrl,
      token: config.token,
      enableTelemetry: false,
    });
  }

  async send(peer: RegionInfo, batch: OutgoingBatch): Promise<void> {
    const deduplicationId = sha256Hex(
      `${batch.to}|${batch.events.map((e) => `${e.tenantId}/${e.accountId}/${e.id}`).join(",")}`,
    );
    try {
      const body = await seal(this.sealRing, batch.from, peer.region, JSON.stringify(batch));
      await this.client.publish({
        url: new URL(QSTASH_PATH, peer.url).toString(),
        body,
        headers: { "content-type": "application/json" },
        deduplicationId,
        retries: 3,
      });
    } catch (err) {
      throw new ReplicationError(
        peer.region,
        null,
        err instanceof Error ? err.message : String(err),
      );
    }
  }
}
