// Reading account facts for decision triggers never fails an analysis: a read that throws
// or outlasts its budget is "unavailable", saying why; a call without a customer reads none.
import { describe, expect, test } from "vitest";
import { insights } from "../../../core/index.ts";
import { type AccountSnapshot, accountFactsReader } from "./account-facts.ts";

const policy = insights.AccountFactsPolicy.parse({});
const SIGNED = "2026-01-10T08:00:00.000Z";
const snapshot: AccountSnapshot = {
  customer: {
    serviceRequests: [
      {
        id: "srq_1",
        severity: "high",
        status: "open",
        openedAt: "2026-03-01T00:00:00.000Z",
      } as AccountSnapshot["customer"]["serviceRequests"][number],
    ],
  },
  contracts: [
    {
      id: "con_1",
      status: "active",
      signatures: [{ signedAt: SIGNED }] as AccountSnapshot["contracts"][number]["signatures"],
    },
  ],
};

describe("account facts for triggers", () => {
  test("a call without a customer reads none", async () => {
    expect(await accountFactsReader(null)(policy)).toEqual({ status: "none" });
  });

  test("a snapshot becomes the account's context under the tenant's policy", async () => {
    const facts = await accountFactsReader(async () => snapshot)(policy);
    expect(facts).toEqual({
      status: "read",
      context: {
        lastWonDealAtMs: Date.parse(SIGNED),
        openServiceRequests: [
          {
            id: "srq_1",
            severity: "high",
            openedAtMs: Date.parse("2026-03-01T00:00:00.000Z"),
            dueAtMs: Date.parse("2026-03-01T08:00:00.000Z"),
          },
        ],
        renewals: [{ contractId: "con_1", renewsAtMs: Date.parse("2027-01-10T08:00:00.000Z") }],
      },
    });
  });

  test("a read that throws, even synchronously, is unavailable and says why", async () => {
    const throwing = accountFactsReader(() => {
      throw new Error("DO reset");
    });
    expect(await throwing(policy)).toEqual({
      status: "unavailable",
      reason: "the account could not be read: DO reset",
    });
    const rejecting = accountFactsReader(() => Promise.reject(new Error("overloaded")));
    expect(await rejecting(policy)).toMatchObject({ status: "unavailable" });
  });

  test("a read slower than its budget is unavailable at the budget", async () => {
    const slow = accountFactsReader(() => new Promise<never>(() => {}), 20);
    const started = performance.now();
    expect(await slow(policy)).toMatchObject({
      status: "unavailable",
      reason: expect.stringMatching(/within 20 ms/),
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("an account without its customer record is unavailable", async () => {
    expect(await accountFactsReader(async () => null)(policy)).toEqual({
      status: "unavailable",
      reason: "the account holds no customer",
    });
  });
});
