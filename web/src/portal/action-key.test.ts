// Idempotency keys per user action: reused on retry, new for a new action.
import { expect, test } from "vitest";
import { ActionKey } from "./action-key.ts";

test("a retried action keeps its key; a settled or changed one gets a new key", () => {
  let n = 0;
  const keys = new ActionKey(() => `k${++n}`);
  const body = { decision: "accepted" };
  expect(keys.for(body)).toBe("k1");
  keys.settle(null); // no answer (network): retry with the same key
  expect(keys.for({ decision: "accepted" })).toBe("k1");
  keys.settle(503);
  keys.settle(429);
  expect(keys.for(body)).toBe("k1");
  keys.settle(200);
  expect(keys.for(body)).toBe("k2");
  expect(keys.for({ decision: "declined" })).toBe("k3");
  keys.settle(422);
  expect(keys.for({ decision: "declined" })).toBe("k4");
});
