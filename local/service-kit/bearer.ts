// The stand-ins' bearer-token check: the token is compared as a SHA-256 digest in constant
// time, so neither its length nor a matching prefix shows in the answer's timing.
import { createHash, timingSafeEqual } from "node:crypto";

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/** Why an `Authorization` header does not carry `token` (as a 401's message), or null. */
export function bearerCheck(token: string): (header: string | undefined) => string | null {
  const expected = sha256(token);
  return (header) => {
    if (!header) return "Unauthorized: the `Authorization` header is required";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return "Unauthorized: expected `Authorization: Bearer <token>`";
    return timingSafeEqual(sha256(match[1] as string), expected)
      ? null
      : "Unauthorized: invalid token";
  };
}
