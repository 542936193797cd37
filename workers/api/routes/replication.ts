// Region-to-region endpoints: /v1/replication/events (direct bus, HMAC-signed),
// /v1/replication/qstash (QStash deliveries, verified with the real Receiver, bodies
// sealed end to end), anti-entropy's /v1/replication/digest and /pull (signed both
// ways; replication/anti-entropy.ts), and /v1/replication/files/{tenant}/{sha256} (a file
// pushed by a region of this jurisdiction only; replication/files.ts). Not for clients:
// they carry no tenant credentials, only a region's signature. Order of work [LF8]: the
// body is read under a hard byte limit (chunked too), the signature is checked on the raw
// bytes, only then is anything parsed; every event is then checked on its own and a bad
// one is quarantined, never failing its batch.
import { Receiver } from "@upstash/qstash";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import { isTenantId, MAX_FILE_BYTES, ReplicationBatchV1, SHA256_HEX } from "../../../core/index.ts";
import {
  answerDigest,
  answerPull,
  receiverDeps,
} from "../../../durable-objects/directory/anti-entropy.ts";
import {
  DIGEST_PATH,
  DigestRequestV1,
  jurisdictionKeyOf,
  MAX_REQUEST_BYTES,
  PULL_PATH,
  PullRequestV1,
  verifyJurisdictionSignature,
} from "../../../replication/anti-entropy.ts";
import { DIRECT_PATH } from "../../../replication/direct-bus.ts";
import { FILE_PUSH_PREFIX, verifyFilePush } from "../../../replication/files.ts";
import { QSTASH_PATH } from "../../../replication/qstash-bus.ts";
import { applyBatch } from "../../../replication/receive.ts";
import type { RegionInfo } from "../../../replication/regions.ts";
import { openSealed, SealError, sealRingOf } from "../../../replication/seal.ts";
import { keyRingOf, verifyRequest } from "../../../replication/signing.ts";
import type { AppEnv } from "../env.ts";
import { Problem, validationProblem } from "../errors.ts";
import { checkFile, declaredImageType, findFile, putFile } from "../files.ts";
import { readBodyWithin, readBytesWithin } from "../middleware/body-limit.ts";
import { signatureRejected, signedAnswer, signedPeerRequest } from "../peer.ts";

export { receiverDeps };

/** The largest batch a region reads: 256 events of a few KiB each, with room to spare. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export const replication = new Hono<AppEnv>();

function readBatch(body: string, nonRetryable: boolean) {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw rejection(
      nonRetryable,
      new Problem(400, "malformed-body", "Malformed batch", "The body is not JSON."),
    );
  }
  const parsed = ReplicationBatchV1.safeParse(json);
  if (!parsed.success) throw rejection(nonRetryable, validationProblem(parsed.error, "json"));
  return parsed.data;
}

/** QStash retries anything but 2xx; 489 + Upstash-NonRetryable-Error sends a poison batch to the DLQ. */
function rejection(nonRetryable: boolean, p: Problem): Problem {
  if (!nonRetryable) return p;
  return new Problem(489, p.slug, p.title, p.detail, p.extra, {
    "upstash-nonretryable-error": "true",
  });
}

async function receive(env: Env, batch: ReplicationBatchV1, nonRetryable: boolean) {
  const outcome = await applyBatch(env, batch, receiverDeps(env));
  if (!outcome.ok) {
    const { status, slug, title, detail } = outcome.refusal;
    throw rejection(nonRetryable, new Problem(status, slug, title, detail));
  }
  return outcome.report;
}

replication.post(DIRECT_PATH, async (c) => {
  const ring = keyRingOf(c.env);
  const body = await readBodyWithin(c.req.raw, MAX_BATCH_BYTES);
  const verdict = verifyRequest(ring, c.req.raw.headers, body, Date.now());
  if (!verdict.ok) throw signatureRejected();
  return c.json(await receive(c.env, readBatch(body, false), false), 200);
});

replication.post(QSTASH_PATH, async (c) => {
  const seal = sealRingOf(c.env);
  const body = await readBodyWithin(c.req.raw, MAX_BATCH_BYTES);
  const signature = c.req.header("upstash-signature");
  if (!signature) throw signatureRejected();
  const receiver = new Receiver({
    currentSigningKey: c.env.QSTASH_CURRENT_SIGNING_KEY ?? "",
    nextSigningKey: c.env.QSTASH_NEXT_SIGNING_KEY ?? "",
  });
  try {
    await receiver.verify({ signature, body, url: c.req.url });
  } catch {
    throw signatureRejected();
  }
  let opened: { plain: string; from: string };
  try {
    opened = await openSealed(seal, body, c.env.REGION);
  } catch (err) {
    if (!(err instanceof SealError)) throw err;
    throw rejection(
      true,
      new Problem(400, "unsealed-batch", "Batch could not be opened", err.message),
    );
  }
  const batch = readBatch(opened.plain, true);
  if (batch.from !== opened.from)
    throw rejection(
      true,
      new Problem(
        400,
        "unsealed-batch",
        "Batch could not be opened",
        "The seal names another sender.",
      ),
    );
  return c.json(await receive(c.env, batch, true), 200);
});

/**
 * An anti-entropy request, authenticated before it is parsed: the replication signature,
 * then (for a requester of this jurisdiction, which is answered in full) the jurisdiction
 * signature; addressed here, from a peer of REGIONS.
 */
async function peerRequest<S extends z.ZodType<{ from: string; to: string }>>(
  c: Context<AppEnv>,
  schema: S,
): Promise<{ request: z.infer<S>; requester: RegionInfo; body: string }> {
  const {
    request,
    sender: requester,
    body,
  } = await signedPeerRequest(c, schema, MAX_REQUEST_BYTES);
  if (
    requester.jurisdiction === c.env.JURISDICTION &&
    !verifyJurisdictionSignature(jurisdictionKeyOf(c.env), c.req.raw.headers, body)
  )
    throw new Problem(
      401,
      "bad-signature",
      "Jurisdiction signature rejected",
      `A request answered in full must be signed by a region of ${c.env.JURISDICTION}.`,
    );
  return { request, requester, body };
}

replication.post(DIGEST_PATH, async (c) => {
  const { request, requester, body } = await peerRequest(c, DigestRequestV1);
  return signedAnswer(c, body, await answerDigest(c.env, request, requester));
});

replication.post(PULL_PATH, async (c) => {
  const { request, body } = await peerRequest(c, PullRequestV1);
  return signedAnswer(c, body, await answerPull(c.env, request));
});

/**
 * A file pushed by a region of this jurisdiction (its survival copy). Order of work: the
 * name and type, then both signatures over them, then "already held" (the body unread),
 * then the body under the file limit (chunked too), its hash and its type.
 */
replication.put(`${FILE_PUSH_PREFIX}:tenant/:sha256`, async (c) => {
  const { tenant: tenantId, sha256 } = c.req.param();
  if (!SHA256_HEX.test(sha256) || !isTenantId(tenantId))
    throw new Problem(400, "validation", "Invalid path parameter", "Expected /{tenant}/{sha256}.");
  const contentType = declaredImageType(c.req.header("content-type"));
  const name = { tenantId, sha256, contentType };
  const verdict = verifyFilePush(c.env, keyRingOf(c.env), c.req.raw.headers, name, Date.now());
  if (!verdict.ok) {
    console.warn("file push refused", verdict.reason);
    throw verdict.status === 403
      ? new Problem(403, "foreign-region", "Not a region of this jurisdiction", verdict.reason)
      : signatureRejected();
  }
  const held = await findFile(c.env, tenantId, sha256);
  // Held already (a repeated upload's push): answered without reading the body.
  if (held) return c.json(held, 200);
  const bytes = await readBytesWithin(c.req.raw, MAX_FILE_BYTES);
  await checkFile(bytes, sha256, contentType);
  return c.json(await putFile(c.env, tenantId, sha256, contentType, bytes), 201);
});
