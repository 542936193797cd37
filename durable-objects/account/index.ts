// AccountDO: one per (region, tenant, account). A thin shell: storage, alarm and the
// read-model connection are wired here; every rule lives in AccountEngine and core/.
import { DurableObject } from "cloudflare:workers";
import { connectReadModel } from "../../db/client.ts";
import { writeProjection } from "../../db/projector.ts";
import { durableObjectStore } from "../storage/do-store.ts";
import { AccountEngine, type ExecuteRequest, type ExecuteResult } from "./engine.ts";

/** Budget of one projection write to libSQL; past it the alarm backs off and retries. */
const PROJECTION_TIMEOUT_MS = 5_000;

export class AccountDO extends DurableObject<Env> {
  private engine!: AccountEngine;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.engine = new AccountEngine(durableObjectStore(ctx.storage), {
        region: env.REGION,
        now: () => Date.now(),
        random: () => Math.random(),
      });
    });
  }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    const result = this.engine.execute(request);
    if (result.kind === "response" && !result.replayed) await this.armAlarm();
    return result;
  }

  getCustomer() {
    return this.engine.customer();
  }

  getContract(contractId: string) {
    return this.engine.contract(contractId);
  }

  /** The benchmark floor: one bare SQLite write in this DO, through the same worker. */
  floorWrite(payload: string): number {
    this.ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS floor (id INTEGER PRIMARY KEY, payload TEXT)",
    );
    return this.ctx.storage.sql.exec("INSERT INTO floor (payload) VALUES (?)", payload).rowsWritten;
  }

  override async alarm(): Promise<void> {
    const db = connectReadModel(this.env.LIBSQL_URL, {
      authToken: this.env.LIBSQL_AUTH_TOKEN,
      timeoutMs: PROJECTION_TIMEOUT_MS,
    });
    try {
      const report = await this.engine.drainOutbox((p) => writeProjection(db, p));
      if (report.failed > 0)
        console.warn(`outbox: ${report.failed} rows failed, ${report.remaining} pending`);
      if (report.nextAlarmMs !== null) await this.ctx.storage.setAlarm(report.nextAlarmMs);
    } catch (err) {
      // Re-armed even when the drain itself blew up: the outbox must never stall.
      console.error("outbox drain failed", err);
      await this.ctx.storage.setAlarm(Date.now() + 5_000);
    }
  }

  private async armAlarm(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }
}
