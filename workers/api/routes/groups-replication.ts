// Peer endpoints of groups replication (replication/groups.ts): a peer's push of a
// tenant's group events, and a peer's pull of this region's journal since its cursor. Not
// for clients: they carry no tenant credentials, only a region's signature. Order of work
// [LF8]: the body is read under a hard byte limit, the signature checked on the raw bytes,
// only then is anything parsed; the batch must be addressed here, from a region of
// REGIONS, for a tenant this region knows; each event is then checked on its own and a
// bad one quarantined, never failing the rest.
import { Hono } from "hono";
import { sha256Hex } from "../../../core/index.ts";
import { groupsStub } from "../../../durable-objects/stubs.ts";
import {
  checkGroupEvents,
  GROUPS_PULL_PATH,
  GROUPS_PUSH_PATH,
  GroupBatchV1,
  GroupPullRequestV1,
  MAX_GROUP_BATCH_BYTES,
  MAX_GROUP_PULL_REQUEST_BYTES,
} from "../../../replication/groups.ts";
import { regionsOf } from "../../../replication/regions.ts";
import type { AppEnv } from "../env.ts";
import { signedTenantRequest, signedText } from "../peer.ts";

export const groupsReplication = new Hono<AppEnv>();

groupsReplication.post(GROUPS_PUSH_PATH, async (c) => {
  const { request: batch } = await signedTenantRequest(c, GroupBatchV1, MAX_GROUP_BATCH_BYTES);
  const known = new Set(regionsOf(c.env).map((r) => r.region));
  const { valid, quarantined } = checkGroupEvents(batch.events, {
    from: batch.from,
    tenantId: batch.tenantId,
    knownRegion: (r) => known.has(r),
    nowMs: Date.now(),
    maxSkewMs: c.env.REPLICATION_MAX_SKEW_MS ? Number(c.env.REPLICATION_MAX_SKEW_MS) : undefined,
  });
  const [result] = await Promise.all([
    groupsStub(c.env, batch.tenantId).applyRemote(batch.tenantId, valid),
    quarantined.length > 0
      ? c.env.QUARANTINE.get(c.env.QUARANTINE.idFromName("quarantine")).add(quarantined)
      : undefined,
  ]);
  return c.json({ ...result, quarantined: quarantined.length }, 200);
});

groupsReplication.post(GROUPS_PULL_PATH, async (c) => {
  const { request, body } = await signedTenantRequest(
    c,
    GroupPullRequestV1,
    MAX_GROUP_PULL_REQUEST_BYTES,
  );
  const page = await groupsStub(c.env, request.tenantId).pullPage(request.after);
  // Signed over its text and bound to the request it answers, as anti-entropy's answers are
  // (the page's events are JSON text already, so the answer is written around them).
  return signedText(
    c,
    `{"v":1,"re":${JSON.stringify(sha256Hex(body))},"events":${page.events},"through":${page.through},"more":${page.more}}`,
  );
});
