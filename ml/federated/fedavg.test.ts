import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fedAvg } from "./fedavg.ts";

const vec = (xs: number[]) => Float32Array.from(xs);

describe("[FL3] FedAvg is the example-weighted mean of the updates", () => {
  test.each([
    { name: "one update is applied whole", base: [1, 1], ups: [{ n: 5, d: [2, -1] }], out: [3, 0] },
    {
      name: "equal n: plain mean",
      base: [0, 0],
      ups: [
        { n: 10, d: [2, 0] },
        { n: 10, d: [0, 4] },
      ],
      out: [1, 2],
    },
    {
      name: "weights follow n",
      base: [0],
      ups: [
        { n: 300, d: [1] },
        { n: 100, d: [-1] },
      ],
      out: [0.5],
    },
    {
      name: "three regions",
      base: [1],
      ups: [
        { n: 1, d: [3] },
        { n: 2, d: [0] },
        { n: 1, d: [-3] },
      ],
      out: [1],
    },
  ])("$name", ({ base, ups, out }) => {
    const updates = ups.map((u, i) => ({ region: `r${i}`, n: u.n, delta: vec(u.d) }));
    expect(Array.from(fedAvg(vec(base), updates))).toEqual(out.map((x) => expect.closeTo(x, 6)));
  });

  test("[FL3] the order updates arrive in does not change a bit", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            n: fc.integer({ min: 1, max: 5_000 }),
            d: fc.array(fc.float({ min: -10, max: 10, noNaN: true }), {
              minLength: 4,
              maxLength: 4,
            }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (ups) => {
          const updates = ups.map((u, i) => ({ region: `r${i}`, n: u.n, delta: vec(u.d) }));
          const base = vec([0.5, -0.5, 1, 0]);
          expect(fedAvg(base, [...updates].reverse())).toEqual(fedAvg(base, updates));
        },
      ),
    );
  });

  test("the average never leaves the updates' hull (each coordinate between its min and max)", () => {
    const updates = [
      { region: "a", n: 3, delta: vec([1, -5]) },
      { region: "b", n: 7, delta: vec([2, 5]) },
    ];
    const out = fedAvg(vec([0, 0]), updates);
    expect(out[0]).toBeGreaterThanOrEqual(1);
    expect(out[0]).toBeLessThanOrEqual(2);
    expect(Math.abs(out[1]!)).toBeLessThanOrEqual(5);
  });

  test("no update, a non-positive n or a wrong length is a bug, refused", () => {
    expect(() => fedAvg(vec([0]), [])).toThrow(/at least one/);
    expect(() => fedAvg(vec([0]), [{ region: "a", n: 0, delta: vec([1]) }])).toThrow(/positive/);
    expect(() => fedAvg(vec([0]), [{ region: "a", n: 1, delta: vec([1, 2]) }])).toThrow(/length/);
  });
});
