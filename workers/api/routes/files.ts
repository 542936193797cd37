// /v1/files/{sha256}: voucher photos and signature images in the region's object store,
// content-addressed per tenant. PUT checks and stores the bytes (201 new, 200 held: the
// same bytes are the same file, so no Idempotency-Key is needed) and pushes them to the
// other regions of this jurisdiction — never another — before it answers
// (`Lifeline-Durability`); GET serves them, immutable. Any role of the tenant may call
// both (index.ts); a portal audience, once it exists, may not.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  DEFAULT_SURVIVAL_DEADLINE_MS,
  IMAGE_TYPES,
  MAX_FILE_BYTES,
  SHA256_HEX,
} from "../../../core/index.ts";
import { type FileName, pushToJurisdiction } from "../../../replication/files.ts";
import { keyRingOf } from "../../../replication/signing.ts";
import type { AppEnv } from "../env.ts";
import { notFound } from "../errors.ts";
import { checkFile, declaredImageType, readFile, storeFile } from "../files.ts";
import { header, json, NoQuery, problem } from "../openapi.ts";
import { newRouter, raw } from "../router.ts";

export const files = newRouter();

const Params = z.object({
  sha256: z.string().regex(SHA256_HEX, {
    message: "must be the SHA-256 of the file as 64 lower-case hex digits",
  }),
});

const FileView = z
  .object({
    sha256: z.string(),
    contentType: z.string().meta({ description: "image/jpeg, image/png or image/webp" }),
    size: z.number().int().meta({ description: "Bytes" }),
  })
  .meta({ id: "File" });

const STORED_HEADERS = {
  Location: header("The file's URL, `/v1/files/{sha256}`"),
  "Lifeline-Durability": header(
    "`region` once another region of the jurisdiction holds the file, else `local` (send the same PUT again later to retry the copy)",
  ),
};

const binary = { type: "string" as const, format: "binary" };
const imageContent = Object.fromEntries(IMAGE_TYPES.map((t) => [t, { schema: binary }]));

const put = createRoute({
  method: "put",
  path: "/v1/files/{sha256}",
  operationId: "putFile",
  tags: ["files"],
  summary: "Upload a voucher photo or signature image, named by its SHA-256",
  description: `The body is the image's bytes (JPEG, PNG or WebP, at most ${MAX_FILE_BYTES} bytes) with its content-type; the path names their SHA-256, which the server checks, as it checks that the bytes are the image type declared. Content-addressed, so idempotent by nature: no Idempotency-Key is needed, and the same upload again answers 200. Before answering, the region copies the file to another region of its jurisdiction (\`Lifeline-Durability: region\`), within the survival deadline, else answers \`local\`; a file never leaves its jurisdiction. Name the file on a payment (\`voucher\`) or a signature (\`image\`) once uploaded to the region that takes the write.`,
  security: [{ bearer: [] }],
  request: {
    params: Params,
    query: NoQuery,
    body: { content: imageContent, required: true, description: "The image's bytes" },
  },
  responses: {
    201: { ...json(FileView, "Stored"), headers: STORED_HEADERS },
    200: { ...json(FileView, "Already stored; nothing changed"), headers: STORED_HEADERS },
    400: problem("The path is not a SHA-256 (64 lower-case hex digits)"),
    401: problem("Missing or invalid credentials"),
    403: problem("The caller's role may not store files"),
    415: problem("The content-type is not image/jpeg, image/png or image/webp"),
    422: problem(
      "The bytes do not hash to the path (`hash-mismatch`) or are not the declared image type (`file-type-mismatch`)",
    ),
    503: problem("The region's file store is unavailable (`Retry-After`)"),
  },
});

files.openapi(put, async (c) => {
  const { sha256 } = c.req.valid("param");
  const contentType = declaredImageType(c.req.header("content-type"));
  // The body limit middleware has bounded it (Content-Length, or the stream as it came).
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  await checkFile(bytes, sha256, contentType);
  const { tenantId } = c.get("principal");
  const { file, created } = await storeFile(c.env, tenantId, sha256, contentType, bytes);
  const durability = await survive(c, { tenantId, sha256, contentType }, bytes);
  return c.json(file, created ? 201 : 200, {
    location: `/v1/files/${sha256}`,
    "lifeline-durability": durability,
  });
});

/**
 * The copy to the jurisdiction's other regions: answered `region` as soon as one holds
 * it, `local` when none does within SURVIVAL_DEADLINE_MS; the other pushes finish after
 * the answer. Every upload pushes, a repeated one too, so retrying a `local` upload is how
 * a client gets its file copied (a peer that has it answers without reading the body).
 */
async function survive(
  c: Context<AppEnv>,
  name: FileName,
  bytes: Uint8Array,
): Promise<"region" | "local"> {
  const timeoutMs = Number(c.env.SURVIVAL_DEADLINE_MS ?? DEFAULT_SURVIVAL_DEADLINE_MS);
  const { held, settled } = pushToJurisdiction(
    c.env,
    { ring: keyRingOf(c.env), timeoutMs },
    { ...name, bytes },
  );
  c.executionCtx.waitUntil(settled);
  return (await held) ? "region" : "local";
}

const get = createRoute({
  method: "get",
  path: "/v1/files/{sha256}",
  operationId: "getFile",
  tags: ["files"],
  summary: "Download a file of this tenant (its bytes, immutable)",
  security: [{ bearer: [] }],
  request: { params: Params, query: NoQuery },
  responses: {
    200: {
      content: imageContent,
      description: "The file's bytes with the content-type it was stored with",
      headers: {
        "Cache-Control": header(
          "`private, max-age=31536000, immutable`: a name never changes bytes",
        ),
        ETag: header("The SHA-256, quoted"),
      },
    },
    400: problem("The path is not a SHA-256 (64 lower-case hex digits)"),
    401: problem("Missing or invalid credentials"),
    403: problem("The caller's role may not read files"),
    404: problem("No such file for this tenant in this region"),
    503: problem("The region's file store is unavailable (`Retry-After`)"),
  },
});

files.openapi(get, async (c) => {
  const { sha256 } = c.req.valid("param");
  const object = await readFile(c.env, c.get("principal").tenantId, sha256);
  if (!object) throw notFound("File", sha256);
  return raw(
    new Response(object.body, {
      headers: {
        "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
        "content-length": String(object.size),
        "cache-control": "private, max-age=31536000, immutable",
        etag: `"${sha256}"`,
        // Served as the image it was checked to be, never as anything a browser would run.
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
      },
    }),
  );
});
