// What every signed peer route shares (anti-entropy, groups replication, federated rounds): the body read
// under a hard byte limit, the replication signature checked on the raw bytes before
// anything is parsed, then the schema, the address (this region) and the sender (a peer of
// REGIONS) [LF8]; and answers signed over their text and bound to the request they answer.
import type { Context } from "hono";
import type { z } from "zod";
import { sha256Hex } from "../../core/index.ts";
import { type RegionInfo, regionInfo } from "../../replication/regions.ts";
import { keyRingOf, signRequest, verifyRequest } from "../../replication/signing.ts";
import type { AppEnv } from "./env.ts";
import { Problem, validationProblem } from "./errors.ts";
import { directory } from "./middleware/auth.ts";
import { readBodyWithin } from "./middleware/body-limit.ts";

export const signatureRejected = () =>
  new Problem(
    401,
    "bad-signature",
    "Replication signature rejected",
    "The request is not signed by a current replication key of this topology.",
  );

/** A signed peer request, parsed, addressed here and sent by a peer of REGIONS. */
export async function signedPeerRequest<S extends z.ZodType<{ from: string; to: string }>>(
  c: Context<AppEnv>,
  schema: S,
  maxBytes: number,
): Promise<{ request: z.infer<S>; sender: RegionInfo; body: string }> {
  const body = await readBodyWithin(c.req.raw, maxBytes);
  if (!verifyRequest(keyRingOf(c.env), c.req.raw.headers, body, Date.now()).ok)
    throw signatureRejected();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Problem(400, "malformed-body", "Malformed request", "The body is not JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw validationProblem(parsed.error, "json");
  const request = parsed.data;
  if (request.to !== c.env.REGION)
    throw new Problem(
      409,
      "misdirected",
      "Request addressed to another region",
      `This is ${c.env.REGION}.`,
    );
  const sender = regionInfo(c.env, request.from);
  if (!sender || sender.region === c.env.REGION)
    throw new Problem(
      403,
      "unknown-region",
      "Unknown sender region",
      "The sender is not a peer in REGIONS.",
    );
  return { request, sender, body };
}

/** A signed peer request (signedPeerRequest) about a tenant this region knows. */
export async function signedTenantRequest<
  S extends z.ZodType<{ from: string; to: string; tenantId: string }>,
>(c: Context<AppEnv>, schema: S, maxBytes: number): Promise<{ request: z.infer<S>; body: string }> {
  const { request, body } = await signedPeerRequest(c, schema, maxBytes);
  const known = await directory(c.env).tenantPolicies([request.tenantId]);
  if (known.length === 0)
    throw new Problem(
      403,
      "unknown-tenant",
      "Unknown tenant",
      "This region does not know the tenant; nothing of it is stored or computed here.",
    );
  return { request, body };
}

/** `text` as an answer signed with this region's current replication key. */
export function signedText(c: Context<AppEnv>, text: string): Response {
  return new Response(text, {
    status: 200,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...signRequest(keyRingOf(c.env), text, Date.now()),
    },
  });
}

/** The answer, signed over its text and bound to the request it answers (`re`). */
export function signedAnswer(c: Context<AppEnv>, requestBody: string, answer: object): Response {
  return signedText(c, JSON.stringify({ v: 1, re: sha256Hex(requestBody), ...answer }));
}
