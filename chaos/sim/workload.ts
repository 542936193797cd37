// The simulated reps' work: each walks the lifeline flows for its customer — create (tax
// ids shared between reps, so one account is created concurrently in two regions), draft,
// send, signatures, payment, sometimes the same bank slip re-entered under a new key or
// confirmed from the other region, sometimes a replay of an earlier request. Planned from
// the seed alone: keys, bodies, fingerprints and the effect each write must leave.
import {
  accountIdFor,
  type Command,
  ContractCreate,
  CustomerCreate,
  contractIdFor,
  fingerprint,
  type Money,
  PaymentCreate,
  paymentIdFor,
  SignatureCreate,
} from "../../core/index.ts";
import type { ExecuteRequest } from "../../durable-objects/account/engine.ts";
import type { WriteValue } from "../history.ts";
import type { Random } from "./random.ts";
import { ACCOUNT_ID_KEYS, TENANT } from "./topology.ts";

type WriteFlow =
  | "customer.create"
  | "contract.create"
  | "contract.send"
  | "contract.sign"
  | "payment.confirm";

/** What a write leaves in an account when it took effect. */
export type Effect =
  | { kind: "customer"; accountId: string }
  | { kind: "drafted"; accountId: string; contractId: string }
  | { kind: "sent"; accountId: string; contractId: string; documentHash: string }
  | {
      kind: "signed";
      accountId: string;
      contractId: string;
      party: "customer" | "vendor";
      documentHash: string;
    }
  | { kind: "paid"; accountId: string; contractId: string; paymentId: string; amount: Money };

export type OpSpec = {
  flow: WriteFlow;
  request: ExecuteRequest;
  value: WriteValue;
  effect: Effect;
  jurisdiction: string;
  /** Raw restricted values this write carries: none may ever be stored abroad [LF4]. */
  raw: { field: string; value: string }[];
};

/** A planned step: a new operation, or a replay of an earlier one with its key and body. */
export type Planned = OpSpec | { replayOf: number };

export type Rep = {
  process: number;
  jurisdiction: "cn" | "eu";
  home: string;
  /** The other region of the jurisdiction; null when it has one region. */
  other: string | null;
  plan: Planned[];
  /** When the rep starts, ms into the run (default: within the first 200 ms). */
  startMs?: number;
};

// --- Planning a seed's reps -------------------------------------------------------------

const ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const randomCode = (rng: Random, n: number) =>
  Array.from({ length: n }, () => ALNUM[rng.int(0, ALNUM.length - 1)]).join("");

type Customer = { jurisdiction: "cn" | "eu"; taxId: string; accountId: string };
type ContractPlan = {
  customer: Customer;
  contractId: string;
  documentHash: string;
  total: number;
  currency: string;
};

/**
 * Reps of one seed, kept small (a seed is ~10 operations; thousands of seeds give the
 * breadth): rep 0 walks a cn customer from creation to payment; rep 1 serves the same
 * customer from the other cn region most of the time — its own contract, or the same bank
 * slip confirmed again under its own key — or a customer of its own; rep 2, in half the
 * seeds, writes an eu customer, whose data cn may hold only masked.
 */
export function planReps(seed: number, rng: Random): Rep[] {
  const cn = ["cn-east", "cn-south"];
  const home0 = rng.pick(cn);
  const home1 = cn.find((r) => r !== home0)!;
  const reps: Rep[] = [];

  const p0 = new Planner(seed, rng, 0);
  const shared = p0.newCustomer("cn");
  p0.customer(shared, false);
  const contract = p0.contract(shared);
  p0.send(contract);
  p0.sign(contract, "customer");
  if (rng.chance(0.3)) p0.sign(contract, "vendor");
  const slip = { reference: `ICBC-${seed}-1`, value: rng.int(1, contract.total) };
  p0.pay(contract, slip.reference, slip.value);
  // The same bank slip typed again under a new key: the reference makes it one payment.
  if (rng.chance(0.5)) p0.pay(contract, ` icbc-${seed}-1 `, slip.value);
  if (rng.chance(0.2)) p0.pay(contract, `ICBC-${seed}-2`, rng.int(1, contract.total));
  p0.maybeReplay(0.3);
  reps.push({ process: 0, jurisdiction: "cn", home: home0, other: home1, plan: p0.plan });

  const p1 = new Planner(seed, rng, 1);
  let startMs = rng.int(0, 200);
  if (rng.chance(0.8)) {
    p1.customer(shared, true);
    const mode = rng.int(0, 2);
    if (mode === 0) {
      const own = p1.contract(shared);
      p1.send(own);
      p1.sign(own, "customer");
      p1.pay(own, `CMB-${seed}-1`, rng.int(1, own.total));
    } else if (mode === 1) {
      // Rep 0's slip, confirmed again in the other region: one payment however it lands.
      startMs = rng.int(500, 3_000);
      p1.pay(contract, slip.reference, slip.value);
    }
  } else p1.customer(p1.newCustomer("cn"), false);
  p1.maybeReplay(0.2);
  reps.push({ process: 1, jurisdiction: "cn", home: home1, other: home0, plan: p1.plan, startMs });

  if (rng.chance(0.5)) {
    const p2 = new Planner(seed, rng, 2);
    const eu = p2.newCustomer("eu");
    p2.customer(eu, false);
    if (rng.chance(0.5)) p2.contract(eu);
    reps.push({ process: 2, jurisdiction: "eu", home: "eu-central", other: null, plan: p2.plan });
  }
  return reps;
}

/** Builds one rep's operations: keys, bodies, fingerprints and expected effects. */
class Planner {
  readonly plan: Planned[] = [];
  private n = 0;
  private readonly tag: string;
  private readonly actor;

  constructor(
    private readonly seed: number,
    private readonly rng: Random,
    private readonly process: number,
  ) {
    this.tag = `s${seed}p${process}`;
    this.actor = { kind: "user" as const, id: `usr_rep${process}` };
  }

  private key(): string {
    return `sim-${this.seed}-p${this.process}-${this.n++}`;
  }

  newCustomer(jurisdiction: "cn" | "eu"): Customer {
    const taxId =
      jurisdiction === "cn"
        ? `9131${randomCode(this.rng, 14)}`
        : `DE${this.rng.int(100_000_000, 999_999_999)}`;
    const key = ACCOUNT_ID_KEYS[jurisdiction]!;
    return { jurisdiction, taxId, accountId: accountIdFor(TENANT, { kind: "taxId", taxId, key }) };
  }

  private push(
    flow: WriteFlow,
    customer: Customer,
    path: string,
    command: Command,
    body: unknown,
    value: Partial<WriteValue>,
    effect: Effect,
    raw: OpSpec["raw"] = [],
    key = this.key(),
  ): void {
    const { accountId, jurisdiction } = customer;
    this.plan.push({
      flow,
      request: {
        tenantId: TENANT,
        accountId,
        idempotencyKey: key,
        fingerprint: fingerprint("POST", path, body),
        actor: this.actor,
        command,
      },
      value: {
        tenantId: TENANT,
        accountId,
        jurisdiction,
        ...value,
        ...(raw.length > 0 ? { restricted: raw } : {}),
      },
      effect,
      jurisdiction,
      raw,
    });
  }

  /** `retyped`: the tax id as a second rep types it, spaced and in lower case: one customer. */
  customer(c: Customer, retyped: boolean): void {
    const cn = c.jurisdiction === "cn";
    const tag = this.tag;
    const typed = retyped ? `${c.taxId.slice(0, 4)} ${c.taxId.slice(4).toLowerCase()}` : c.taxId;
    const contact = cn
      ? {
          name: `张${tag}联系人`,
          phone: `+86 139 ${this.rng.int(1000, 9999)} ${this.rng.int(1000, 9999)}`,
          email: `zhang.${tag}@client-cn.example`,
        }
      : {
          name: `Anna ${tag} Schmidt`,
          phone: `+49 30 ${this.rng.int(1000, 9999)} ${this.rng.int(1000, 9999)}`,
          email: `anna.${tag}@client-eu.example`,
        };
    const input = CustomerCreate.parse({
      name: cn ? `上海${tag}医疗器械有限公司` : `Berlin ${tag} GmbH`,
      taxId: typed,
      residency: c.jurisdiction,
      contacts: [contact],
    });
    this.push(
      "customer.create",
      c,
      "/v1/customers",
      { type: "customer.create", input },
      input,
      { taxId: typed },
      { kind: "customer", accountId: c.accountId },
      [
        { field: "customer.taxId", value: c.taxId },
        { field: "contact.name", value: contact.name },
        { field: "contact.phone", value: contact.phone },
        { field: "contact.email", value: contact.email },
      ],
    );
  }

  contract(customer: Customer): ContractPlan {
    const key = this.key();
    const contractId = contractIdFor(customer.accountId, key);
    const currency = customer.jurisdiction === "cn" ? "CNY" : "EUR";
    const total = this.rng.int(10_000, 5_000_000);
    const documentHash = this.rng.hex(64);
    const input = ContractCreate.parse({
      customerId: customer.accountId,
      title: `Framework ${this.tag}`,
      amount: { value: total, currency },
      documentHash,
    });
    this.push(
      "contract.create",
      customer,
      "/v1/contracts",
      { type: "contract.create", seed: key, input },
      input,
      { contractId, amountMinor: String(total), currency },
      { kind: "drafted", accountId: customer.accountId, contractId },
      [],
      key,
    );
    return { customer, contractId, documentHash, total, currency };
  }

  send(c: ContractPlan): void {
    const { contractId, documentHash } = c;
    this.push(
      "contract.send",
      c.customer,
      `/v1/contracts/${contractId}/send`,
      { type: "contract.send", contractId, documentHash },
      { documentHash },
      { contractId },
      { kind: "sent", accountId: c.customer.accountId, contractId, documentHash },
    );
  }

  sign(c: ContractPlan, party: "customer" | "vendor"): void {
    const { contractId, documentHash } = c;
    const tag = this.tag;
    const signer =
      party === "customer"
        ? { name: `李${tag}签字人`, email: `signer.${tag}@client.example` }
        : { name: `Rep ${tag} Vendor`, email: `rep.${tag}@lifeline.example` };
    const input = SignatureCreate.parse({ party, signer, documentHash });
    this.push(
      "contract.sign",
      c.customer,
      `/v1/contracts/${contractId}/signatures`,
      { type: "contract.sign", contractId, input },
      input,
      { contractId, party },
      { kind: "signed", accountId: c.customer.accountId, contractId, party, documentHash },
      [
        { field: "signer.name", value: signer.name },
        { field: "signer.email", value: signer.email },
      ],
    );
  }

  pay(c: ContractPlan, reference: string, value: number): void {
    const { contractId, currency } = c;
    const input = PaymentCreate.parse({ contractId, reference, amount: { value, currency } });
    this.push(
      "payment.confirm",
      c.customer,
      "/v1/payments",
      { type: "payment.confirm", input },
      input,
      { contractId, reference: input.reference, amountMinor: String(value), currency },
      {
        kind: "paid",
        accountId: c.customer.accountId,
        contractId,
        paymentId: paymentIdFor(contractId, input.reference),
        amount: { value, currency },
      },
    );
  }

  /** An offline queue replays an earlier request, key and body unchanged. */
  maybeReplay(p: number): void {
    if (this.plan.length > 0 && this.rng.chance(p))
      this.plan.push({ replayOf: this.rng.int(0, this.plan.length - 1) });
  }
}
