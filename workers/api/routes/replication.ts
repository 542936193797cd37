// Region-to-region endpoints: /v1/replication/events (direct bus, HMAC-signed) and
// /v1/replication/qstash (QStash deliveries, verified with the real Receiver, bodies
// sealed end to end). Not for clients: they carry no tenant credentials, only a region's
// signature. Order of work [LF8]: the body is read under a hard byte limit (chunked too),
// the signature is checked on the raw bytes, only then is anything parsed; every event is
// then checked on its own and a bad one is quarantined, never failing its batch.
import { Receiver } from "@upstash/qstash";
import { Hono } from "hono";
import { DEFAULT_FIELD_POLICY, ReplicationBatchV1 } from "../../../core/index.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { DIRECT_PATH } from "../../../replication/direct-bus.ts";
import { QSTASH_PATH } from "../../../replication/qstash-bus.ts";
import { applyBatch, type ReceiveDeps } from "../../../replication/receive.ts";
import { openSealed, SealError, sealRingOf } from "../../../replication/seal.ts";
import { keyRingOf, verifyRequest } from "../../../replication/signing.ts";
import type { AppEnv } from "../env.ts";
import { Problem, validationProblem } from "../errors.ts";
import { directory } from "../middleware/auth.ts";
import { readBodyWithin } from "../middleware/body-limit.ts";

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

export function receiverDeps(env: Env, nowMs = Date.now()): ReceiveDeps {
  return {
    nowMs,
    maxSkewMs: env.REPLICATION_MAX_SKEW_MS ? Number(env.REPLICATION_MAX_SKEW_MS) : undefined,
    sink: (tenantId, accountId, events, from, ledger) =>
      accountStub(env, tenantId, accountId).applyRemote(tenantId, accountId, events, from, ledger),
    tenants: async (ids) => {
      const rows = await directory(env).tenantPolicies(ids);
      return new Map(rows.map((r) => [r.id, r.policy ?? DEFAULT_FIELD_POLICY]));
    },
    quarantine: async (entries) => {
      await env.QUARANTINE.get(env.QUARANTINE.idFromName("quarantine")).add(entries);
    },
  };
}

async function receive(env: Env, batch: ReplicationBatchV1, nonRetryable: boolean) {
  const outcome = await applyBatch(env, batch, receiverDeps(env));
  if (!outcome.ok) {
    const { status, slug, title, detail } = outcome.refusal;
    throw rejection(nonRetryable, new Problem(status, slug, title, detail));
  }
  return outcome.report;
}

const signatureRejected = () =>
  new Problem(
    401,
    "bad-signature",
    "Replication signature rejected",
    "The request is not signed by a current replication key of this topology.",
  );

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
