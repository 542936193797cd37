// Audit checkpoints between regions [LF7], the calling side: which peers hold this
// region's head (same-jurisdiction peers first, any peer otherwise) and the two calls,
// signed with the replication HMAC like every region-to-region request: hand a holder
// our head (it countersigns it), and ask a holder which head of ours it holds.
import { AuditCheckpointV1 } from "../../core/index.ts";
import {
  jurisdictionPeers,
  peersOf,
  type RegionInfo,
  regionInfo,
} from "../../replication/regions.ts";
import { keyRingOf, signRequest } from "../../replication/signing.ts";

export const CHECKPOINTS_PATH = "/v1/replication/audit-checkpoints";
/** A holder that does not answer within this is treated as unavailable. */
const CALL_TIMEOUT_MS = 5_000;

type RegionEnv = Pick<
  Env,
  "REGION" | "REGIONS" | "JURISDICTION" | "REPLICATION_KEYS" | "REPLICATION_KEY_ID"
>;

/** A checkpoint GET is signed over this line, so a captured signature answers for one region only. */
export const checkpointQueryLine = (region: string) => `GET ${CHECKPOINTS_PATH}/${region}`;

export function checkpointHolders(env: RegionEnv): RegionInfo[] {
  const jurisdiction = regionInfo(env, env.REGION)?.jurisdiction ?? env.JURISDICTION;
  const same = jurisdictionPeers(env, jurisdiction);
  return same.length > 0 ? same : peersOf(env);
}

export type PushResult =
  | { ok: true; countersignature: string }
  | { ok: false; retry: boolean; detail: string };

export async function pushCheckpoint(
  env: RegionEnv,
  holder: RegionInfo,
  cp: AuditCheckpointV1,
): Promise<PushResult> {
  const body = JSON.stringify(cp);
  try {
    const res = await fetch(`${holder.url}${CHECKPOINTS_PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...signRequest(keyRingOf(env), body, Date.now()),
      },
      body,
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.ok) {
      const { countersignature } = JSON.parse(text) as { countersignature: string };
      return { ok: true, countersignature };
    }
    // A refused rollback or fork will be refused again: only failures of the call retry.
    return {
      ok: false,
      retry: res.status >= 500 || res.status === 429,
      detail: `${res.status} ${text.slice(0, 300)}`,
    };
  } catch (err) {
    return { ok: false, retry: true, detail: String(err) };
  }
}

export type FetchedCheckpoint =
  | { holder: string; kind: "held"; checkpoint: AuditCheckpointV1; countersignature: string }
  | { holder: string; kind: "none" }
  | { holder: string; kind: "unavailable"; detail: string };

/** What `holder` holds of `env.REGION`'s chain. */
export async function fetchCheckpoint(
  env: RegionEnv,
  holder: RegionInfo,
): Promise<FetchedCheckpoint> {
  const unavailable = (detail: string): FetchedCheckpoint => ({
    holder: holder.region,
    kind: "unavailable",
    detail,
  });
  try {
    const res = await fetch(`${holder.url}${CHECKPOINTS_PATH}/${env.REGION}`, {
      headers: signRequest(keyRingOf(env), checkpointQueryLine(env.REGION), Date.now()),
      signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status === 404) return { holder: holder.region, kind: "none" };
    if (!res.ok) return unavailable(`${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { checkpoint?: unknown; countersignature?: unknown };
    const checkpoint = AuditCheckpointV1.safeParse(body.checkpoint);
    if (
      !checkpoint.success ||
      checkpoint.data.region !== env.REGION ||
      typeof body.countersignature !== "string"
    )
      return unavailable("malformed answer");
    return {
      holder: holder.region,
      kind: "held",
      checkpoint: checkpoint.data,
      countersignature: body.countersignature,
    };
  } catch (err) {
    return unavailable(String(err));
  }
}
