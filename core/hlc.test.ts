import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compareHlc, decodeHlc, encodeHlc, type Hlc, receive, tick, zeroHlc } from "./hlc.ts";

const hlcArb = fc.record({
  wallMs: fc.integer({ min: 0, max: 2 ** 45 }),
  counter: fc.integer({ min: 0, max: 0xffff }),
  region: fc.constantFrom("cn-east", "cn-south", "eu-central"),
});

describe("hlc", () => {
  test("tick is strictly monotonic even when the wall clock goes backwards", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 200 }), (walls) => {
        let h: Hlc = zeroHlc("cn-east");
        for (const now of walls) {
          const next = tick(h, now);
          expect(compareHlc(next, h)).toBe(1);
          h = next;
        }
      }),
    );
  });

  test("receive orders the merged clock after both the local and the remote stamp", () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, fc.integer({ min: 0, max: 2 ** 45 }), (local, remote, now) => {
        const r = receive(local, remote, now, Number.POSITIVE_INFINITY);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(compareHlc(r.hlc, local)).toBe(1);
        expect(
          r.hlc.wallMs > remote.wallMs ||
            (r.hlc.wallMs === remote.wallMs && r.hlc.counter > remote.counter),
        ).toBe(true);
        expect(r.hlc.region).toBe(local.region);
      }),
    );
  });

  test("receive refuses a remote clock that drifted too far ahead", () => {
    const r = receive(
      zeroHlc("cn-east"),
      { wallMs: 1_000_000, counter: 0, region: "cn-south" },
      0,
      60_000,
    );
    expect(r).toEqual({ ok: false, driftMs: 1_000_000 });
  });

  test("the string encoding sorts exactly like compareHlc and round-trips", () => {
    fc.assert(
      fc.property(hlcArb, hlcArb, (a, b) => {
        const ea = encodeHlc(a);
        const eb = encodeHlc(b);
        expect(Math.sign(ea < eb ? -1 : ea > eb ? 1 : 0)).toBe(compareHlc(a, b));
        expect(decodeHlc(ea)).toEqual(a);
      }),
    );
  });

  test("decodeHlc rejects garbage", () => {
    expect(() => decodeHlc("yesterday")).toThrow(RangeError);
  });
});
