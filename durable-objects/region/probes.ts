// The RegionDO's probes: each is bounded by its own deadline and never throws, so one dead
// dependency costs a tick at most its deadline and cannot stop the loop. A probe answers
// how long it took and whether it worked; latency of a failed probe is the time it took to
// fail (a timeout is as slow as its deadline).
import { sql } from "drizzle-orm";
import { connectReadModel, type ReadModelDb } from "../../db/client.ts";
import { injectInferenceFault } from "../local-faults.ts";

export type ProbeResult = { ok: boolean; latencyMs: number; error?: string };

/** Past the policies' thresholds (500 ms), so a slow database reads as slow, not as down. */
const LIBSQL_PROBE_MS = 2_000;
const PEER_PROBE_MS = 1_000;
const INFERENCE_PROBE_MS = 1_000;

async function timed(
  run: (signal: AbortSignal) => Promise<unknown>,
  ms: number,
): Promise<ProbeResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(ms);
  try {
    await Promise.race([
      run(signal),
      new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(new Error(`no answer within ${ms} ms`))),
      ),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

let db: { url: string; db: ReadModelDb } | null = null;

export function probeLibsql(env: Env): Promise<ProbeResult> {
  if (db?.url !== env.LIBSQL_URL)
    db = {
      url: env.LIBSQL_URL,
      db: connectReadModel(env.LIBSQL_URL, {
        authToken: env.LIBSQL_AUTH_TOKEN,
        timeoutMs: LIBSQL_PROBE_MS,
      }),
    };
  const handle = db.db;
  return timed(() => handle.run(sql`SELECT 1`), LIBSQL_PROBE_MS);
}

/** A peer is reachable when its API answers at all: a 503 is a live region saying no. */
export function probePeer(url: string): Promise<ProbeResult> {
  return timed(async (signal) => {
    const res = await fetch(`${url}/v1/health`, { signal });
    await res.body?.cancel();
  }, PEER_PROBE_MS);
}

/** The relay, when the region replicates through one; null otherwise. */
export async function probeRelay(env: Env): Promise<ProbeResult | null> {
  if (env.REPLICATION_BUS !== "qstash" || !env.QSTASH_URL) return null;
  return timed(async (signal) => {
    const res = await fetch(env.QSTASH_URL, { signal });
    await res.body?.cancel();
  }, PEER_PROBE_MS);
}

/**
 * One short utterance through the inference worker, with a local drill's injected fault
 * (durable-objects/local-faults.ts) as the API's own calls meet it. Null without a binding.
 */
export async function probeInference(env: Env): Promise<ProbeResult | null> {
  if (!env.INFERENCE) return null;
  const inference = env.INFERENCE;
  return timed(async () => {
    await injectInferenceFault(env.LIFELINE_MODE === "local");
    const answer = (await inference.analyzeTexts("sentiment-zh", ["好的"])) as { ok: boolean };
    if (!answer.ok) throw new Error("inference refused the probe");
  }, INFERENCE_PROBE_MS);
}
