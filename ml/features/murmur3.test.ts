import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { murmur3, murmur3String } from "./murmur3.ts";

const utf8 = new TextEncoder();

describe("murmur3", () => {
  // Reference vectors from the canonical SMHasher implementation.
  test.each([
    ["", 0, 0x00000000],
    ["", 1, 0x514e28b7],
    ["", 0xffffffff, 0x81f16f39],
    ["test", 0, 0xba6bd213],
    ["aaaa", 0x9747b28c, 0x5a97808a],
    ["abc", 0, 0xb3dd93fa],
    ["Hello, world!", 1234, 0xfaf6cdb3],
    ["The quick brown fox jumps over the lazy dog", 0, 0x2e4ff723],
  ])("hashes %j with seed %i to the reference value", (s, seed, expected) => {
    expect(murmur3(utf8.encode(s), seed)).toBe(expected);
    expect(murmur3String(s, seed)).toBe(expected);
  });

  test("the string form equals hashing TextEncoder's bytes, CJK and emoji included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 30 }), fc.nat(), (s, seed) => {
        expect(murmur3String(s, seed)).toBe(murmur3(utf8.encode(s), seed));
      }),
    );
    expect(murmur3String("好评😀", 7)).toBe(murmur3(utf8.encode("好评😀"), 7));
  });
});
