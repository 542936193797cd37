// Bounded fan-out: never more than `limit` calls in flight, results in input order.
import fc from "fast-check";
import { expect, test } from "vitest";
import { mapLimit } from "./concurrency.ts";

test("mapLimit keeps at most `limit` calls in flight and returns results in order", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.nat({ max: 3 }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 20 }),
      async (delays, limit) => {
        let inFlight = 0;
        let peak = 0;
        const out = await mapLimit(delays, limit, async (d) => {
          peak = Math.max(peak, ++inFlight);
          for (let i = 0; i < d; i++) await Promise.resolve();
          inFlight--;
          return d * 2;
        });
        expect(out).toEqual(delays.map((d) => d * 2));
        expect(peak).toBeLessThanOrEqual(limit);
        // …and it does use the limit: with every call waiting, exactly min(limit, n) overlap.
        if (delays.every((d) => d > 0)) expect(peak).toBe(Math.min(limit, delays.length));
      },
    ),
    { numRuns: 200 },
  );
  await expect(mapLimit([1], 0, async (x) => x)).rejects.toThrow(/positive integer/);
});
