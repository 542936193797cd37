// The `Upstash-Signature` JWT: HS256 keyed with the signing-key string's UTF-8 bytes, claims
// exactly as QStash issues them, so the vendor's `Receiver.verify` accepts it.

import { createHash, createHmac, randomBytes } from "node:crypto";

export interface QStashClaims {
  iss: "Upstash";
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  body: string;
}

/** Lifetime QStash gives every signature; a fresh one is made for each attempt. */
export const SIGNATURE_TTL_S = 300;

const base64url = (bytes: Buffer): string => bytes.toString("base64url");

/** base64url(sha256(body)) with Go's `=` padding kept, as QStash emits it. */
export function bodyHash(body: Uint8Array): string {
  const digest = createHash("sha256").update(body).digest("base64");
  return digest.replace(/\+/g, "-").replace(/\//g, "_");
}

export function signJwt(key: string, claims: object): string {
  const header = base64url(Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const payload = base64url(Buffer.from(JSON.stringify(claims)));
  const mac = createHmac("sha256", Buffer.from(key, "utf8")).update(`${header}.${payload}`);
  return `${header}.${payload}.${base64url(mac.digest())}`;
}

export function signDelivery(key: string, url: string, body: Uint8Array, nowMs: number): string {
  const now = Math.floor(nowMs / 1000);
  const claims: QStashClaims = {
    iss: "Upstash",
    sub: url,
    exp: now + SIGNATURE_TTL_S,
    nbf: now,
    iat: now,
    jti: `jwt_${randomBytes(16).toString("hex")}`,
    body: bodyHash(body),
  };
  return signJwt(key, claims);
}
