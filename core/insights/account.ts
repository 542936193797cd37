// The account facts decision triggers read, as pure data: when the customer last won a deal
// with us, which service requests are open and when each fell or falls due, which contracts
// renew when. Built from the account's own views; the worker reads those, bounded.
import type { ContractView, CustomerView, Severity } from "../schemas.ts";
import { addMonthsMs } from "./calendar.ts";
import type { AccountFactsPolicy } from "./schema.ts";

const HOUR_MS = 3_600_000;
/** Items of each kind a context holds at most (an account's views are bounded too). */
export const MAX_ACCOUNT_ITEMS = 200;

export interface OpenServiceRequest {
  id: string;
  severity: Severity;
  openedAtMs: number;
  /** When it is past its response time: opened plus its severity's response hours. */
  dueAtMs: number;
}

export interface Renewal {
  contractId: string;
  renewsAtMs: number;
}

export interface AccountContext {
  /** When both parties last signed a contract; null when they never have. */
  lastWonDealAtMs: number | null;
  openServiceRequests: readonly OpenServiceRequest[];
  renewals: readonly Renewal[];
}

/** What the analysis knows of the account: nothing asked, a failed read, or its facts. */
export type AccountFacts =
  | { status: "none" }
  | { status: "unavailable"; reason: string }
  | { status: "read"; context: AccountContext };

const msOf = (iso: string): number | null => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
};

/**
 * The context of an account from its customer view (service requests) and its contracts.
 * A contract both parties signed is a won deal, signed when the later signature was made,
 * and renews `policy.contractTermMonths` after that (contracts carry no end date yet).
 */
export function accountContextOf(
  customer: Pick<CustomerView, "serviceRequests">,
  contracts: ReadonlyArray<Pick<ContractView, "id" | "status" | "signatures">>,
  policy: AccountFactsPolicy,
): AccountContext {
  const won = contracts.slice(0, MAX_ACCOUNT_ITEMS).flatMap((c) => {
    if (c.status !== "active") return [];
    const signed = c.signatures.flatMap((s) => msOf(s.signedAt) ?? []);
    return signed.length ? [{ contractId: c.id, signedAtMs: Math.max(...signed) }] : [];
  });
  const openServiceRequests = customer.serviceRequests
    .slice(0, MAX_ACCOUNT_ITEMS)
    .flatMap((sr): OpenServiceRequest[] => {
      const openedAtMs = msOf(sr.openedAt);
      if (sr.status !== "open" || openedAtMs === null) return [];
      const hours = policy.serviceResponseHours[sr.severity];
      return [
        { id: sr.id, severity: sr.severity, openedAtMs, dueAtMs: openedAtMs + hours * HOUR_MS },
      ];
    });
  return {
    lastWonDealAtMs: won.length ? Math.max(...won.map((w) => w.signedAtMs)) : null,
    openServiceRequests,
    renewals: won.map((w) => ({
      contractId: w.contractId,
      renewsAtMs: addMonthsMs(w.signedAtMs, policy.contractTermMonths),
    })),
  };
}
