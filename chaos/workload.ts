// The chaos workload (DESIGN §9, issue 9 item 7): N simulated reps, each one operation at a
// time, through the router with the client behaviour the README tells integrators to use —
// the same Idempotency-Key on every retry of one command, `Retry-After` honoured, and a
// fail-over straight to the regions of the account's jurisdiction when the router itself
// does not answer. Every operation is an invoke and one completion in a Jepsen-style
// history (chaos/history.ts). Everything is seeded and bounded: reps, operations, attempts,
// waits; the loop stops by itself at its deadline.
import { createHash } from "node:crypto";
import { mulberry32 } from "../core/prng.ts";
import type { CompletionOp, Flow, HistoryOp, WriteValue } from "./history.ts";

export const MAX_REPS = 100;
/** Attempts per operation (the first and its retries). */
const MAX_ATTEMPTS = 4;
/** Longest Retry-After a rep waits; a region asking for longer is retried then anyway. */
const MAX_RETRY_AFTER_MS = 3_000;
/** Shared tax ids per jurisdiction: reps create the same customers concurrently on purpose. */
const SHARED_TAX_IDS = 12;

export type WorkloadRegion = { region: string; jurisdiction: string; apiUrl: string };

export type WorkloadOptions = {
  /** null: no router, the reps go straight to their jurisdiction's regions. */
  routerUrl: string | null;
  regions: WorkloadRegion[];
  apiKey: string;
  tenantId: string;
  reps: number;
  seed: number;
  /** Milliseconds since the run started (the history's time). */
  now: () => number;
  /** The reps stop starting operations at this time (run ms). */
  untilMs: number;
  /** Per request. */
  requestTimeoutMs?: number;
  /** Operations per rep at most. */
  maxOpsPerRep?: number;
};

/** Appends ops with increasing indexes; the one place a history grows. */
export class HistoryRecorder {
  readonly ops: HistoryOp[] = [];
  add(op: Omit<HistoryOp, "index">): void {
    this.ops.push({ ...op, index: this.ops.length } as HistoryOp);
  }
}

type Contract = {
  id: string;
  stage: "draft" | "sent" | "customer-signed" | "active";
  amount: number;
  currency: string;
  paid: number;
};
type Account = {
  id: string;
  jurisdiction: string;
  taxId: string;
  contracts: Contract[];
};

type Answer = {
  type: "ok" | "fail" | "info";
  status: number | null;
  body: unknown;
  region?: string;
  durability?: "local" | "region";
  degraded: string[];
  replayed: boolean;
  bodySha256?: string;
  attempts: CompletionOp["attempts"];
  error?: string;
};

const tag = (process: number, n: number, seed: number) =>
  `p${String(process).padStart(2, "0")} n${String(n).padStart(4, "0")} s${seed}.`;

const DOC = createHash("sha256").update("lifeline chaos contract v1").digest("hex");

/** A CN unified social credit code shape, or an EU VAT id, from the seeded generator. */
function taxIdFor(jurisdiction: string, n: number, seed: number): string {
  const tail = `${seed.toString(36)}${n.toString(36)}`.toUpperCase().padStart(8, "0").slice(-8);
  return jurisdiction === "cn"
    ? `9131000MA${tail}X`
    : `DE${(100_000_000 + n * 7_919 + seed) % 1_000_000_000}`;
}

export async function runWorkload(o: WorkloadOptions, history: HistoryRecorder): Promise<void> {
  const reps = Math.max(1, Math.min(MAX_REPS, Math.floor(o.reps)));
  await Promise.all(Array.from({ length: reps }, (_, i) => rep(o, history, i)));
  // A create that got no answer named only its tax id. One tax id is one account (its id is
  // derived from it), so another create's answer names it; otherwise it stays unknown.
  const byTaxId = new Map<string, string>();
  for (const h of history.ops)
    if (h.type === "invoke" && h.value?.taxId && h.value.accountId)
      byTaxId.set(`${h.value.jurisdiction}/${h.value.taxId}`, h.value.accountId);
  for (const h of history.ops)
    if (h.type === "invoke" && h.value && !h.value.accountId)
      h.value.accountId =
        byTaxId.get(`${h.value.jurisdiction}/${h.value.taxId}`) ?? `unknown:${h.value.taxId}`;
}

async function rep(o: WorkloadOptions, history: HistoryRecorder, process: number): Promise<void> {
  const random = mulberry32(o.seed * 1_000 + process + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const accounts: Account[] = [];
  const maxOps = o.maxOpsPerRep ?? 10_000;
  const jurisdictions = [...new Set(o.regions.map((r) => r.jurisdiction))];
  let n = 0;
  const key = () => `chaos-${o.seed}-${process}-${n}-${Math.floor(random() * 1e9).toString(36)}`;

  const op = async (
    f: Flow,
    call: { method: string; path: string; body?: unknown; jurisdiction: string },
    value?: WriteValue,
    idempotencyKey?: string,
  ): Promise<Answer> => {
    const id = `${process}-${n}`;
    history.add({
      type: "invoke",
      process,
      op: id,
      f,
      time: o.now(),
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(value ? { value } : {}),
    } as HistoryOp);
    const started = o.now();
    const answer = await request(o, call, idempotencyKey, f);
    const done: Omit<CompletionOp, "index"> = {
      type: answer.type,
      process,
      op: id,
      f,
      time: o.now(),
      latencyMs: o.now() - started,
      degraded: answer.degraded,
      replayed: answer.replayed,
      attempts: answer.attempts,
      ...(answer.status !== null ? { status: answer.status } : {}),
      ...(answer.region ? { region: answer.region } : {}),
      ...(answer.durability ? { durability: answer.durability } : {}),
      ...(answer.bodySha256 ? { bodySha256: answer.bodySha256 } : {}),
      ...(answer.error ? { error: answer.error } : {}),
    };
    if (answer.type === "ok" && answer.durability === "region" && value && answer.region)
      done.peerHasIt = await peerHolds(o, answer.region, f, value, answer.body);
    history.add(done as HistoryOp);
    return answer;
  };

  while (o.now() < o.untilMs && n < maxOps) {
    n++;
    const roll = random();
    const account = accounts.length ? pick(accounts) : null;
    const open = account?.contracts.filter((c) => c.stage !== "active") ?? [];
    const active = account?.contracts.filter((c) => c.stage === "active") ?? [];
    if (!account || roll < 0.12) {
      const jurisdiction =
        random() < 0.7 && jurisdictions.includes("cn") ? "cn" : pick(jurisdictions);
      const taxId = taxIdFor(jurisdiction, Math.floor(random() * SHARED_TAX_IDS), o.seed);
      const contact = {
        // Fixed-width and closed, so no value is a substring of another (the leak scan
        // searches bytes): "联系人 p03 n0007 s5."
        name: `${jurisdiction === "cn" ? "联系人" : "Kontakt"} ${tag(process, n, o.seed)}`,
        phone: `+86 138 ${String(10_000_000 + process * 10_000 + n).slice(-8)}`,
        email: `rep${process}.op${n}.s${o.seed}@chaos.example`,
      };
      // The invoke holds this object: its account id is filled in once an answer names it.
      const value: WriteValue = {
        tenantId: o.tenantId,
        accountId: "",
        jurisdiction,
        taxId,
        restricted: [
          { field: "contacts.name", value: contact.name },
          { field: "contacts.phone", value: contact.phone },
          { field: "contacts.email", value: contact.email },
        ],
      };
      const res = await op(
        "customer.create",
        {
          method: "POST",
          path: "/v1/customers",
          jurisdiction,
          body: {
            // Not the tax id: a name is not masked abroad, and the leak scan would rightly
            // find the id in it.
            name: `Chaos ${jurisdiction.toUpperCase()} customer ${process}-${n}`,
            taxId,
            residency: jurisdiction,
            contacts: [contact],
          },
        },
        value,
        key(),
      );
      const id = idOf(res.body);
      if (res.type === "ok" && id) {
        // The account id is known once answered; the invoke named the tax id only.
        value.accountId = id;
        if (!accounts.some((a) => a.id === id))
          accounts.push({ id, jurisdiction, taxId, contracts: [] });
      }
    } else if (roll < 0.3 || (open.length === 0 && active.length === 0)) {
      const amount = 1_000 + Math.floor(random() * 9_000) * 100;
      const currency = account.jurisdiction === "cn" ? "CNY" : "EUR";
      const value: WriteValue = {
        tenantId: o.tenantId,
        accountId: account.id,
        jurisdiction: account.jurisdiction,
        amountMinor: String(amount),
        currency,
      };
      const res = await op(
        "contract.create",
        {
          method: "POST",
          path: "/v1/contracts",
          jurisdiction: account.jurisdiction,
          body: {
            customerId: account.id,
            title: `Chaos ${process}-${n}`,
            amount: { value: amount, currency },
            documentHash: DOC,
          },
        },
        value,
        key(),
      );
      const id = idOf(res.body);
      // Unanswered, its id is unknown: the checker cannot look for it, and says nothing.
      value.contractId = res.type === "ok" && id ? id : `unknown:${process}-${n}`;
      if (res.type === "ok" && id)
        account.contracts.push({ id, stage: "draft", amount, currency, paid: 0 });
    } else if (roll < 0.55 && open.length) {
      const c = pick(open);
      const value = {
        tenantId: o.tenantId,
        accountId: account.id,
        jurisdiction: account.jurisdiction,
        contractId: c.id,
      };
      if (c.stage === "draft") {
        const res = await op(
          "contract.send",
          {
            method: "POST",
            path: `/v1/contracts/${c.id}/send`,
            jurisdiction: account.jurisdiction,
          },
          value,
          key(),
        );
        if (res.type === "ok") c.stage = "sent";
      } else {
        const party = c.stage === "sent" ? "customer" : "vendor";
        const signer = {
          name: party === "customer" ? `签署人 ${tag(process, n, o.seed)}` : "Lifeline Sales",
        };
        const res = await op(
          "contract.sign",
          {
            method: "POST",
            path: `/v1/contracts/${c.id}/signatures`,
            jurisdiction: account.jurisdiction,
            body: { party, signer, documentHash: DOC },
          },
          {
            ...value,
            party,
            ...(party === "customer"
              ? { restricted: [{ field: "signatures.signer.name", value: signer.name }] }
              : {}),
          },
          key(),
        );
        if (res.type === "ok") c.stage = party === "customer" ? "customer-signed" : "active";
      }
    } else if (roll < 0.75 && active.length) {
      const c = pick(active);
      const amount = Math.max(1, Math.floor(c.amount / (2 + Math.floor(random() * 4))));
      const reference = `CHAOS-${o.seed}-${process}-${n}`;
      const value = {
        tenantId: o.tenantId,
        accountId: account.id,
        jurisdiction: account.jurisdiction,
        contractId: c.id,
        reference,
        amountMinor: String(amount),
        currency: c.currency,
      };
      const call = {
        method: "POST",
        path: "/v1/payments",
        jurisdiction: account.jurisdiction,
        body: { contractId: c.id, reference, amount: { value: amount, currency: c.currency } },
      };
      const res = await op("payment.confirm", call, value, key());
      // A rep who did not see the answer enters the voucher again under a new key: the
      // bank reference must make it the same payment, never a second one.
      if (res.type !== "fail" && random() < 0.15) {
        n++;
        await op("payment.confirm", call, value, key());
      }
    } else if (roll < 0.85) {
      await op("customer.get", {
        method: "GET",
        path: `/v1/customers/${account.id}`,
        jurisdiction: account.jurisdiction,
      });
    } else if (roll < 0.95) {
      await op("customer.list", {
        method: "GET",
        path: "/v1/customers?limit=20",
        jurisdiction: account.jurisdiction,
      });
    } else {
      await op("insights.analyze", {
        method: "POST",
        path: "/v1/insights/analyze",
        jurisdiction: account.jurisdiction,
        body: {
          customerId: account.id,
          industry: "medical-devices",
          transcript: [{ speaker: "customer", text: "价格比华康贵不少，售后响应也要快" }],
        },
      });
    }
    await sleep(50 + Math.floor(random() * 200));
  }
}

const idOf = (body: unknown): string | null =>
  typeof body === "object" && body !== null && typeof (body as { id?: unknown }).id === "string"
    ? (body as { id: string }).id
    : null;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One operation with the integrator's client behaviour. The router first; when it does not
 * answer at all, the regions of the account's jurisdiction in turn. 503/502/504/429 and
 * lost answers are retried with the same key after Retry-After (bounded) or a backoff.
 */
async function request(
  o: WorkloadOptions,
  call: { method: string; path: string; body?: unknown; jurisdiction: string },
  idempotencyKey: string | undefined,
  f: Flow,
): Promise<Answer> {
  const direct = o.regions.filter((r) => r.jurisdiction === call.jurisdiction).map((r) => r.apiUrl);
  const targets = o.routerUrl ? [o.routerUrl, ...direct] : direct;
  let target = 0;
  const attempts: Answer["attempts"] = [];
  let last: Answer | null = null;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const base = targets[target % targets.length]!;
    const regionOf = (url: string) => o.regions.find((r) => r.apiUrl === url)?.region ?? "router";
    try {
      const res = await fetch(`${base}${call.path}`, {
        method: call.method,
        headers: {
          authorization: `Bearer ${o.apiKey}`,
          ...(call.body !== undefined ? { "content-type": "application/json" } : {}),
          ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
        },
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.timeout(o.requestTimeoutMs ?? 12_000),
      });
      const text = await res.text();
      const region = res.headers.get("lifeline-region") ?? undefined;
      attempts.push({ region: region ?? regionOf(base), status: res.status });
      const durability = res.headers.get("lifeline-durability");
      // A 4xx is the client's own: definite, nothing happened. Except when the answer asks
      // for a retry (408, 429, or a 409 with Retry-After: the same key is still in flight
      // somewhere): then nothing is known yet.
      const retryable =
        res.status === 408 ||
        res.status === 429 ||
        (res.status === 409 && res.headers.has("retry-after"));
      last = {
        type: res.ok ? "ok" : res.status >= 400 && res.status < 500 && !retryable ? "fail" : "info",
        status: res.status,
        body: parse(text),
        ...(region ? { region } : {}),
        ...(durability === "local" || durability === "region" ? { durability } : {}),
        degraded: (res.headers.get("lifeline-degraded") ?? "")
          .split(",")
          .map((t) => t.trim())
          .filter(Boolean),
        replayed: res.headers.get("idempotent-replayed") === "true",
        bodySha256: createHash("sha256").update(text).digest("hex"),
        attempts,
      };
      if (last.type !== "info") break;
      // The router could not place it (every region it knows looks down from where it
      // stands): the jurisdiction's regions are asked directly, at once.
      if (base === o.routerUrl && res.status >= 502) {
        target++;
        continue;
      }
      const retryAfter = Number(res.headers.get("retry-after"));
      await sleep(
        Number.isFinite(retryAfter) && retryAfter > 0
          ? Math.min(MAX_RETRY_AFTER_MS, retryAfter * 1000)
          : 100 * 2 ** attempt,
      );
    } catch (err) {
      const error = (err as Error).name === "TimeoutError" ? "timeout" : describe(err);
      attempts.push({ region: regionOf(base), status: null, error });
      last = {
        type: "info",
        status: null,
        body: null,
        degraded: [],
        replayed: false,
        attempts,
        error,
      };
      // The router (or this region) did not answer: the next endpoint of the jurisdiction.
      target++;
      await sleep(100 * attempt);
    }
  }
  const answer = last!;
  // A read that never got an answer did nothing: it failed. A write may have happened.
  if (answer.type === "info" && !WRITES.has(f)) return { ...answer, type: "fail" };
  return answer;
}

const WRITES = new Set<Flow>([
  "customer.create",
  "contract.create",
  "contract.send",
  "contract.sign",
  "payment.confirm",
]);

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text.slice(0, 200);
  }
}

/**
 * Right after a `region` acknowledgement, asks the other region of the jurisdiction
 * directly whether it holds the write: the checker's evidence that `region` meant it.
 * Undefined when it cannot tell (no peer, no answer).
 */
async function peerHolds(
  o: WorkloadOptions,
  servedBy: string,
  f: Flow,
  value: WriteValue,
  body: unknown,
): Promise<boolean | undefined> {
  const peer = o.regions.find(
    (r) => r.jurisdiction === value.jurisdiction && r.region !== servedBy,
  );
  if (!peer) return undefined;
  const path =
    f === "payment.confirm" && idOf(body)
      ? `/v1/payments/${idOf(body)}`
      : f === "customer.create"
        ? `/v1/customers/${idOf(body)}`
        : value.contractId
          ? `/v1/contracts/${value.contractId}`
          : null;
  if (!path) return undefined;
  try {
    const res = await fetch(`${peer.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${o.apiKey}` },
      signal: AbortSignal.timeout(2_000),
    });
    const text = await res.text();
    if (res.status === 404) return false;
    if (!res.ok) return undefined;
    if (f === "contract.sign") {
      const view = parse(text) as { signatures?: Array<{ party: string }> } | null;
      return (view?.signatures ?? []).some((s) => s.party === value.party);
    }
    if (f === "contract.send") {
      const view = parse(text) as { status?: string } | null;
      return view?.status !== "draft";
    }
    return true;
  } catch {
    return undefined;
  }
}
