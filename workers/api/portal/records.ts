// What the portal shows of one customer account (DESIGN §11): the account's staff views
// (from its AccountDO, authoritative) turned into the portal's records, each projected
// through the tenant's visibility policy with the context of its own contract (tier ×
// stage × terms). Nothing leaves here unprojected: routes get only `PortalView`s, so a
// field the policy does not grant, and every `internal` field, is absent from every answer.
import type { ContractView, CustomerView, Tier } from "../../../core/index.ts";
import type { PortalRecords, PortalView } from "../../../core/portal/fields.ts";
import {
  type ContractTerms,
  DEFAULT_TERMS,
  type PortalResource,
} from "../../../core/portal/model.ts";
import {
  can,
  contractStage,
  grantsFor,
  PORTAL_ACTIONS,
  type PortalAction,
  type PortalContext,
  type PortalPolicy,
  projectAll,
} from "../../../core/portal/policy.ts";

/** The account as its AccountDO holds it: the customer and every readable contract. */
export type AccountSnapshot = { customer: CustomerView; contracts: ContractView[] };

type Records = { [R in PortalResource]: PortalRecords[R][] };

/** One contract's records with the context the policy judges them in. */
type ContractRecords = { ctx: PortalContext; records: Records };

const emptyRecords = (): Records => ({
  contract: [],
  delivery: [],
  invoice: [],
  payment: [],
  document: [],
  "service-request": [],
  "change-request": [],
});

const day = (iso: string) => iso.slice(0, 10);

/** planned → committed → delivered, or late when the promised date passed (UTC dates). */
function deliveryStatus(
  m: ContractView["milestones"][number],
  today: string,
): PortalRecords["delivery"]["status"] {
  if (m.actualDate) return "delivered";
  if ((m.committedDate ?? m.plannedDate) < today) return "late";
  return m.committedDate ? "committed" : "planned";
}

function contractRecords(
  tier: Tier,
  c: ContractView,
  customer: CustomerView,
  nowMs: number,
): ContractRecords {
  const today = day(new Date(nowMs).toISOString());
  const terms: ContractTerms = c.terms ?? DEFAULT_TERMS;
  const stage = contractStage({ status: c.status, milestones: c.milestones ?? [] });
  const r = emptyRecords();
  const bothSigned = c.signatures.filter((s) => s.documentHash === c.documentHash);
  r.contract.push({
    id: c.id,
    title: c.title,
    status: c.status,
    stage,
    amount: c.amount,
    documentHash: c.documentHash,
    signedAt:
      c.status === "active"
        ? (bothSigned
            .map((s) => s.signedAt)
            .sort()
            .at(-1) ?? null)
        : null,
    terms,
  });
  for (const m of c.milestones ?? [])
    r.delivery.push({
      id: m.id,
      contractId: c.id,
      name: m.name,
      destination: m.destination,
      quantity: m.quantity,
      plannedDate: m.plannedDate,
      committedDate: m.committedDate,
      actualDate: m.actualDate,
      status: deliveryStatus(m, today),
    });
  for (const i of c.invoices ?? [])
    r.invoice.push({
      id: i.id,
      contractId: c.id,
      number: i.number,
      amount: i.amount,
      issuedAt: i.issuedAt,
      dueDate: i.dueDate,
      // Overdue is judged here, at read time (the account's view is pure of "now").
      status: i.status === "unpaid" && i.dueDate < today ? "overdue" : i.status,
      paidAt: i.paidAt,
    });
  for (const p of c.payments)
    r.payment.push({
      id: p.id,
      contractId: c.id,
      reference: p.reference,
      amount: p.amount,
      receivedAt: p.receivedAt,
      hasVoucher: Boolean(p.voucher),
    });
  r.document.push({
    id: `doc_${c.id}_contract`,
    contractId: c.id,
    kind: "contract",
    title: c.title,
    createdAt: c.createdAt,
    sha256: c.documentHash,
  });
  for (const s of c.signatures)
    if (s.image)
      r.document.push({
        id: `doc_${c.id}_signature_${s.party}`,
        contractId: c.id,
        kind: "signature",
        title: `${c.title} (${s.party})`,
        createdAt: s.signedAt,
        sha256: s.image.sha256,
      });
  for (const p of c.payments)
    if (p.voucher)
      r.document.push({
        id: `doc_${p.id}_voucher`,
        contractId: c.id,
        kind: "voucher",
        title: p.reference,
        createdAt: p.confirmedAt,
        sha256: p.voucher.sha256,
      });
  for (const x of customer.changeRequests ?? [])
    if (x.contractId === c.id)
      r["change-request"].push({
        id: x.id,
        contractId: x.contractId,
        kind: x.kind,
        summary: x.summary,
        requested: x.requested,
        status: x.status,
        filedAt: x.filedAt,
        slaDueAt: x.slaDueAt,
        // Who on the staff answered stays inside: the customer sees the group's answer.
        answer: x.answer
          ? {
              feasible: x.answer.feasible,
              newCommittedDate: x.answer.newCommittedDate,
              message: x.answer.message,
              answeredAt: x.answer.answeredAt,
            }
          : null,
        respondedAt: x.response?.respondedAt ?? null,
      });
  for (const s of customer.serviceRequests ?? [])
    if (s.contractId === c.id) r["service-request"].push(serviceRecord(s));
  return { ctx: { tier, stage, terms }, records: r };
}

function serviceRecord(
  s: NonNullable<CustomerView["serviceRequests"]>[number],
): PortalRecords["service-request"] {
  return {
    id: s.id,
    contractId: s.contractId,
    title: s.title,
    severity: s.severity,
    status: s.status,
    openedAt: s.openedAt,
    resolvedAt: s.resolvedAt,
    resolution: s.resolution,
    resolutionMs: s.resolvedAt ? Date.parse(s.resolvedAt) - Date.parse(s.openedAt) : null,
  };
}

const STAGE_ORDER = ["proposal", "closed", "fulfilment", "after-sales"] as const;

/**
 * The account's portal: every contract's records in its own context. A service request
 * tied to no contract is judged in the account's furthest stage (after-sales if any
 * contract is there) with default terms: the customer relationship, not one contract.
 */
export class PortalAccount {
  private readonly contracts: ContractRecords[];
  private readonly accountLevel: ContractRecords | null;

  constructor(
    readonly policy: PortalPolicy,
    readonly snapshot: AccountSnapshot,
    nowMs: number,
  ) {
    const tier = snapshot.customer.tier;
    // A draft the vendor has not sent is still the vendor's: the customer sees a contract
    // from the moment it is sent to them.
    this.contracts = snapshot.contracts
      .filter((c) => c.status !== "draft")
      .map((c) => contractRecords(tier, c, snapshot.customer, nowMs));
    const loose = (snapshot.customer.serviceRequests ?? []).filter((s) => s.contractId === null);
    if (loose.length === 0) this.accountLevel = null;
    else {
      const stage = this.contracts
        .map((c) => c.ctx.stage)
        .reduce<PortalContext["stage"]>(
          (a, b) => (STAGE_ORDER.indexOf(b) > STAGE_ORDER.indexOf(a) ? b : a),
          "proposal",
        );
      const records = emptyRecords();
      records["service-request"] = loose.map(serviceRecord);
      this.accountLevel = { ctx: { tier, stage, terms: DEFAULT_TERMS }, records };
    }
  }

  /** Every visible record of `resource`, each projected in its contract's context. */
  list<R extends PortalResource>(resource: R): PortalView<R>[] {
    const out: PortalView<R>[] = [];
    for (const c of this.all())
      out.push(...projectAll(this.policy, c.ctx, resource, c.records[resource] as object[]));
    return out;
  }

  /** One contract's visible records by resource (a resource not granted is absent); null: not visible. */
  contract(contractId: string) {
    const c = this.contracts.find((x) => x.records.contract[0]?.id === contractId);
    if (!c) return null;
    const [contract] = projectAll(this.policy, c.ctx, "contract", c.records.contract);
    if (!contract) return null;
    const sections: Partial<Record<PortalResource, unknown[]>> = {};
    for (const r of Object.keys(c.records) as PortalResource[]) {
      if (r === "contract") continue;
      const all = projectAll(this.policy, c.ctx, r, c.records[r] as object[]);
      // A resource the policy does not grant here is left out, not shown empty.
      if (all.length > 0 || this.grants(c.ctx, r)) sections[r] = all;
    }
    return { contract, sections, actions: this.actions(c.ctx) };
  }

  /** The context a contract's records are judged in; null when the contract is not the account's. */
  contextOf(contractId: string): PortalContext | null {
    return this.contracts.find((x) => x.records.contract[0]?.id === contractId)?.ctx ?? null;
  }

  /**
   * The tenant's own place names for the query's gazetteer: the destinations of this
   * account's delivery milestones (its own data; a name the customer cannot see is never
   * matched into a result, because filters on hidden fields are refused).
   */
  gazetteer(): { destinations: Array<{ name: string; aliases: string[] }> } {
    const names = new Set<string>();
    for (const c of this.snapshot.contracts)
      for (const m of c.milestones ?? []) if (names.size < 500) names.add(m.destination.trim());
    return { destinations: [...names].filter(Boolean).map((name) => ({ name, aliases: [] })) };
  }

  /** Whether the action is allowed on this contract (or, without one, on any of the account's). */
  can(action: PortalAction, contractId?: string): boolean {
    const ctxs = contractId
      ? [this.contextOf(contractId)].filter((x) => x !== null)
      : this.all().map((c) => c.ctx);
    return ctxs.some((ctx) => can(this.policy, ctx, action));
  }

  /** Actions allowed somewhere in the account. */
  accountActions(): string[] {
    const all = new Set<string>();
    for (const c of this.all()) for (const a of this.actions(c.ctx)) all.add(a);
    return [...all].sort();
  }

  private actions(ctx: PortalContext): string[] {
    return PORTAL_ACTIONS.filter((a) => can(this.policy, ctx, a));
  }

  private grants(ctx: PortalContext, resource: PortalResource): boolean {
    return grantsFor(this.policy, ctx).has(resource);
  }

  private all(): ContractRecords[] {
    return this.accountLevel ? [...this.contracts, this.accountLevel] : this.contracts;
  }
}
