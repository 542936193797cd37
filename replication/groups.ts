// The wire of groups replication: a GroupsDO pushes the events a peer lacks in bounded,
// signed batches (`POST /v1/replication/groups`), and a region that was down pulls
// everything since its cursor in bounded pages (`POST /v1/replication/groups/pull`, the
// answer signed and bound to its request, as anti-entropy's are). Groups are staff data
// (user ids, roles, account ids, amounts), so they go to every region of the topology,
// each signed with the replication key ring; inside a jurisdiction `signedCall` adds the
// jurisdiction signature as it does for every peer call.
//
// Every received event is checked on its own [LF8]: the schema, the batch's tenant, an
// origin in REGIONS, a clock not too far ahead; one that fails is quarantined and never
// blocks the rest of its batch.
import { z } from "zod";
import { type GroupEvent, GroupEventV1 } from "../core/groups/index.ts";
import { DEFAULT_MAX_EVENT_SKEW_MS, decodeHlc, type EventRule, SHA256_HEX } from "../core/index.ts";
import { RegionName } from "../core/sovereignty/jurisdiction.ts";
import { callPeer, PeerCallError, type PeerLink, signedCall } from "./anti-entropy.ts";
import type { QuarantineEntry } from "./receive.ts";
import type { RegionInfo } from "./regions.ts";

export const GROUPS_PUSH_PATH = "/v1/replication/groups";
export const GROUPS_PULL_PATH = "/v1/replication/groups/pull";
/** Events per batch or page. */
export const MAX_GROUP_EVENTS = 200;
/** A batch of 200 events of a few KiB each at most, with room to spare. */
export const MAX_GROUP_BATCH_BYTES = 2 * 1024 * 1024;
export const MAX_GROUP_PULL_REQUEST_BYTES = 4 * 1024;

const TenantId = z.string().min(1).max(128);

export const GroupBatchV1 = z
  .strictObject({
    v: z.literal(1),
    from: RegionName,
    to: RegionName,
    tenantId: TenantId,
    events: z.array(z.unknown()).min(1).max(MAX_GROUP_EVENTS),
  })
  .meta({ id: "GroupBatchV1" });
export type GroupBatchV1 = z.infer<typeof GroupBatchV1>;

export const GroupPullRequestV1 = z.strictObject({
  v: z.literal(1),
  from: RegionName,
  to: RegionName,
  tenantId: TenantId,
  /** The responder's journal position to continue after (0: from the start). */
  after: z.int().min(0),
});
export type GroupPullRequestV1 = z.infer<typeof GroupPullRequestV1>;

export const GroupPullAnswerV1 = z.strictObject({
  v: z.literal(1),
  re: z.string().regex(SHA256_HEX),
  events: z.array(z.unknown()).max(MAX_GROUP_EVENTS),
  /** Where the next page starts; `more`: whether there may be one. */
  through: z.int().min(0),
  more: z.boolean(),
});
export type GroupPullAnswerV1 = z.infer<typeof GroupPullAnswerV1>;

export type ReceiveReport = { applied: number; duplicates: number; quarantined: number };

/** Budget of one push or pull; a peer that misses it is retried with backoff. */
export const GROUP_CALL_TIMEOUT_MS = 5_000;
const MAX_ANSWER_BYTES = MAX_GROUP_BATCH_BYTES;

/** One signed push; resolves once the peer committed every event it accepted. */
export async function pushGroupEvents(
  link: PeerLink,
  peer: RegionInfo,
  tenantId: string,
  events: readonly GroupEvent[],
): Promise<ReceiveReport> {
  const batch: GroupBatchV1 = {
    v: 1,
    from: link.self.region,
    to: peer.region,
    tenantId,
    events: [...events],
  };
  const body = JSON.stringify(batch);
  const { res, text } = await signedCall({ timeoutMs: GROUP_CALL_TIMEOUT_MS, ...link }, peer, {
    call: "groups push",
    method: "POST",
    path: GROUPS_PUSH_PATH,
    headers: { "content-type": "application/json" },
    body,
    signable: body,
    maxAnswerBytes: 16 * 1024,
  });
  if (!res.ok) throw new PeerCallError(peer.region, res.status, text.slice(0, 300), "groups push");
  return JSON.parse(text) as ReceiveReport;
}

/** One signed pull page; the answer is verified (signature, request hash, schema). */
export function pullGroupEvents(
  link: PeerLink,
  peer: RegionInfo,
  request: GroupPullRequestV1,
): Promise<GroupPullAnswerV1> {
  return callPeer(
    { timeoutMs: GROUP_CALL_TIMEOUT_MS, ...link, maxAnswerBytes: MAX_ANSWER_BYTES },
    peer,
    GROUPS_PULL_PATH,
    request,
    GroupPullAnswerV1,
  );
}

export type GroupCheckContext = {
  /** The region that sent the events, and the tenant its batch names. */
  from: string;
  tenantId: string;
  /** Whether a region is in REGIONS. */
  knownRegion: (region: string) => boolean;
  nowMs: number;
  maxSkewMs?: number;
};

/** Every event on its own: the valid ones, and the others as quarantine entries. */
export function checkGroupEvents(
  raw: readonly unknown[],
  ctx: GroupCheckContext,
): { valid: GroupEvent[]; quarantined: QuarantineEntry[] } {
  const valid: GroupEvent[] = [];
  const quarantined: QuarantineEntry[] = [];
  const maxSkewMs = ctx.maxSkewMs ?? DEFAULT_MAX_EVENT_SKEW_MS;
  for (const event of raw) {
    const fail = (rule: EventRule, reason: string) => {
      const id = stringAt(event, "id");
      quarantined.push({
        from: ctx.from,
        rule,
        reason: `group event: ${reason}`,
        tenantId: stringAt(event, "tenantId"),
        eventId: id,
        raw: JSON.stringify(event).slice(0, 64 * 1024),
        forwarded: false,
      });
    };
    const parsed = GroupEventV1.safeParse(event);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      fail("schema", `${issue?.path.join(".") || "event"}: ${issue?.message ?? "invalid"}`);
      continue;
    }
    const e = parsed.data;
    if (e.tenantId !== ctx.tenantId) {
      fail("tenant", `the batch is for ${ctx.tenantId}, the event for another tenant`);
      continue;
    }
    if (!ctx.knownRegion(e.region)) {
      fail("origin", `written in ${e.region}, which is not in REGIONS`);
      continue;
    }
    if (decodeHlc(e.hlc).wallMs - ctx.nowMs > maxSkewMs) {
      fail("clock-skew", `its clock is more than ${maxSkewMs} ms ahead of this region's`);
      continue;
    }
    valid.push(e);
  }
  return { valid, quarantined };
}

const stringAt = (raw: unknown, key: string): string | null => {
  if (typeof raw !== "object" || raw === null || !Object.hasOwn(raw, key)) return null;
  const v = (raw as Record<string, unknown>)[key];
  return typeof v === "string" ? v.slice(0, 200) : null;
};
