// HMAC-SHA256 agrees with RFC 4231 and node:crypto, so signatures and keyed hashes interoperate.
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { hmacSha256Hex, timingSafeEqual } from "./hmac.ts";

describe("hmacSha256", () => {
  test("matches the RFC 4231 test vectors", () => {
    expect(hmacSha256Hex(new Uint8Array(20).fill(0x0b), "Hi There")).toBe(
      "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    );
    expect(hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  test("agrees with node:crypto for keys shorter and longer than a block", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 150 }),
        fc.uint8Array({ maxLength: 200 }),
        (key, message) => {
          const expected = createHmac("sha256", key).update(message).digest("hex");
          expect(hmacSha256Hex(key, message)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("takes string keys and messages as UTF-8", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (key, message) => {
        expect(hmacSha256Hex(key, message)).toBe(
          createHmac("sha256", key).update(message).digest("hex"),
        );
      }),
      { numRuns: 200 },
    );
  });

  test("timingSafeEqual is string equality", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(a === b);
        expect(timingSafeEqual(a, a)).toBe(true);
      }),
    );
  });
});
