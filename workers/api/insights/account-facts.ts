// The account facts a call's decision triggers read (won deals, open service requests,
// renewals), fetched from the customer's AccountDO beside sentiment and rules. Bounded by
// ACCOUNT_FACTS_BUDGET_MS, and never fatal: a failed or slow read leaves the analysis whole,
// without account triggers, and the answer says why.
import { insights } from "../../../core/index.ts";
import type { ContractView, CustomerView } from "../../../core/schemas.ts";
import { within } from "../../shared/timeout.ts";

/** How long the account read may take; it runs while sentiment is inferred. */
export const ACCOUNT_FACTS_BUDGET_MS = 250;

/** What the AccountDO's portalSnapshot answers: the customer and its newest contracts. */
export type AccountSnapshot = {
  customer: Pick<CustomerView, "serviceRequests">;
  contracts: ReadonlyArray<Pick<ContractView, "id" | "status" | "signatures">>;
};

/**
 * Starts `read` now (null: the call names no customer) and returns how to finish: with the
 * tenant's policy, the facts, or why there are none. The returned function never throws.
 */
export function accountFactsReader(
  read: (() => Promise<AccountSnapshot | null>) | null,
  budgetMs: number = ACCOUNT_FACTS_BUDGET_MS,
): (policy: insights.AccountFactsPolicy) => Promise<insights.AccountFacts> {
  if (!read) return async () => ({ status: "none" });
  const pending = within(Promise.resolve().then(read), budgetMs).then(
    (snapshot) => ({ snapshot }),
    (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
  );
  return async (policy) => {
    const outcome = await pending;
    if ("error" in outcome) {
      console.warn(`account facts unavailable for insights: ${outcome.error}`);
      return { status: "unavailable", reason: `the account could not be read: ${outcome.error}` };
    }
    if (!outcome.snapshot)
      return { status: "unavailable", reason: "the account holds no customer" };
    const { customer, contracts } = outcome.snapshot;
    return { status: "read", context: insights.accountContextOf(customer, contracts, policy) };
  };
}
