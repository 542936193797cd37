import fc from "fast-check";
import { expect, test } from "vitest";
import { backoffDelayMs, OUTBOX_BACKOFF } from "./backoff.ts";

test("backoff doubles per attempt, stays within [50%, 100%] of the step and never exceeds the cap", () => {
  expect(backoffDelayMs(OUTBOX_BACKOFF, 1, 1)).toBe(250);
  expect(backoffDelayMs(OUTBOX_BACKOFF, 3, 1)).toBe(1000);
  expect(backoffDelayMs(OUTBOX_BACKOFF, 3, 0)).toBe(500);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10_000 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (attempt, r) => {
        const d = backoffDelayMs(OUTBOX_BACKOFF, attempt, r);
        expect(d).toBeGreaterThanOrEqual(OUTBOX_BACKOFF.baseMs / 2);
        expect(d).toBeLessThanOrEqual(OUTBOX_BACKOFF.maxMs);
      },
    ),
  );
});
