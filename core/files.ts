// Files in a region's object store (voucher photos, signature images): what may be stored,
// how a file is named (its SHA-256, per tenant) and how its bytes prove their type.
// Content-addressed: the same bytes are the same file, so storing is idempotent by nature.

/** The largest file a region takes, from a client or from a peer. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

/** A file's name: the SHA-256 of its bytes as 64 lower-case hex digits. */
export const FILE_HASH = /^[0-9a-f]{64}$/;

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
 * The object key of a tenant's file. Tenant first, so one tenant's files never answer
 * another's reads (a hash alone would: the same photo uploaded by two tenants).
 */
export function fileKey(tenantId: string, sha256: string): string {
  if (!FILE_HASH.test(sha256)) throw new RangeError("not a SHA-256 hex digest");
  if (tenantId.length === 0 || tenantId.includes("/")) throw new RangeError("not a tenant id");
  return `${tenantId}/${sha256}`;
}
