// Synchronous HMAC-SHA256 (RFC 2104) over core's sync SHA-256: keyed hashes of restricted
// fields and signatures of replication bodies, inside synchronous code paths.
import { sha256, toHex } from "./sha256.ts";

const BLOCK = 64;
const utf8 = new TextEncoder();

const bytesOf = (x: Uint8Array | string) => (typeof x === "string" ? utf8.encode(x) : x);

export function hmacSha256(key: Uint8Array | string, message: Uint8Array | string): Uint8Array {
  let k = bytesOf(key);
  if (k.length > BLOCK) k = sha256(k);
  const inner = new Uint8Array(BLOCK);
  const outer = new Uint8Array(BLOCK);
  inner.set(k);
  outer.set(k);
  for (let i = 0; i < BLOCK; i++) {
    inner[i]! ^= 0x36;
    outer[i]! ^= 0x5c;
  }
  const msg = bytesOf(message);
  const innerInput = new Uint8Array(BLOCK + msg.length);
  innerInput.set(inner);
  innerInput.set(msg, BLOCK);
  const outerInput = new Uint8Array(BLOCK + 32);
  outerInput.set(outer);
  outerInput.set(sha256(innerInput), BLOCK);
  return sha256(outerInput);
}

export function hmacSha256Hex(key: Uint8Array | string, message: Uint8Array | string): string {
  return toHex(hmacSha256(key, message));
}

/** Compares two strings in time independent of where they first differ (signature checks). */
export function timingSafeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}
