import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { base32, canonicalJson } from "./encoding.ts";

describe("base32", () => {
  test("encodes the Crockford alphabet without I, L, O or U", () => {
    expect(base32(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), 8)).toBe("ZZZZZZZZ");
    expect(base32(new Uint8Array([0, 0, 0, 0, 0]), 8)).toBe("00000000");
    expect(base32(new Uint8Array([0x08, 0x86, 0x42, 0x98, 0xe8]), 8)).toBe("12345678");
  });

  test("refuses to invent bits it was not given", () => {
    expect(() => base32(new Uint8Array(1), 2)).toThrow(RangeError);
  });
});

describe("canonicalJson", () => {
  test("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  test("is independent of key insertion order", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  test("rejects values JSON cannot carry", () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
  });
});
