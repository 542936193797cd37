// Files in a region's object store (voucher photos, signature images): what may be stored,
// how a file is named (its SHA-256, per tenant) and how its bytes prove their type.
// Content-addressed: the same bytes are the same file, so storing is idempotent by nature.
// A file's name is the SHA-256 of its bytes as 64 lower-case hex digits (SHA256_HEX).
import { SHA256_HEX } from "./crypto/sha256.ts";

/** The largest file a region takes, from a client or from a peer. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** `image/JPEG; charset=x` → `image/jpeg`; null when it is not one of IMAGE_TYPES. */
export function imageTypeOf(contentType: string | null | undefined): ImageType | null {
  const essence = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return (IMAGE_TYPES as readonly string[]).includes(essence) ? (essence as ImageType) : null;
}

const startsWith = (bytes: Uint8Array, at: number, magic: readonly number[]) =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);

/** The type the bytes themselves say (their magic number), null for none of IMAGE_TYPES. */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  // RIFF <size> WEBP
  if (
    startsWith(bytes, 0, [0x52, 0x49, 0x46, 0x46]) &&
    startsWith(bytes, 8, [0x57, 0x45, 0x42, 0x50])
  )
    return "image/webp";
  return null;
}

/**
 * Whether `tenantId` may name a tenant in a file's key (and in a file push's path): 1 to
 * 128 characters, no `/`, so `<tenant>/<sha256>` splits back into the two it was made of.
 */
export function isTenantId(tenantId: string): boolean {
  return tenantId.length > 0 && tenantId.length <= 128 && !tenantId.includes("/");
}

/**
 * The object key of a tenant's file. Tenant first, so one tenant's files never answer
 * another's reads (a hash alone would: the same photo uploaded by two tenants). Callers
 * check both parts first (a route answers 400); a bad one here is a bug, not a request.
 */
export function fileKey(tenantId: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new RangeError("not a SHA-256 hex digest");
  if (!isTenantId(tenantId)) throw new RangeError("not a tenant id");
  return `${tenantId}/${sha256}`;
}
