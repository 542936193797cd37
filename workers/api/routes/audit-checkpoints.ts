// Region-to-region audit checkpoints [LF7]: a peer hands this region its audit chain's
// head to hold (POST, countersigned in the answer) and later asks which head of its own
// this region holds (GET). Not for clients: no tenant credentials, only the replication
// signature, checked before the body is parsed.
import { Hono } from "hono";
import { AuditCheckpointV1 } from "../../../core/index.ts";
import {
  CHECKPOINTS_PATH,
  checkpointQueryLine,
} from "../../../durable-objects/audit/checkpoints.ts";
import { auditStub } from "../../../durable-objects/stubs.ts";
import { regionInfo } from "../../../replication/regions.ts";
import { keyRingOf, verifyRequest } from "../../../replication/signing.ts";
import type { AppEnv } from "../env.ts";
import { Problem, validationProblem } from "../errors.ts";
import { readBodyWithin } from "../middleware/body-limit.ts";

/** A checkpoint is ~200 bytes of JSON. */
const MAX_CHECKPOINT_BYTES = 2_048;

export const auditCheckpoints = new Hono<AppEnv>();

function checkSignature(env: Env, headers: Headers, signed: string): void {
  const verdict = verifyRequest(keyRingOf(env), headers, signed, Date.now());
  if (!verdict.ok)
    throw new Problem(401, "bad-signature", "Replication signature rejected", verdict.reason);
}

/** Only a peer named in REGIONS has a chain this region holds heads of. */
function knownPeer(env: Env, region: string): void {
  if (region === env.REGION || !regionInfo(env, region))
    throw new Problem(
      422,
      "unknown-region",
      "Not a peer region",
      `${region} is not a peer in this region's REGIONS.`,
    );
}

auditCheckpoints.post(CHECKPOINTS_PATH, async (c) => {
  const body = await readBodyWithin(c.req.raw, MAX_CHECKPOINT_BYTES);
  checkSignature(c.env, c.req.raw.headers, body);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Problem(400, "malformed-body", "Malformed checkpoint", "The body is not JSON.");
  }
  const parsed = AuditCheckpointV1.safeParse(json);
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  const cp = parsed.data;
  knownPeer(c.env, cp.region);
  const outcome = await auditStub(c.env).hold(cp);
  switch (outcome.kind) {
    case "stored":
    case "same":
      return c.json({ holder: c.env.REGION, countersignature: outcome.countersignature }, 200);
    case "rollback":
    case "fork":
      throw new Problem(
        409,
        `checkpoint-${outcome.kind}`,
        outcome.kind === "rollback"
          ? "Checkpoint is older than one already held"
          : "Checkpoint has another hash at a seq already held",
        `${c.env.REGION} holds seq ${outcome.heldSeq} of ${cp.region}'s audit chain; seq ${cp.seq} is refused and recorded.`,
      );
  }
});

auditCheckpoints.get(`${CHECKPOINTS_PATH}/:region`, async (c) => {
  const region = c.req.param("region");
  checkSignature(c.env, c.req.raw.headers, checkpointQueryLine(region));
  knownPeer(c.env, region);
  const held = await auditStub(c.env).held(region);
  c.header("cache-control", "no-store");
  switch (held.kind) {
    case "none":
      throw new Problem(404, "not-found", "No checkpoint held", `None held for ${region}.`);
    case "tampered":
      throw new Problem(
        500,
        "checkpoint-tampered",
        "Held checkpoint fails its countersignature",
        `The checkpoint ${c.env.REGION} holds for ${region} was changed in storage.`,
      );
    case "held":
      return c.json(
        {
          holder: c.env.REGION,
          checkpoint: held.checkpoint,
          countersignature: held.countersignature,
        },
        200,
      );
  }
});
