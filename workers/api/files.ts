// The region's object store (R2 `FILES`) as the API uses it: a file is checked (its bytes
// hash to its name and are the image type they claim) before it is stored once under
// <tenant>/<sha256>; reads and existence checks are tenant-scoped. Every call is bounded:
// a slow or failing store is a 503 for the requests that need a file, never a hang, and
// writes that name no file never touch it [LF5]. Routes: routes/files.ts (clients),
// routes/replication.ts (peers).
import {
  type FileRef,
  fileKey,
  type ImageType,
  imageTypeOf,
  sniffImageType,
  toHex,
} from "../../core/index.ts";
import { Timeout, within } from "../shared/timeout.ts";
import { Problem } from "./errors.ts";

/** Budget of one object-store call (2 MiB at most moves in it). */
export const STORE_TIMEOUT_MS = 5_000;

export type StoredFile = { sha256: string; contentType: string; size: number };

async function bounded<T>(work: Promise<T>): Promise<T> {
  try {
    return await within(work, STORE_TIMEOUT_MS);
  } catch (err) {
    console.error("file store", err instanceof Timeout ? "timed out" : err);
    throw new Problem(
      503,
      "file-store-unavailable",
      "The region's file store is unavailable",
      "Files cannot be stored or checked right now; writes that name no file are unaffected. Retry shortly (the same Idempotency-Key for a write).",
      {},
      { "retry-after": "2" },
    );
  }
}

export async function sha256Of(bytes: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** The image type an upload declares, or 415. */
export function declaredImageType(contentType: string | undefined): ImageType {
  const type = imageTypeOf(contentType);
  if (type) return type;
  throw new Problem(
    415,
    "unsupported-media-type",
    "Not an image type this API stores",
    `Send the file's bytes with content-type image/jpeg, image/png or image/webp (got ${contentType ? JSON.stringify(contentType.slice(0, 100)) : "none"}).`,
  );
}

/** 422 unless the bytes hash to `sha256` and their magic number says `type`. */
export async function checkFile(bytes: Uint8Array, sha256: string, type: ImageType) {
  const actual = await sha256Of(bytes);
  if (actual !== sha256)
    throw new Problem(
      422,
      "hash-mismatch",
      "The body does not hash to the SHA-256 in the path",
      `The body's SHA-256 is ${actual}; the path names ${sha256}. Name a file by the SHA-256 of exactly the bytes you send.`,
      { sha256: actual },
    );
  const sniffed = sniffImageType(bytes);
  if (sniffed !== type)
    throw new Problem(
      422,
      "file-type-mismatch",
      "The bytes are not the declared image type",
      sniffed
        ? `The content-type says ${type}, but the bytes are ${sniffed}: send it as ${sniffed}.`
        : `The content-type says ${type}, but the bytes are not a JPEG, PNG or WebP image.`,
      { detected: sniffed },
    );
}

/** Stores a checked file once: created false (nothing written) when the tenant has it. */
export async function storeFile(
  env: Env,
  tenantId: string,
  sha256: string,
  contentType: ImageType,
  bytes: Uint8Array,
): Promise<{ file: StoredFile; created: boolean }> {
  const held = await findFile(env, tenantId, sha256);
  if (held) return { file: held, created: false };
  return { file: await putFile(env, tenantId, sha256, contentType, bytes), created: true };
}

/**
 * Writes a checked file without asking first, for a caller that just found it missing
 * (storeFile, a peer's push). Writing it twice is harmless: the same name, the same bytes.
 */
export async function putFile(
  env: Env,
  tenantId: string,
  sha256: string,
  contentType: ImageType,
  bytes: Uint8Array,
): Promise<StoredFile> {
  const key = fileKey(tenantId, sha256);
  // R2 checks the digest as well: what it stores is what was checked here.
  await bounded(env.FILES.put(key, bytes, { httpMetadata: { contentType }, sha256 }));
  return { sha256, contentType, size: bytes.byteLength };
}

export async function findFile(
  env: Env,
  tenantId: string,
  sha256: string,
): Promise<StoredFile | null> {
  const head = await bounded(env.FILES.head(fileKey(tenantId, sha256)));
  if (!head) return null;
  const contentType = head.httpMetadata?.contentType ?? "application/octet-stream";
  return { sha256, contentType, size: head.size };
}

/** The file's bytes and metadata, or null when the tenant has no such file here. */
export async function readFile(env: Env, tenantId: string, sha256: string) {
  return bounded(env.FILES.get(fileKey(tenantId, sha256)));
}

/**
 * 422 `slug` unless the tenant's file is in this region's store: a payment or a signature
 * names only a file the region holds, so its view never points at nothing. The file may
 * still be on its way from the region that took it: the answer says to upload it here.
 * A write's precondition (runCommand), so it never stands in front of a replay.
 */
export async function requireFile(
  env: Env,
  tenantId: string,
  ref: FileRef | undefined,
  slug: "voucher-missing" | "signature-image-missing",
  field: "voucher" | "image",
): Promise<void> {
  if (!ref || (await findFile(env, tenantId, ref.sha256))) return;
  const what = field === "voucher" ? "voucher photo" : "signature image";
  throw new Problem(
    422,
    slug,
    `The ${what} is not in this region's store`,
    `No file ${ref.sha256} for this tenant in this region. Upload it first (PUT /v1/files/${ref.sha256} with the image's bytes), then retry this request with the same Idempotency-Key.`,
    {
      errors: [
        {
          field: `${field}.sha256`,
          pointer: `#/${field}/sha256`,
          message: "no such file in this region; upload it first",
        },
      ],
    },
  );
}
