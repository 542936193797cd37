// Parameters and updates on the wire: Float32 little-endian bytes in base64 (the byte order
// stated, not the host's), named by the SHA-256 of those bytes. Decoding is where a hostile
// payload is stopped: a wrong length or a non-finite value (NaN would poison every average
// it joined) is refused, never repaired.
import { sha256Hex } from "../../core/crypto/sha256.ts";

function bytesOf(v: Float32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  return out;
}

/** Base64 text of `length` floats: what a wire schema bounds its strings by. */
export const encodedLength = (length: number) => 4 * Math.ceil((length * 4) / 3);

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Base64 by table: btoa over a 200 KB binary string costs tens of times more. */
export function encodeParams(v: Float32Array): string {
  const bytes = bytesOf(v);
  const out: string[] = [];
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out.push(
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!,
    );
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    const third = rest === 2 ? ALPHABET[(n >> 6) & 63]! : "=";
    out.push(`${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${third}=`);
  }
  return out.join("");
}

/** The floats of `text`, or null when it is not base64 of exactly `length` finite floats. */
export function decodeParams(text: string, length: number): Float32Array | null {
  if (text.length !== encodedLength(length)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  if (binary.length !== length * 4) return null;
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const x = view.getFloat32(i * 4, true);
    if (!Number.isFinite(x)) return null;
    out[i] = x;
  }
  return out;
}

export const paramsHash = (v: Float32Array) => sha256Hex(bytesOf(v));
