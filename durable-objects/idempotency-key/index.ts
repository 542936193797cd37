// IdempotencyKeyDO: one per (tenant, Idempotency-Key). It sees every use of a key, even
// when two uses target different accounts, so it can answer 422 (another payload) and
// 409 (first still in flight). The AccountDO ledger stays the authority for replays.
import { DurableObject } from "cloudflare:workers";
import {
  type ClaimVerdict,
  IDEMPOTENCY_RETENTION_MS,
  judgeClaim,
  KEY_LEASE_MS,
  type KeyClaim,
} from "../../core/index.ts";

export class IdempotencyKeyDO extends DurableObject<Env> {
  async claim(fingerprint: string): Promise<ClaimVerdict> {
    const now = Date.now();
    const current = this.ctx.storage.kv.get<KeyClaim>("claim") ?? null;
    const verdict = judgeClaim(current, fingerprint, now);
    if (verdict === "ok" && current?.state !== "done") {
      this.ctx.storage.kv.put<KeyClaim>("claim", {
        fingerprint,
        state: "pending",
        leaseUntilMs: now + KEY_LEASE_MS,
      });
      if (!current) await this.ctx.storage.setAlarm(now + IDEMPOTENCY_RETENTION_MS);
    }
    return verdict;
  }

  complete(fingerprint: string): void {
    const current = this.ctx.storage.kv.get<KeyClaim>("claim");
    if (current?.fingerprint === fingerprint)
      this.ctx.storage.kv.put<KeyClaim>("claim", { ...current, state: "done" });
  }

  /** A refused command took no effect: free the key for a corrected retry. */
  release(fingerprint: string): void {
    const current = this.ctx.storage.kv.get<KeyClaim>("claim");
    if (current?.fingerprint === fingerprint && current.state === "pending")
      this.ctx.storage.kv.delete("claim");
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}
