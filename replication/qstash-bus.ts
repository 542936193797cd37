// QStash bus: publishes the batch through the real @upstash/qstash Client; QStash (or the
// local relay) delivers it to the peer's /v1/replication/qstash with retries, signed with
// its HS256 keys. The deduplication id makes a re-published batch one message.
import { Client } from "@upstash/qstash";
import { type ReplicationBatchV1, sha256Hex } from "../core/index.ts";
import type { ReplicationBus } from "./bus.ts";
import { ReplicationError } from "./direct-bus.ts";
import type { RegionInfo } from "./regions.ts";

export const QSTASH_PATH = "/v1/replication/qstash";

export class QstashBus implements ReplicationBus {
  readonly kind = "qstash";
  private readonly client: Client;

  constructor(config: { baseUrl: string; token: string }) {
    this.client = new Client({
      baseUrl: config.baseUrl,
      token: config.token,
      enableTelemetry: false,
    });
  }

  async send(peer: RegionInfo, batch: ReplicationBatchV1): Promise<void> {
    const deduplicationId = sha256Hex(
      `${batch.to}|${batch.events.map((e) => `${e.tenantId}/${e.accountId}/${e.id}`).join(",")}`,
    );
    try {
      await this.client.publishJSON({
        url: new URL(QSTASH_PATH, peer.url).toString(),
        body: batch,
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
