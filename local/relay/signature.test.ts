// The delivery JWT: its exact header and claims, an HMAC keyed by the key string's bytes, and
// the vendor Receiver's verdicts — accepted with either configured key, rejected otherwise.

import { createHmac } from "node:crypto";
import { Receiver } from "@upstash/qstash";
import { describe, expect, test } from "vitest";
import { bodyHash, signDelivery, signJwt } from "./signature.ts";

const KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
const decode = (part: string | undefined) =>
  JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));

describe("signDelivery", () => {
  test("emits an HS256 JWT with QStash's claims", () => {
    const now = Date.parse("2030-01-01T00:00:10.900Z");
    const body = Buffer.from('{"hello":"world"}');
    const token = signDelivery(KEY, "https://example.com/hook?a=1", body, now);
    const [header, payload, mac] = token.split(".");
    expect(decode(header)).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = decode(payload);
    const seconds = Date.parse("2030-01-01T00:00:10Z") / 1000;
    expect(claims).toEqual({
      iss: "Upstash",
      sub: "https://example.com/hook?a=1",
      exp: seconds + 300,
      nbf: seconds,
      iat: seconds,
      jti: expect.stringMatching(/^jwt_[0-9a-f]{32}$/),
      body: bodyHash(body),
    });
    const expected = createHmac("sha256", Buffer.from(KEY)).update(`${header}.${payload}`);
    expect(mac).toBe(expected.digest("base64url"));
  });

  test("gives every signature its own jti", () => {
    const jti = (t: string) => decode(t.split(".")[1]).jti;
    const a = signDelivery(KEY, "https://x", Buffer.alloc(0), 0);
    const b = signDelivery(KEY, "https://x", Buffer.alloc(0), 0);
    expect(jti(a)).not.toBe(jti(b));
  });

  test("hashes the body as padded base64url SHA-256", () => {
    expect(bodyHash(Buffer.alloc(0))).toBe("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU=");
    expect(bodyHash(Buffer.from([0xfb, 0xff]))).not.toMatch(/[+/]/);
  });
});

describe("Receiver.verify on relay signatures", () => {
  const url = "http://127.0.0.1:1/hook";
  const body = '{"n":1}';
  const signed = (key: string, at = Date.now()) => signDelivery(key, url, Buffer.from(body), at);
  const receiver = (currentSigningKey: string, nextSigningKey: string) =>
    new Receiver({ currentSigningKey, nextSigningKey });

  test("accepts with the current key, and with the next key after a rotation", async () => {
    await expect(
      receiver(KEY, "sig_other").verify({ signature: signed(KEY), body, url }),
    ).resolves.toBe(true);
    await expect(
      receiver("sig_old", KEY).verify({ signature: signed(KEY), body, url }),
    ).resolves.toBe(true);
  });

  test("rejects other keys, a tampered body, another url and an expired token", async () => {
    const good = receiver(KEY, "sig_other");
    await expect(
      receiver("sig_a", "sig_b").verify({ signature: signed(KEY), body, url }),
    ).rejects.toThrow("signature verification failed");
    await expect(good.verify({ signature: signed(KEY), body: '{"n":2}', url })).rejects.toThrow(
      "body hash does not match",
    );
    await expect(good.verify({ signature: signed(KEY), body, url: `${url}x` })).rejects.toThrow(
      "invalid subject",
    );
    const old = signed(KEY, Date.now() - 10 * 60_000);
    await expect(good.verify({ signature: old, body, url })).rejects.toThrow();
  });

  test("rejects a token whose MAC was made with a different key", async () => {
    const [h, p] = signed(KEY).split(".");
    const forged = signJwt("sig_attacker", decode(p));
    expect(forged.split(".")[0]).toBe(h);
    await expect(
      receiver(KEY, "sig_other").verify({ signature: forged, body, url }),
    ).rejects.toThrow();
  });
});
