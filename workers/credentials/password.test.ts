import { expect, test } from "vitest";
import { hashPassword, verifyPassword } from "./password.ts";

test("a password verifies against its own hash and nothing else", async () => {
  const stored = await hashPassword("correct horse", new Uint8Array(16).fill(7));
  expect(stored).toMatch(/^pbkdf2-sha256\$100000\$/);
  expect(await verifyPassword("correct horse", stored)).toBe(true);
  expect(await verifyPassword("correct horsE", stored)).toBe(false);
  expect(await verifyPassword("correct horse", "garbage")).toBe(false);
});
