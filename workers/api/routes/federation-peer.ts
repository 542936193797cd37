// Peer endpoints of a federated round (DESIGN §12: peers call /v1/replication/* only): the
// coordinator's train request, answered with this region's signed update, and its
// publication of a new version, answered with this region's signed serve decision. Order of
// work [LF8]: the body under a hard limit, the replication signature on the raw bytes, the
// schema, addressed here, for a tenant this region knows, then the coordinator's: sent as
// FEDERATION_COORDINATOR and signed with a key bound to it (mayCoordinate).
import { type Context, Hono } from "hono";
import type { z } from "zod";
import {
  MAX_FEDERATION_BODY_BYTES,
  PUBLISH_PATH,
  PublishRequestV1,
  TRAIN_PATH,
  TrainRequestV1,
} from "../../../ml/federated/wire.ts";
import {
  bindsKeyTo,
  type KeyRing,
  keyRingOf,
  verifyRequest,
} from "../../../replication/signing.ts";
import { type AppEnv, isLocalMode } from "../env.ts";
import { Problem } from "../errors.ts";
import { coordinatorOf } from "../federation/coordinator.ts";
import { answerPublish, answerTrain } from "../federation/participant.ts";
import { signatureRejected, signedAnswer, signedTenantRequest } from "../peer.ts";

export const federationPeer = new Hono<AppEnv>();

/**
 * Whether a verified request may speak for the coordinator: it says it comes from the
 * coordinator and the key that signed it is bound to the coordinator (`<name>@<region>`),
 * so a region holding only its own key cannot pose as the coordinator by writing its name
 * in `from`. Under `npm start` (local mode) a ring that binds no key to the coordinator (one
 * shared key, as every local region reads one secrets file) is taken as before, on `from`.
 */
export function mayCoordinate(input: {
  from: string;
  signer: string | null;
  coordinator: string;
  ring: KeyRing;
  localMode: boolean;
}): boolean {
  const { from, signer, coordinator, ring, localMode } = input;
  if (from !== coordinator) return false;
  if (signer === coordinator) return true;
  return signer === null && localMode && !bindsKeyTo(ring, coordinator);
}

async function roundRequest<S extends z.ZodType<{ from: string; to: string; tenantId: string }>>(
  c: Context<AppEnv>,
  schema: S,
): Promise<{ request: z.infer<S>; body: string }> {
  const { request, body } = await signedTenantRequest(c, schema, MAX_FEDERATION_BODY_BYTES);
  // signedTenantRequest verified the signature; verifying again tells which key signed.
  const ring = keyRingOf(c.env);
  const verified = verifyRequest(ring, c.req.raw.headers, body, Date.now());
  if (!verified.ok) throw signatureRejected();
  const coordinator = coordinatorOf(c.env);
  const allowed = mayCoordinate({
    from: request.from,
    signer: verified.region,
    coordinator,
    ring,
    localMode: isLocalMode(c.env),
  });
  if (!allowed)
    throw new Problem(
      403,
      "not-coordinator",
      "Not the federation coordinator",
      `Rounds come from ${coordinator} only, signed with a replication key bound to it (an id "<name>@${coordinator}" in REPLICATION_KEYS); this one was signed with ${verified.keyId}.`,
    );
  return { request, body };
}

federationPeer.post(TRAIN_PATH, async (c) => {
  const { request, body } = await roundRequest(c, TrainRequestV1);
  return signedAnswer(c, body, await answerTrain(c.env, request));
});

federationPeer.post(PUBLISH_PATH, async (c) => {
  const { request, body } = await roundRequest(c, PublishRequestV1);
  const decision = await answerPublish(c.env, request);
  return signedAnswer(c, body, { region: c.env.REGION, tenantId: request.tenantId, decision });
});
