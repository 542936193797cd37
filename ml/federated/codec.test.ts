import { describe, expect, test } from "vitest";
import { decodeParams, encodedLength, encodeParams, paramsHash } from "./codec.ts";

describe("[FL2] parameters on the wire", () => {
  const v = Float32Array.from([0, -1.5, 3.25, 1e-8, -7e7]);

  test("round trip is exact and the text has the stated length", () => {
    const text = encodeParams(v);
    expect(text).toHaveLength(encodedLength(v.length));
    expect(decodeParams(text, v.length)).toEqual(v);
  });

  test("the byte order is little-endian whatever the host (1.0 is 00 00 80 3f)", () => {
    expect(encodeParams(Float32Array.from([1]))).toBe(btoa("\x00\x00\x80\x3f"));
  });

  test.each([
    { name: "too short", text: () => encodeParams(v).slice(0, -4) },
    { name: "another length", text: () => encodeParams(Float32Array.from([1, 2])) },
    { name: "not base64", text: () => "!".repeat(encodedLength(v.length)) },
    { name: "NaN", text: () => encodeParams(Float32Array.from([0, Number.NaN, 0, 0, 0])) },
    {
      name: "Infinity",
      text: () => encodeParams(Float32Array.from([0, 0, Number.POSITIVE_INFINITY, 0, 0])),
    },
  ])("[FL2] $name is refused, never repaired", ({ text }) => {
    expect(decodeParams(text(), v.length)).toBeNull();
  });

  test("[FL5] the hash names the bytes: equal vectors share it, one changed float does not", () => {
    expect(paramsHash(v)).toBe(paramsHash(v.slice()));
    const w = v.slice();
    w[2] = 3.2500002;
    expect(paramsHash(w)).not.toBe(paramsHash(v));
    expect(paramsHash(v)).toMatch(/^[0-9a-f]{64}$/);
  });

  test("a vector of 200k floats encodes without overflowing the stack", () => {
    const big = new Float32Array(200_000).map((_, i) => i / 7);
    const back = decodeParams(encodeParams(big), big.length);
    // Compared by hash: a deep equality over 200k floats costs seconds.
    expect(back && paramsHash(back)).toBe(paramsHash(big));
  });
});
