// Peer endpoints of a federated round (DESIGN §12: peers call /v1/replication/* only): the
// coordinator's train request, answered with this region's signed update, and its
// publication of a new version, answered with this region's signed serve decision. Order of
// work [LF8]: the body under a hard limit, the replication signature on the raw bytes, the
// schema, addressed here, for a tenant this region knows, sent by the configured coordinator.
import { type Context, Hono } from "hono";
import type { z } from "zod";
import {
  MAX_FEDERATION_BODY_BYTES,
  PUBLISH_PATH,
  PublishRequestV1,
  TRAIN_PATH,
  TrainRequestV1,
} from "../../../ml/federated/wire.ts";
import type { AppEnv } from "../env.ts";
import { Problem } from "../errors.ts";
import { coordinatorOf } from "../federation/coordinator.ts";
import { answerPublish, answerTrain } from "../federation/participant.ts";
import { signedAnswer, signedTenantRequest } from "../peer.ts";

export const federationPeer = new Hono<AppEnv>();

async function roundRequest<S extends z.ZodType<{ from: string; to: string; tenantId: string }>>(
  c: Context<AppEnv>,
  schema: S,
): Promise<{ request: z.infer<S>; body: string }> {
  const { request, body } = await signedTenantRequest(c, schema, MAX_FEDERATION_BODY_BYTES);
  if (request.from !== coordinatorOf(c.env))
    throw new Problem(
      403,
      "not-coordinator",
      "Not the federation coordinator",
      `Rounds come from ${coordinatorOf(c.env)} only.`,
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
