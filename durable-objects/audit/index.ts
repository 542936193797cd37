// AuditDO: one per region, the region's keyed audit chain [LF7] and the checkpoints it
// holds for its peers. A thin shell over AuditLog: the key comes from AUDIT_KEY (refused
// when missing or short), appends are serialised by the object, and an alarm hands the
// chain's head to the checkpoint holders after appends, re-armed with backoff until each
// has acknowledged it.
import { DurableObject } from "cloudflare:workers";
import {
  type AuditCheckpointV1,
  type AuditEntry,
  type AuditHead,
  type AuditKind,
  auditKey,
} from "../../core/index.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { checkpointHolders, pushCheckpoint } from "./checkpoints.ts";
import { type AuditAppend, AuditLog, type HeldCheckpoint, type HoldOutcome } from "./log.ts";

export type { AuditAppend } from "./log.ts";

/** How soon after an append its head is handed to the holders. */
const CHECKPOINT_DELAY_MS = 1_000;
/** Retries of an unacknowledged head back off up to this. */
const CHECKPOINT_RETRY_MAX_MS = 60_000;

export class AuditDO extends DurableObject<Env> {
  private log: AuditLog | null = null;
  private failure: Error | null = null;
  private retries = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      try {
        this.log = new AuditLog(durableObjectStore(ctx.storage), auditKey(env.AUDIT_KEY));
      } catch (err) {
        // Every call fails with the reason (e.g. a missing AUDIT_KEY) instead of a bare reset.
        this.failure = err as Error;
      }
    });
  }

  private get audit(): AuditLog {
    if (!this.log) throw this.failure ?? new Error("AuditDO is not initialised");
    return this.log;
  }

  async append(input: AuditAppend): Promise<AuditEntry> {
    const entry = this.audit.append(input, new Date().toISOString());
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + CHECKPOINT_DELAY_MS);
    return entry;
  }

  entriesFor(tenantId: string, afterSeq: number, limit: number, kind?: AuditKind) {
    return this.audit.entriesFor(tenantId, afterSeq, limit, kind);
  }

  verify(checkpoints: readonly AuditHead[], tenantId: string) {
    return this.audit.verify(checkpoints, tenantId);
  }

  /** A peer region's head, handed to this region to hold. */
  hold(cp: AuditCheckpointV1): HoldOutcome {
    const outcome = this.audit.hold(cp, new Date().toISOString());
    if (outcome.kind === "rollback" || outcome.kind === "fork")
      console.error(
        `[LF7] audit checkpoint ${outcome.kind} from ${cp.region}: seq ${cp.seq} offered, ${outcome.heldSeq} held`,
      );
    return outcome;
  }

  held(region: string): HeldCheckpoint {
    return this.audit.held(region);
  }

  override async alarm(): Promise<void> {
    const head = this.audit.head();
    if (head.seq === 0) return;
    const cp: AuditCheckpointV1 = {
      v: 1,
      region: this.env.REGION,
      seq: head.seq,
      hash: head.hash,
      at: new Date().toISOString(),
    };
    let retry = false;
    for (const holder of checkpointHolders(this.env)) {
      if (this.audit.ackedBy(holder.region) === head.seq) continue;
      const result = await pushCheckpoint(this.env, holder, cp);
      if (result.ok) {
        this.audit.recordAck(holder.region, cp.seq, result.countersignature, cp.at);
      } else {
        console.error(`[LF7] audit checkpoint to ${holder.region} failed: ${result.detail}`);
        retry ||= result.retry;
      }
    }
    this.retries = retry ? this.retries + 1 : 0;
    if (retry) {
      const delay = Math.min(CHECKPOINT_DELAY_MS * 2 ** this.retries, CHECKPOINT_RETRY_MAX_MS);
      await this.ctx.storage.setAlarm(Date.now() + delay);
    } else if (this.audit.head().seq !== head.seq) {
      // Appended while the pushes were in flight: that head goes out too.
      await this.ctx.storage.setAlarm(Date.now() + CHECKPOINT_DELAY_MS);
    }
  }
}
