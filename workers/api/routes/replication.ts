// Region-to-region endpoints: /v1/replication/events (direct bus, HMAC-signed) and
// /v1/replication/qstash (QStash deliveries, verified with the real Receiver). Not for
// clients: they carry no tenant credentials, only a region's signature.
import { Receiver } from "@upstash/qstash";
import { Hono } from "hono";
import { ReplicationBatchV1 } from "../../../core/index.ts";
import { accountStub } from "../../../durable-objects/stubs.ts";
import { DIRECT_PATH } from "../../../replication/direct-bus.ts";
import { QSTASH_PATH } from "../../../replication/qstash-bus.ts";
import { type AccountSink, applyBatch } from "../../../replication/receive.ts";
import { keyRingOf, verifyRequest } from "../../../replication/signing.ts";
import type { AppEnv } from "../env.ts";
import { Problem, validationProblem } from "../errors.ts";

const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export const replication = new Hono<AppEnv>();

async function readBatch(body: string, nonRetryable: boolean) {
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

async function boundedText(req: Request): Promise<string> {
  const length = Number(req.headers.get("content-length") ?? 0);
  if (length > MAX_BATCH_BYTES)
    throw new Problem(413, "too-large", "Batch too large", `At most ${MAX_BATCH_BYTES} bytes.`);
  const text = await req.text();
  if (text.length > MAX_BATCH_BYTES)
    throw new Problem(413, "too-large", "Batch too large", `At most ${MAX_BATCH_BYTES} bytes.`);
  return text;
}

async function receive(env: Env, batch: ReplicationBatchV1) {
  const sink: AccountSink = (tenantId, accountId, events, masked, from) =>
    accountStub(env, tenantId, accountId).applyRemote(tenantId, accountId, events, masked, from);
  const outcome = await applyBatch(env, batch, sink);
  if (!outcome.ok) {
    const { status, slug, title, detail } = outcome.refusal;
    throw new Problem(status, slug, title, detail);
  }
  return outcome.report;
}

replication.post(DIRECT_PATH, async (c) => {
  const body = await boundedText(c.req.raw);
  const verdict = verifyRequest(keyRingOf(c.env), c.req.raw.headers, body, Date.now());
  if (!verdict.ok)
    throw new Problem(401, "bad-signature", "Replication signature rejected", verdict.reason);
  return c.json(await receive(c.env, await readBatch(body, false)), 200);
});

replication.post(QSTASH_PATH, async (c) => {
  const body = await boundedText(c.req.raw);
  const signature = c.req.header("upstash-signature");
  if (!signature) throw new Problem(401, "bad-signature", "Missing Upstash-Signature");
  const receiver = new Receiver({
    currentSigningKey: c.env.QSTASH_CURRENT_SIGNING_KEY ?? "",
    nextSigningKey: c.env.QSTASH_NEXT_SIGNING_KEY ?? "",
  });
  try {
    await receiver.verify({ signature, body, url: c.req.url });
  } catch (err) {
    throw new Problem(
      401,
      "bad-signature",
      "QStash signature rejected",
      err instanceof Error ? err.message : String(err),
    );
  }
  return c.json(await receive(c.env, await readBatch(body, true)), 200);
});
