// The bucket and lockout arithmetic, in Node: the DO and the API's login gate rely on it.
import { expect, test } from "vitest";
import { recordFailure, secondsToFull, take } from "./bucket.ts";

const policy = { burst: 3, perS: 1 };

test("[rate-limit] a bucket grants its burst, then refuses until a token has refilled", () => {
  let state = take(policy, undefined, 0).state;
  state = take(policy, state, 0).state;
  state = take(policy, state, 0).state;
  const refused = take(policy, state, 0);
  expect(refused).toMatchObject({ ok: false, remaining: 0, retryAfterMs: 1_000 });
  expect(take(policy, refused.state, 1_000)).toMatchObject({ ok: true, granted: 1 });
  expect(secondsToFull(policy, 0)).toBe(3);
});

test("[rate-limit] a lease takes what is there, never more, and a backwards clock adds nothing", () => {
  const first = take(policy, undefined, 10_000, 100);
  expect(first).toMatchObject({ ok: true, granted: 3, remaining: 0 });
  expect(take(policy, first.state, 5_000, 100).ok).toBe(false);
});

test("[login] failures past the free ones wait 1 s, 2 s, 4 s … up to the cap", () => {
  const lockout = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 4_000 };
  let state: ReturnType<typeof recordFailure> | undefined;
  const waits: number[] = [];
  for (let i = 0; i < 9; i++) {
    state = recordFailure(lockout, state, 100);
    waits.push(state.lockedUntilMs === 0 ? 0 : state.lockedUntilMs - 100);
  }
  expect(waits).toEqual([0, 0, 0, 0, 1_000, 2_000, 4_000, 4_000, 4_000]);
});
