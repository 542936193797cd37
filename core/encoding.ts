// Deterministic encodings shared by ids, fingerprints and state hashes: Crockford
// base32 (case-insensitive, URL-safe ids) and canonical JSON (sorted keys, no spaces).

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Crockford base32 of the first `chars * 5` bits of `bytes`. */
export function base32(bytes: Uint8Array, chars: number): string {
  if (chars * 5 > bytes.length * 8)
    throw new RangeError("not enough bytes for the requested length");
  let out = "";
  let buffer = 0;
  let bits = 0;
  let i = 0;
  while (out.length < chars) {
    if (bits < 5) {
      buffer = ((buffer << 8) | bytes[i++]!) & 0xffff;
      bits += 8;
    }
    out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
    bits -= 5;
  }
  return out;
}

/**
 * Canonical JSON: object keys sorted by code unit, `undefined` members dropped, no
 * whitespace. Two structurally equal values always give the same string, which is
 * what fingerprints and state hashes compare.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
    return JSON.stringify(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
}
