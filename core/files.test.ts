// What a stored file may be: one of three image types whose bytes say so, named per tenant.
import { describe, expect, test } from "vitest";
import { fileKey, imageTypeOf, isTenantId, sniffImageType } from "./files.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10);
const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d);
const WEBP = new TextEncoder().encode("RIFF\u0024\u0000\u0000\u0000WEBPVP8 ");

describe("image files", () => {
  test("the magic number names the type; anything else, a prefix or an empty body, is none", () => {
    expect(sniffImageType(JPEG)).toBe("image/jpeg");
    expect(sniffImageType(PNG)).toBe("image/png");
    expect(sniffImageType(WEBP)).toBe("image/webp");
    expect(sniffImageType(new TextEncoder().encode("RIFF\u0024\u0000\u0000\u0000WAVEfmt "))).toBe(
      null,
    );
    expect(sniffImageType(new TextEncoder().encode("GIF89a"))).toBe(null);
    expect(sniffImageType(JPEG.slice(0, 2))).toBe(null);
    expect(sniffImageType(new Uint8Array(0))).toBe(null);
  });

  test("a content type is read by its essence, case-insensitively; others are not images we take", () => {
    expect(imageTypeOf("image/JPEG; charset=binary")).toBe("image/jpeg");
    expect(imageTypeOf(" image/webp ")).toBe("image/webp");
    expect(imageTypeOf("image/gif")).toBe(null);
    expect(imageTypeOf("application/octet-stream")).toBe(null);
    expect(imageTypeOf(null)).toBe(null);
  });

  test("a file's key is its tenant, then its hash; nothing else is a key", () => {
    const sha = "ab".repeat(32);
    expect(fileKey("ten_demo", sha)).toBe(`ten_demo/${sha}`);
    expect(() => fileKey("ten_demo", sha.toUpperCase())).toThrow(RangeError);
    expect(() => fileKey("ten/x", sha)).toThrow(RangeError);
    expect(() => fileKey("", sha)).toThrow(RangeError);
    expect(() => fileKey("t".repeat(129), sha)).toThrow(RangeError);
  });

  test("a tenant id in a key is 1 to 128 characters without a slash", () => {
    expect(isTenantId("ten_demo")).toBe(true);
    expect(isTenantId("t".repeat(128))).toBe(true);
    for (const bad of ["", "t".repeat(129), "ten/x", "/"]) expect(isTenantId(bad)).toBe(false);
  });
});
