// The account context decision triggers read, built from the account's views: a won deal is
// a contract both parties signed; open service requests fall due by their severity's
// response hours; a contract renews a term after its last signature.
import { describe, expect, test } from "vitest";
import { accountContextOf, MAX_ACCOUNT_ITEMS } from "./account.ts";
import { AccountFactsPolicy } from "./schema.ts";

type Inputs = Parameters<typeof accountContextOf>;
const request = (id: string, severity: string, status: string, openedAt: string) =>
  ({ id, severity, status, openedAt }) as unknown as Inputs[0]["serviceRequests"][number];
const contract = (id: string, status: string, signedAt: readonly string[]) =>
  ({
    id,
    status,
    signatures: signedAt.map((s) => ({ signedAt: s })),
  }) as unknown as Inputs[1][number];
const policy = AccountFactsPolicy.parse({});

describe("account context", () => {
  test("a won deal is a contract both parties signed, dated by its later signature", () => {
    const context = accountContextOf(
      { serviceRequests: [] },
      [
        contract("con_a", "active", ["2026-01-05T00:00:00Z", "2026-01-07T10:00:00Z"]),
        contract("con_b", "signed", ["2026-05-01T00:00:00Z"]),
        contract("con_c", "sent", []),
      ],
      policy,
    );
    expect(context.lastWonDealAtMs).toBe(Date.parse("2026-01-07T10:00:00Z"));
    expect(context.renewals).toEqual([
      { contractId: "con_a", renewsAtMs: Date.parse("2027-01-07T10:00:00Z") },
    ]);
  });

  test("no contract both parties signed: no won deal, no renewal", () => {
    const context = accountContextOf({ serviceRequests: [] }, [], policy);
    expect(context).toEqual({ lastWonDealAtMs: null, openServiceRequests: [], renewals: [] });
  });

  test("open requests fall due after their severity's response hours, the tenant's if set; resolved ones are gone", () => {
    const tenant = AccountFactsPolicy.parse({
      serviceResponseHours: { critical: 2 },
      contractTermMonths: 24,
    });
    const context = accountContextOf(
      {
        serviceRequests: [
          request("srq_1", "critical", "open", "2026-06-01T00:00:00Z"),
          request("srq_2", "low", "open", "2026-06-01T00:00:00Z"),
          request("srq_3", "high", "resolved", "2026-06-01T00:00:00Z"),
        ],
      },
      [contract("con_a", "active", ["2026-01-07T10:00:00Z"])],
      tenant,
    );
    expect(
      context.openServiceRequests.map((r) => [r.id, new Date(r.dueAtMs).toISOString()]),
    ).toEqual([
      ["srq_1", "2026-06-01T02:00:00.000Z"],
      ["srq_2", "2026-06-04T00:00:00.000Z"],
    ]);
    expect(new Date(context.renewals[0]!.renewsAtMs).toISOString()).toBe(
      "2028-01-07T10:00:00.000Z",
    );
  });

  test("the context is bounded whatever the views hold", () => {
    const many = Array.from({ length: MAX_ACCOUNT_ITEMS + 50 }, (_, i) =>
      request(`srq_${i}`, "normal", "open", "2026-06-01T00:00:00Z"),
    );
    const contracts = Array.from({ length: MAX_ACCOUNT_ITEMS + 50 }, (_, i) =>
      contract(`con_${i}`, "active", ["2026-01-07T10:00:00Z"]),
    );
    const context = accountContextOf({ serviceRequests: many }, contracts, policy);
    expect(context.openServiceRequests).toHaveLength(MAX_ACCOUNT_ITEMS);
    expect(context.renewals).toHaveLength(MAX_ACCOUNT_ITEMS);
  });
});
